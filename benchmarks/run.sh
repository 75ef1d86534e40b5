#!/usr/bin/env bash
# The benchmark command of vsrx-sync (issue 12). Runs every measurement side by side on one fresh Azurite and
# writes docs/benchmarks.md and docs/benchmarks.json:
#
#   benchmarks/run.sh PRESET [WORKDIR]        PRESET: tiny (smoke test) | small | medium (the measurement)
#
#   preparation (untimed): builds examples/target/vsrx-sync.jar and benchmarks/target/benchmarks.jar with
#     Maven (package only), generates the seeded data set WORKDIR/ds-PRESET (scripts/gen_dataset.py) and a
#     VSRX view of it (hard links plus one fileset.properties per fileset), installs what is missing (Azurite
#     with npm into .ci/.cache/azurite as .ci/run does; rclone and a PostgreSQL server with apt), starts
#     Azurite, the VSRX side (`vsrx-sync serve-vsrx --folder`) and a PostgreSQL server (as .ci/run starts
#     one, but with its durable defaults), unpacks the embedded PostgreSQL once, warms the page cache.
#   timed steps, each after the 1-minute load average fell below LOAD_MAX:
#     raw            the raw SDK upload of the same files, RAW_THREADS in flight (RawUpload)
#     raw-noop       the raw list-and-compare of the container with the folder (RawUpload --noop)
#     raw-relay      every file listed and downloaded over /v1 from the VSRX side and streamed into a blob with
#                    the raw SDK, RAW_THREADS in flight, no ledger (RawRelay): the floor through the protocol
#     sync           `vsrx-sync sync` over the /v1 protocol into Azurite, embedded PostgreSQL (fresh)
#     sync-noop      the same command again, nothing changed
#     sync-pg        `vsrx-sync sync` with the external PostgreSQL (VSRX_SYNC_JDBC_URL), fresh container
#     sync-pg-noop   the same again
#     sync-noproc    the same wiring through the library API with a processor that only counts
#                    (SyncWithoutProcessing): the sync's own cost without the stand-in processor
#     rclone, rclone-noop, rclone-noop-fastlist   `rclone copy` of the data set and its no-ops
#     status         `./vsrx-sync status` (the launcher) on the embedded ledger, STATUS_RUNS times (median)
#     diff           DiffCpuTime --json: DiffEngine.plan over 1,000,000 listed files (median wall, GC included)
#     large-file     one LARGE_FILE-byte PDF synced by `vsrx-sync sync` at LARGE_FILE_HEAP (-Xmx128m), with
#                    -Xlog:gc: exit code, peak RSS, the largest heap occupancy after a collection
#   For every step: wall time, CPU of the JVM, Azurite, the VSRX server and PostgreSQL (procmon.py), load
#   before and after. scripts/report.py turns WORKDIR/run-PRESET/steps.jsonl into OUT_DIR/benchmarks.json
#   and OUT_DIR/benchmarks.md.
#
# Environment (defaults in brackets): OUT_DIR [<repo>/docs], LOAD_MAX [2.0], LOAD_WAIT_S [2400],
#   LOAD_POLL_S [30], RAW_THREADS [8], RCLONE_TRANSFERS [4], INSTALL [1: apt/npm-install what is missing],
#   STATUS_RUNS [3], LARGE_FILE [tiny 128M, small 1G, medium 2G], LARGE_FILE_HEAP [-Xmx128m],
#   DIFF_ARGS [tiny "2 3 --mixes=UNCHANGED", else "3 7"], SYNC_JAVA_OPTS [extra JVM options of the sync
#   steps; none: the command line tunes its compilers itself, as with ./vsrx-sync or java -jar], SKIP [space-separated step
#   names to leave out], MVN_OFFLINE [1: try `mvn -o` first].
# Needs: Java 17, Maven, node/npm, python3, GNU time (/usr/bin/time; installed with apt when missing).
set -euo pipefail

usage="usage: benchmarks/run.sh tiny|small|medium [WORKDIR]"
preset=${1:?$usage}
case "$preset" in tiny|small|medium) ;; *) echo "$usage" >&2; exit 2 ;; esac
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
work=${2:-$repo/benchmarks/target/bench-work}
mkdir -p "$work"; work=$(cd "$work" && pwd)
scripts=$here/scripts

OUT_DIR=${OUT_DIR:-$repo/docs}
LOAD_MAX=${LOAD_MAX:-2.0}; LOAD_WAIT_S=${LOAD_WAIT_S:-2400}; LOAD_POLL_S=${LOAD_POLL_S:-30}
RAW_THREADS=${RAW_THREADS:-8}; RCLONE_TRANSFERS=${RCLONE_TRANSFERS:-4}; INSTALL=${INSTALL:-1}
STATUS_RUNS=${STATUS_RUNS:-3}; LARGE_FILE_HEAP=${LARGE_FILE_HEAP:--Xmx128m}
# extra JVM options of the sync steps; none by default: the command line sets its compilers itself (JitDirectives)
SYNC_JAVA_OPTS=${SYNC_JAVA_OPTS-}
SKIP=${SKIP:-}; MVN_OFFLINE=${MVN_OFFLINE:-1}
case "$preset" in
  tiny) LARGE_FILE=${LARGE_FILE:-128M}; DIFF_ARGS=${DIFF_ARGS:-2 3 --mixes=UNCHANGED} ;;
  small) LARGE_FILE=${LARGE_FILE:-1G}; DIFF_ARGS=${DIFF_ARGS:-3 7} ;;
  medium) LARGE_FILE=${LARGE_FILE:-2G}; DIFF_ARGS=${DIFF_ARGS:-3 7} ;;
esac
TOKEN=bench-token-0123456789abcdef
AZURITE_VERSION=3.37.0

# The sync must see only what this script configures.
for v in $(compgen -e | grep '^VSRX_SYNC_' || true); do unset "$v"; done

run=$work/run-$preset
rm -rf "$run"; mkdir -p "$run"
steps=$run/steps.jsonl; : >"$steps"
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
skipped() { [[ " $SKIP " == *" $1 "* ]]; }
as_root() { if [[ $(id -u) == 0 ]]; then "$@"; else sudo "$@"; fi; }
apt_install() {  # apt_install PACKAGE...: only when INSTALL=1
  [[ "$INSTALL" == 1 ]] || return 1
  command -v apt-get >/dev/null || return 1
  log "installing $* with apt"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2 \
    || { as_root apt-get update -qq >&2 && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2; }
}

# ------------------------------------------------------------------------------------------- preparation
[[ -x /usr/bin/time ]] || apt_install time || { echo "GNU time (/usr/bin/time) is needed" >&2; exit 1; }

log "building the command line and the benchmarks (mvn package)"
build() { (cd "$repo" && mvn -B -q -Dstyle.color=never -DskipTests -pl examples,benchmarks -am "$@" package) >&2; }
if [[ "$MVN_OFFLINE" == 1 ]]; then build -o || build; else build; fi
jar=$repo/examples/target/vsrx-sync.jar
bjar=$repo/benchmarks/target/benchmarks.jar
commit=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
[[ -z "$(git -C "$repo" status --porcelain --untracked-files=no 2>/dev/null)" ]] || commit="$commit+uncommitted"

ds=$work/ds-$preset
vsrx=$work/vsrx-$preset
log "data set $ds"
python3 "$scripts/gen_dataset.py" "$ds" --preset "$preset"
log "VSRX view $vsrx (hard links + fileset.properties)"
python3 - "$ds" "$vsrx" <<'PY'
import json, os, shutil, subprocess, sys, uuid
ds, vsrx = sys.argv[1:]
m = json.load(open(os.path.join(ds, "manifest.json")))
stamp = json.dumps(m["params"], sort_keys=True)
marker = os.path.join(vsrx, ".view-of")
if os.path.exists(marker) and open(marker).read() == stamp:
    sys.exit(0)
shutil.rmtree(vsrx, ignore_errors=True)
os.makedirs(vsrx)
patients = {}
for e in m["files"]:
    patients.setdefault(e["fileset_id"], e["patient_id"])
for fs, patient in sorted(patients.items()):
    src, dst = os.path.join(ds, fs), os.path.join(vsrx, fs)
    if subprocess.run(["cp", "-al", src, dst]).returncode != 0:      # another file system: a plain copy
        shutil.rmtree(dst, ignore_errors=True)
        subprocess.run(["cp", "-a", src, dst], check=True)
    u = uuid.uuid5(uuid.NAMESPACE_URL, f"https://bench.invalid/silknote-patient/{fs}/{patient}")
    with open(os.path.join(dst, "fileset.properties"), "w") as f:
        f.write(f"patientId={patient}\nsilknotePatientUuid={u}\n")
open(marker, "w").write(stamp)   # hidden: the folder source ignores it (no fileset.properties, starts with .)
PY

large_bytes=$(python3 -c "import sys;s=sys.argv[1].upper();u={'K':1<<10,'M':1<<20,'G':1<<30}
print(int(float(s[:-1])*u[s[-1]]) if s[-1] in u else int(s))" "$LARGE_FILE")
heapsrc=$work/heap-vsrx; big=$heapsrc/fs-heap-0001/notes/2026/n1/big.pdf
if ! skipped large-file && [[ ! -f "$big" || $(stat -c %s "$big") != "$large_bytes" ]]; then
  log "writing a $large_bytes-byte PDF to $big"
  mkdir -p "$(dirname "$big")"
  { printf '%%PDF-1.7\n%%\xe2\xe3\xcf\xd3\n'; head -c $((large_bytes - 15 - 7)) /dev/urandom; printf '\n%%%%EOF\n'; } >"$big"
  printf 'patientId=P-heap-0001\nsilknotePatientUuid=3f1c2a7e-5b8d-4c1e-9a2f-0d6b7e8c9a10\n' \
    >"$heapsrc/fs-heap-0001/fileset.properties"
fi

azprefix=$repo/.ci/.cache/azurite
if [[ ! -x "$azprefix/node_modules/.bin/azurite-blob" ]]; then
  log "installing azurite@$AZURITE_VERSION with npm into $azprefix"
  npm install --prefix "$azprefix" --no-audit --no-fund --loglevel=error "azurite@$AZURITE_VERSION" >&2
fi
have_rclone=0
command -v rclone >/dev/null || skipped rclone || apt_install rclone || true
command -v rclone >/dev/null && have_rclone=1
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if ! skipped sync-pg && [[ -z "$pg_bin" || ! -x "$pg_bin/initdb" ]]; then
  apt_install postgresql || true
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

azurite_pid=; serve_pid=; heap_serve_pid=; pg_dir=
cleanup() {
  for p in "$serve_pid" "$heap_serve_pid" "$azurite_pid"; do
    [[ -n "$p" ]] && kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true
  done
  if [[ -n "$pg_dir" && -f "$pg_dir/postmaster.pid" ]]; then
    pg_run "$pg_bin/pg_ctl" -D "$pg_dir" -m fast -w stop >/dev/null 2>&1 || true
  fi
  [[ -n "$pg_dir" ]] && rm -rf "$pg_dir" || true    # a throwaway server: its data directory goes with it
}
trap cleanup EXIT
pg_run() { if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

log "starting Azurite (fresh data directory)"
az_port=$(free_port)
"$azprefix/node_modules/.bin/azurite-blob" --silent --location "$run/azurite-data" --blobHost 127.0.0.1 \
  --blobPort "$az_port" --skipApiVersionCheck --disableTelemetry >"$run/azurite.log" 2>&1 &
azurite_pid=$!
for _ in $(seq 1 100); do
  kill -0 "$azurite_pid" 2>/dev/null || { cat "$run/azurite.log" >&2; echo "Azurite exited" >&2; exit 1; }
  (exec 3<>"/dev/tcp/127.0.0.1/$az_port") 2>/dev/null && break
  sleep 0.2
done
# Azurite quits quietly when its port is taken: the check above insists on our own process being alive.
kill -0 "$azurite_pid" 2>/dev/null || { echo "Azurite is not running" >&2; exit 1; }
AZ_CONN="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:$az_port/devstoreaccount1;"
export AZURE_STORAGE_CONNECTION_STRING=$AZ_CONN

start_serve() {  # start_serve FOLDER LOG -> sets SERVE_PID, SERVE_URL
  VSRX_SYNC_VSRX_TOKEN=$TOKEN java -jar "$jar" serve-vsrx --folder "$1" --port 0 >"$2" 2>&1 &
  SERVE_PID=$!; SERVE_URL=
  for _ in $(seq 1 300); do
    SERVE_URL=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$2" 2>/dev/null | head -1 || true)
    [[ -n "$SERVE_URL" ]] && return 0
    kill -0 "$SERVE_PID" 2>/dev/null || { cat "$2" >&2; exit 1; }
    sleep 0.2
  done
  echo "serve-vsrx did not start" >&2; exit 1
}
start_serve "$vsrx" "$run/serve-vsrx.log"; serve_pid=$SERVE_PID; vsrx_url=$SERVE_URL
measured_serve_pid=$serve_pid
log "VSRX side on $vsrx_url (pid $serve_pid), Azurite on port $az_port (pid $azurite_pid)"

pg_url=
if ! skipped sync-pg && [[ -n "$pg_bin" && -x "$pg_bin/initdb" ]]; then
  pg_dir=$(mktemp -d /tmp/vsrx-bench-pg.XXXXXX)
  [[ $(id -u) == 0 ]] && chown postgres "$pg_dir"
  pg_port=$(free_port)
  pg_run "$pg_bin/initdb" -D "$pg_dir" -A trust -U postgres >/dev/null
  pg_run "$pg_bin/pg_ctl" -D "$pg_dir" -w -l "$pg_dir/server.log" \
    -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1" start >/dev/null
  pg_url="jdbc:postgresql://127.0.0.1:$pg_port/postgres?user=postgres"
  log "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on port $pg_port"
elif ! skipped sync-pg; then
  log "no PostgreSQL server could be installed: the external-ledger steps are skipped"
fi

log "unpacking the embedded PostgreSQL once (untimed)"
# the demo creates a ledger (a status on a folder without one is a configuration error, exit 3)
java -jar "$jar" --data-dir "$run/pg-warmup" demo >"$run/pg-warmup.log" 2>&1 || { cat "$run/pg-warmup.log" >&2; exit 1; }
rm -rf "$run/pg-warmup"
log "warming the page cache"
find "$ds" -type f -exec cat {} + >/dev/null
[[ -f "$big" ]] && cat "$big" >/dev/null

rconf=$run/rclone.conf
printf '[az]\ntype = azureblob\nuse_emulator = true\nendpoint = http://127.0.0.1:%s/devstoreaccount1\n' "$az_port" >"$rconf"

# ------------------------------------------------------------------------------------------- timing
cpu() { [[ -n "$1" ]] && python3 "$scripts/procmon.py" cpu "$1" || echo 0; }
load1() { cut -d' ' -f1 /proc/loadavg; }
WAITED=0
wait_load() {
  local waited=0 l
  while :; do
    l=$(load1)
    awk -v l="$l" -v m="$LOAD_MAX" 'BEGIN{exit !(l < m)}' && break
    if (( waited >= LOAD_WAIT_S )); then log "   load $l still >= $LOAD_MAX after ${waited}s: measuring anyway"; break; fi
    log "   load $l >= $LOAD_MAX, waiting (${waited}s so far)"
    sleep "$LOAD_POLL_S"; waited=$((waited + LOAD_POLL_S))
  done
  WAITED=$waited
}

# step NAME MATCH -- CMD...   Runs CMD (an executable) under /usr/bin/time -v after waiting for the load;
#   procmon samples the JVM (its child) and every process whose command line contains MATCH (PostgreSQL).
step() {
  local name=$1 match=$2; shift 3
  if skipped "$name"; then log "-- $name (skipped)"; return 0; fi
  log "-- $name"
  wait_load
  local l0 a0 s0 t0 t1 rc=0 tp jp= mp=
  l0=$(cat /proc/loadavg); a0=$(cpu "$azurite_pid"); s0=$(cpu "$measured_serve_pid")
  t0=$(date +%s.%N)
  /usr/bin/time -v -o "$run/$name.time" "$@" >"$run/$name.out" 2>"$run/$name.err" &
  tp=$!
  for _ in $(seq 1 200); do jp=$(pgrep -P "$tp" | head -1 || true); [[ -n "$jp" ]] && break; sleep 0.05; done
  if [[ -n "$jp" ]]; then
    python3 "$scripts/procmon.py" monitor --pid "$jp" --out "$run/$name.mon.json" ${match:+--match "$match"} &
    mp=$!
  fi
  wait "$tp" || rc=$?
  t1=$(date +%s.%N)
  [[ -z "$mp" ]] || wait "$mp" 2>/dev/null || true
  kill -0 "$azurite_pid" || { echo "Azurite died during $name" >&2; exit 1; }
  python3 "$scripts/report.py" step --run "$run" --name "$name" --rc "$rc" --t0 "$t0" --t1 "$t1" \
    --azurite-cpu "$a0" "$(cpu "$azurite_pid")" --serve-cpu "$s0" "$(cpu "$measured_serve_pid")" \
    --load-before "$l0" --load-after "$(cat /proc/loadavg)" --load-wait "$WAITED" >>"$steps"
  [[ $rc == 0 ]] || log "   $name exited with $rc (see $run/$name.err)"
  return 0
}

syncenv() {  # syncenv CONTAINER DATADIR [JDBC_URL] -> SENV, an `env ...` prefix as docs/configuration.md describes
  SENV=(env VSRX_SYNC_VSRX_URL="$vsrx_url" VSRX_SYNC_VSRX_TOKEN="$TOKEN" VSRX_SYNC_DATA_DIR="$2"
        VSRX_SYNC_AZURE_CONNECTION_STRING="$AZ_CONN" VSRX_SYNC_AZURE_CONTAINER="$1")
  [[ -z "${3:-}" ]] || SENV+=(VSRX_SYNC_JDBC_URL="$3")
}
RAW_OPTS=(-Xmx2g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn)

step raw "" -- java "${RAW_OPTS[@]}" -cp "$bjar" com.silknote.sync.benchmarks.RawUpload --dir "$ds" \
  --container raw-a --threads "$RAW_THREADS"
step raw-noop "" -- java "${RAW_OPTS[@]}" -cp "$bjar" com.silknote.sync.benchmarks.RawUpload --dir "$ds" \
  --container raw-a --noop

step raw-relay "" -- env VSRX_URL="$vsrx_url" VSRX_TOKEN="$TOKEN" java "${RAW_OPTS[@]}" -cp "$bjar" \
  com.silknote.sync.benchmarks.RawRelay --container relay-r --threads "$RAW_THREADS"

sdata=$run/sync-data
syncenv sync-b "$sdata"
step sync "$sdata/postgres" -- "${SENV[@]}" java $SYNC_JAVA_OPTS -jar "$jar" sync --json --no-progress
step sync-noop "$sdata/postgres" -- "${SENV[@]}" java $SYNC_JAVA_OPTS -jar "$jar" sync --json --no-progress

if [[ -n "$pg_url" ]]; then
  syncenv sync-c "$run/sync-pg-data" "$pg_url"
  step sync-pg "$pg_dir" -- "${SENV[@]}" java $SYNC_JAVA_OPTS -jar "$jar" sync --json --no-progress
  step sync-pg-noop "$pg_dir" -- "${SENV[@]}" java $SYNC_JAVA_OPTS -jar "$jar" sync --json --no-progress
fi

ndata=$run/sync-noproc-data
step sync-noproc "$ndata/postgres" -- env VSRX_URL="$vsrx_url" VSRX_TOKEN="$TOKEN" CONTAINER=sync-d \
  DATA_DIR="$ndata" java $SYNC_JAVA_OPTS -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$bjar" \
  com.silknote.sync.benchmarks.SyncWithoutProcessing

if [[ $have_rclone == 1 ]]; then
  RC=(rclone --config "$rconf" -q --exclude /manifest.json)
  step rclone "" -- "${RC[@]}" copy --transfers "$RCLONE_TRANSFERS" "$ds" az:rclone-c
  step rclone-noop "" -- "${RC[@]}" copy --transfers "$RCLONE_TRANSFERS" "$ds" az:rclone-c
  step rclone-noop-fastlist "" -- "${RC[@]}" copy --fast-list --transfers "$RCLONE_TRANSFERS" "$ds" az:rclone-c
else
  log "rclone is not installed: its steps are left out"
fi

if [[ -d "$sdata" ]]; then
  # as an operator runs it: the ./vsrx-sync launcher (short-lived JVM options, the CDS archive); one untimed
  # run first writes the archive after the build
  "$repo/vsrx-sync" --data-dir "$sdata" status >/dev/null 2>&1 || true
  for i in $(seq 1 "$STATUS_RUNS"); do
    step "status-$i" "$sdata/postgres" -- "$repo/vsrx-sync" --data-dir "$sdata" status
  done
fi

# shellcheck disable=SC2086
step diff "" -- java -Xms3g -Xmx3g -cp "$bjar" com.silknote.sync.benchmarks.DiffCpuTime $DIFF_ARGS --json

if ! skipped large-file; then
  start_serve "$heapsrc" "$run/serve-vsrx-heap.log"; heap_serve_pid=$SERVE_PID; measured_serve_pid=$SERVE_PID
  main_url=$vsrx_url; vsrx_url=$SERVE_URL
  syncenv heap-e "$run/large-file-data"
  vsrx_url=$main_url
  step large-file "$run/large-file-data/postgres" -- "${SENV[@]}" VSRX_SYNC_MAX_FILE_SIZE_BYTES=$((large_bytes + (1 << 20))) \
    java $LARGE_FILE_HEAP -Xlog:gc:file="$run/large-file.gc.log" -jar "$jar" sync --json --no-progress
fi

# ------------------------------------------------------------------------------------------- report
log "writing $OUT_DIR/benchmarks.json and $OUT_DIR/benchmarks.md"
mkdir -p "$OUT_DIR"
python3 "$scripts/report.py" render --run "$run" --manifest "$ds/manifest.json" --out "$OUT_DIR" \
  --preset "$preset" --commit "$commit" --large-file-bytes "$large_bytes" --large-file-heap="$LARGE_FILE_HEAP" \
  --raw-threads "$RAW_THREADS" --rclone-transfers "$RCLONE_TRANSFERS" --load-max "$LOAD_MAX" \
  --command "benchmarks/run.sh $preset"
cat "$OUT_DIR/benchmarks.json"
