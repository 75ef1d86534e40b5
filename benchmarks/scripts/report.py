#!/usr/bin/env python3
"""Records and reports of benchmarks/run.sh (standard library only).

  report.py step --run DIR --name NAME --rc RC --t0 T --t1 T --azurite-cpu A0 A1 --serve-cpu S0 S1
                 --load-before "LOADAVG" --load-after "LOADAVG" --load-wait SECONDS
      One JSON line for a finished step, from DIR/NAME.{out,err,time,mon.json} (and DIR/NAME.gc.log).
  report.py render --run DIR --manifest FILE --out DIR --preset P --commit C --command CMD [options]
      DIR/steps.jsonl -> OUT/benchmarks.json and OUT/benchmarks.md.
  report.py placeholder --out DIR
      The same two files with every number "not yet measured" (before the first run on a quiet machine).
"""
import argparse, datetime, json, os, platform, re, statistics, subprocess, sys

NOT_MEASURED = "not yet measured"

# (key, what, target text, check(value) -> bool or None)
TARGETS = [
    ("initial_vs_raw_ratio", "initial sync (CLI, embedded ledger) vs the raw SDK upload, throughput ratio",
     ">= 0.9", lambda v: v >= 0.9),
    ("initial_pg_vs_raw_ratio", "initial sync (CLI, external PostgreSQL) vs the raw SDK upload",
     ">= 0.9", lambda v: v >= 0.9),
    ("initial_vs_rclone_ratio", "initial sync (CLI, embedded ledger) vs `rclone copy`", ">= 2", lambda v: v >= 2),
    ("noproc_vs_raw_ratio", "initial sync without document processing vs the raw SDK upload", ">= 0.9",
     lambda v: v >= 0.9),
    ("initial_vs_relay_ratio", "initial sync (CLI, embedded ledger) vs the raw relay over `/v1` (download + raw "
     "upload, no ledger: the floor through the VSRX protocol)", "none (the limit, stated)", None),
    ("relay_vs_raw_ratio", "raw relay over `/v1` vs the raw SDK upload (what the protocol's download costs)",
     "none (the limit, stated)", None),
    ("noop_downloads", "files downloaded by the no-op re-run", "0", lambda v: v == 0),
    ("noop_vs_raw_ratio", "raw list-and-compare time / no-op sync time (whole commands)", ">= 1",
     lambda v: v >= 1),
    ("noop_vs_rclone_fastlist_ratio", "`rclone copy --fast-list` no-op time / no-op sync time", ">= 1",
     lambda v: v >= 1),
    ("diff_1m_ms", "DiffEngine.plan of 1,000,000 unchanged files, median wall ms (GC included)", "<= 500",
     lambda v: v <= 500),
    ("large_file_heap_mb", "largest heap after a GC while the CLI syncs the large file (MiB)",
     "completes at -Xmx128m", None),
    ("azurite_cpu_vs_raw_ratio", "Azurite CPU during the initial sync / during the raw upload", "<= 1.1",
     lambda v: v <= 1.1),
    ("status_ms", "`vsrx-sync status` on the embedded ledger, median wall ms", "<= 1000", lambda v: v <= 1000),
]


def lastjson(path):
    try:
        txt = open(path).read()
    except OSError:
        return None
    try:
        return json.loads(txt)
    except ValueError:
        for line in reversed(txt.strip().splitlines()):
            if line.startswith("{"):
                try:
                    return json.loads(line)
                except ValueError:
                    pass
    return None


def cmd_step(argv):
    ap = argparse.ArgumentParser()
    for a in ("--run", "--name", "--rc", "--t0", "--t1", "--load-before", "--load-after", "--load-wait"):
        ap.add_argument(a, required=True)
    ap.add_argument("--azurite-cpu", nargs=2, type=float, required=True)
    ap.add_argument("--serve-cpu", nargs=2, type=float, required=True)
    a = ap.parse_args(argv)
    base = os.path.join(a.run, a.name)
    r = dict(name=a.name, rc=int(a.rc), wall_s=round(float(a.t1) - float(a.t0), 3),
             azurite_cpu_s=round(a.azurite_cpu[1] - a.azurite_cpu[0], 2),
             serve_vsrx_cpu_s=round(a.serve_cpu[1] - a.serve_cpu[0], 2),
             load_before=float(a.load_before.split()[0]), load_after=float(a.load_after.split()[0]),
             load_wait_s=int(a.load_wait))
    out = lastjson(base + ".out")
    if out is not None:
        if "filesets" in out:           # a vsrx-sync report: totals, metrics and downloads, not every file
            files = [f for fs in out["filesets"] for f in fs.get("files", [])]
            r["tool"] = dict(success=out.get("success"), totals=out.get("totals"), metrics=out.get("metrics"),
                             downloads=sum(1 for f in files if (f.get("bytes") or 0) > 0),
                             filesets_not_completed=sum(1 for f in out["filesets"] if f.get("outcome") != "COMPLETED"))
        else:
            r["tool"] = out
    try:
        err = open(base + ".err").read()
        r["oom"] = "OutOfMemoryError" in err
        r["err_tail"] = [l[:300] for l in err.strip().splitlines()
                         if any(w in l for w in (" WARN ", " ERROR ", "Exception", "Error:"))][-3:]
    except OSError:
        pass
    try:
        t = open(base + ".time").read()
        g = lambda k: re.search(re.escape(k) + r":\s*(\S+)", t)
        r["peak_rss_mib"] = round(int(g("Maximum resident set size (kbytes)").group(1)) / 1024)
        r["cpu_user_s"] = float(g("User time (seconds)").group(1))
        r["cpu_sys_s"] = float(g("System time (seconds)").group(1))
    except (OSError, AttributeError):
        pass
    try:
        m = json.load(open(base + ".mon.json"))
        r["jvm_cpu_s"] = m.get("jvm_cpu_s")
        r["postgres_cpu_s"] = m.get("matched_cpu_s")
        r["jvm_threads_cpu_s"] = dict(list((m.get("jvm_threads_cpu_s") or {}).items())[:8])
    except (OSError, ValueError):
        pass
    try:
        gc = open(base + ".gc.log").read()
        after = [int(x) for x in re.findall(r"->(\d+)M\(\d+M\)", gc)]
        r["gc_count"] = len(after)
        r["max_heap_after_gc_mib"] = max(after) if after else None
    except OSError:
        pass
    print(json.dumps(r))


def machine():
    def first(path, key):
        try:
            for line in open(path):
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
        except OSError:
            return None
    def version(cmd):
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
            return (p.stdout + p.stderr).strip().splitlines()[0]
        except Exception:
            return None
    mem = first("/proc/meminfo", "MemTotal")
    return dict(cpus=os.cpu_count(), cpu_model=first("/proc/cpuinfo", "model name"),
                memory_gib=round(int(mem.split()[0]) / 2**20, 1) if mem else None,
                kernel=platform.release(), java=version(["java", "-version"]),
                node=version(["node", "--version"]), rclone=version(["rclone", "version"]))


def ratio(a, b, nd=2):
    return round(a / b, nd) if a is not None and b else None


def results(run, manifest, args):
    steps = {}
    for line in open(os.path.join(run, "steps.jsonl")):
        s = json.loads(line)
        steps[s["name"]] = s
    m = json.load(open(manifest))
    nbytes = m["totals"]["bytes"]

    def g(name, *path):
        v = steps.get(name)
        for p in path:
            v = v.get(p) if isinstance(v, dict) else None
        return v

    def ok(name):
        return steps.get(name) is not None and steps[name]["rc"] == 0

    def wall(name):
        return g(name, "wall_s") if ok(name) else None

    def mbps(name):
        w = wall(name)
        return round(nbytes / 1e6 / w, 1) if w else None

    status = [wall(n) for n in steps if n.startswith("status-") and wall(n) is not None]
    large = steps.get("large-file") or {}
    r = dict(
        measured=True, preset=args.preset, commit=args.commit, command=args.command,
        date=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), machine=machine(),
        load_max=float(args.load_max),
        quiet=all(s["load_before"] < float(args.load_max) for s in steps.values()),
        dataset=dict(files=m["totals"]["files"], bytes=nbytes, filesets=m["totals"]["filesets"],
                     duplicates=m["totals"]["duplicates"]),
        raw_threads=int(args.raw_threads), rclone_transfers=int(args.rclone_transfers),
        initial_vs_raw_ratio=ratio(wall("raw"), wall("sync")),
        initial_pg_vs_raw_ratio=ratio(wall("raw"), wall("sync-pg")),
        initial_vs_rclone_ratio=ratio(wall("rclone"), wall("sync")),
        noproc_vs_raw_ratio=ratio(wall("raw"), wall("sync-noproc")),
        initial_vs_relay_ratio=ratio(wall("raw-relay"), wall("sync")),
        relay_vs_raw_ratio=ratio(wall("raw"), wall("raw-relay")),
        noop_downloads=g("sync-noop", "tool", "downloads") if ok("sync-noop") else None,
        noop_pg_downloads=g("sync-pg-noop", "tool", "downloads") if ok("sync-pg-noop") else None,
        noop_vs_raw_ratio=ratio(wall("raw-noop"), wall("sync-noop")),
        noop_run_vs_raw_tool_ratio=ratio(g("raw-noop", "tool", "seconds"),
                                         (g("sync-noop", "tool", "metrics", "durationMs") or 0) / 1000),
        noop_vs_rclone_ratio=ratio(wall("rclone-noop"), wall("sync-noop")),
        noop_vs_rclone_fastlist_ratio=ratio(wall("rclone-noop-fastlist"), wall("sync-noop")),
        diff_1m_ms=g("diff", "tool", "diff_1m_ms") if ok("diff") else None,
        large_file_bytes=int(args.large_file_bytes), large_file_heap=args.large_file_heap,
        large_file_ok=large.get("rc") == 0 and not large.get("oom") if large else None,
        large_file_heap_mb=large.get("max_heap_after_gc_mib") if large.get("rc") == 0 else None,
        large_file_peak_rss_mib=large.get("peak_rss_mib"),
        azurite_cpu_vs_raw_ratio=ratio(g("sync", "azurite_cpu_s"), g("raw", "azurite_cpu_s")),
        status_ms=round(statistics.median(status) * 1000) if status else None,
        throughput_mb_per_s={n: mbps(n) for n in ("raw", "raw-relay", "sync", "sync-pg", "sync-noproc", "rclone")},
        steps=steps,
    )
    return r


def fmt(v, unit="", missing=NOT_MEASURED):
    if v is None:
        return missing
    if isinstance(v, float):
        v = f"{v:.2f}".rstrip("0").rstrip(".") if abs(v) < 100 else f"{v:.0f}"
    return f"{v}{unit}"


def verdict(key, v, r):
    if v is None:
        return NOT_MEASURED
    check = next(t[3] for t in TARGETS if t[0] == key)
    if check is None and key != "large_file_heap_mb":
        return "for information"
    if key == "large_file_heap_mb":
        ok = r.get("large_file_ok")
    else:
        ok = check(v)
    word = "pass" if ok else "**FAIL**"
    return word if r.get("quiet") else word + " (loaded machine)"


STEP_TEXT = [
    ("raw", "raw SDK upload (RawUpload, %(raw_threads)s files in flight)"),
    ("raw-noop", "raw list-and-compare (RawUpload --noop)"),
    ("raw-relay", "raw relay: download over `/v1` from `serve-vsrx --folder`, raw SDK upload (RawRelay, "
                  "%(raw_threads)s files in flight)"),
    ("sync", "`vsrx-sync sync`, embedded PostgreSQL, over `serve-vsrx --folder`"),
    ("sync-noop", "the same, nothing changed"),
    ("sync-pg", "`vsrx-sync sync`, external PostgreSQL"),
    ("sync-pg-noop", "the same, nothing changed"),
    ("sync-noproc", "library wiring, processor that only counts (SyncWithoutProcessing)"),
    ("rclone", "`rclone copy` (%(rclone_transfers)s transfers)"),
    ("rclone-noop", "`rclone copy` again, nothing changed"),
    ("rclone-noop-fastlist", "the same with `--fast-list`"),
    ("status-1", "`vsrx-sync status` (first of several)"),
    ("diff", "DiffCpuTime: plan of 1,000,000 files"),
    ("large-file", "`vsrx-sync sync` of one large file at a small heap"),
]


def markdown(r):
    measured = r.get("measured")
    L = []
    L.append("# Benchmarks")
    L.append("")
    L.append("<!-- Written by benchmarks/run.sh (scripts/report.py) down to the hand-written part at the end; "
             "edit those, not this part. -->")
    L.append("")
    L.append("How fast vsrx-sync is against the targets of issue 12, measured side by side with its baselines in "
             "one run on one fresh Azurite, by one command. Numbers are never asserted in unit tests; only "
             "ratios within one run are compared.")
    L.append("")
    L.append("```sh")
    L.append("benchmarks/run.sh medium        # the measurement: 10,000 files in 200 filesets, about 3.3 GB")
    L.append("benchmarks/run.sh tiny          # smoke test of the command: 200 files")
    L.append("```")
    L.append("")
    L.append("It needs Java 17, Maven, node/npm and python3, and installs what else is missing (Azurite with npm "
             "into `.ci/.cache/azurite`; rclone, a PostgreSQL server and GNU time with apt). Before every timed "
             "step it waits until the 1-minute load average is below `LOAD_MAX` (2.0), for at most "
             "`LOAD_WAIT_S` (2400 s), then measures anyway and says so. The header of `benchmarks/run.sh` lists "
             "every step and option. Earlier measurements with the previous harness (on a loaded machine) are "
             "in [benchmarks-2026-11-25.md](benchmarks-2026-11-25.md); the start-up of read-only commands, "
             "before and after, in [startup.md](startup.md).")
    L.append("")
    L.append("## Summary")
    L.append("")
    if not measured:
        L.append(f"**{NOT_MEASURED}.** Run `benchmarks/run.sh medium` on a quiet machine of the reference kind "
                 "(2 vCPU, 24 GiB); it replaces this file.")
        L.append("")
    L.append("| target | measured | required | verdict |")
    L.append("|---|---:|---|---|")
    for key, what, req, _ in TARGETS:
        v = r.get(key)
        L.append(f"| {what} (`{key}`) | {fmt(v)} | {req} | {verdict(key, v, r)} |")
    L.append("")
    L.append("## Run")
    L.append("")
    if measured:
        mc = r["machine"]
        ds = r["dataset"]
        L.append(f"- Date: {r['date']}; command `{r['command']}`; code: commit `{r['commit']}`.")
        L.append(f"- Machine: {mc.get('cpus')} CPUs ({mc.get('cpu_model')}), {mc.get('memory_gib')} GiB, Linux "
                 f"{mc.get('kernel')}; {mc.get('java')}; node {mc.get('node')}; {mc.get('rclone') or 'no rclone'}.")
        L.append(f"- Data set `{r['preset']}`: {ds['files']} files in {ds['filesets']} filesets, "
                 f"{ds['bytes'] / 1e6:.1f} MB, {ds['duplicates']} duplicates (scripts/gen_dataset.py, fixed seed).")
        L.append(f"- Load: every step started below {r['load_max']}: {'yes' if r['quiet'] else '**no**'} "
                 "(per step below). Verdicts from a loaded machine are marked so and are not results.")
        L.append(f"- Large file: {r['large_file_bytes']} bytes at `{r['large_file_heap']}`; completed without "
                 f"running out of memory: {r.get('large_file_ok')}; peak RSS "
                 f"{fmt(r.get('large_file_peak_rss_mib'), ' MiB', missing='–')}.")
        L.append("")
        L.append("| step | what | wall s | MB/s | JVM CPU s | Azurite CPU s | VSRX server CPU s | PostgreSQL CPU s "
                 "| peak RSS MiB | load before → after | exit |")
        L.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|")
        texts = dict(STEP_TEXT)
        for name, s in r["steps"].items():
            what = texts.get(name, "`vsrx-sync status`" if name.startswith("status-") else name) % r
            na = dict(missing="–")
            L.append(f"| {name} | {what} | {fmt(s.get('wall_s'), **na)} | "
                     f"{fmt(r['throughput_mb_per_s'].get(name), **na)} | {fmt(s.get('jvm_cpu_s'), **na)} | "
                     f"{fmt(s.get('azurite_cpu_s'), **na)} | {fmt(s.get('serve_vsrx_cpu_s'), **na)} | "
                     f"{fmt(s.get('postgres_cpu_s'), **na)} | {fmt(s.get('peak_rss_mib'), **na)} | "
                     f"{s['load_before']} → {s['load_after']} | {s['rc']} |")
    else:
        L.append(f"{NOT_MEASURED}: machine, date, load, commit, command and the per-step table (wall time, "
                 "throughput, CPU of the JVM, Azurite, the VSRX server and PostgreSQL, peak RSS, load) appear here.")
    L.append("")
    L.append("## Definitions")
    L.append("")
    L.append("- Throughput ratios compare whole commands on the same bytes: `raw wall time / sync wall time` "
             "(JVM and database start included on both sides). `initial_vs_rclone_ratio` likewise with `rclone copy`.")
    L.append("- `initial_vs_relay_ratio` = raw relay wall time / sync wall time: RawRelay lists and downloads every "
             "file over `/v1` with the sync's own client (length and `Repr-Digest` checked) and streams it into a "
             "blob with the raw SDK, no ledger: what is left between it and the sync is the sync's own work "
             "(spool, content addressing, ledger, processing). `relay_vs_raw_ratio` = raw / raw relay: the cost of "
             "reading through the protocol instead of the local disk.")
    L.append("- `noop_vs_raw_ratio` = raw list-and-compare wall time / no-op `vsrx-sync sync` wall time; "
             "`noop_run_vs_raw_tool_ratio` the same inside the processes (the raw tool's time / the run's "
             "`durationMs`). `noop_downloads` counts files the no-op run downloaded (report entries with bytes).")
    L.append("- `azurite_cpu_vs_raw_ratio`: Azurite's CPU time during the initial sync / during the raw upload of "
             "the same files (the emulator is single-threaded: its work per file bounds both).")
    L.append("- `large_file_heap_mb`: the largest heap occupancy right after a collection (`-Xlog:gc`) while the "
             "command line syncs one large PDF, stand-in processor included, at the stated `-Xmx`.")
    L.append("- `diff_1m_ms`: median wall time of `DiffEngine.plan` over 1,000,000 unchanged listed files in one "
             "fileset, after warm-up, GC pauses included (DiffCpuTime; the JMH variant is `DiffBenchmark`).")
    L.append("- `status_ms`: median wall time of `./vsrx-sync status`, the launcher an operator runs (JVM start with its short-lived options and CDS archive, embedded PostgreSQL start, the read, the stop).")
    L.append("")
    return "\n".join(L)


KEPT = "<!-- Hand-written below this line: scripts/report.py keeps it when it rewrites the file. -->"


def kept(path):
    """The hand-written part of an existing benchmarks.md (from the KEPT marker on), or ''."""
    try:
        txt = open(path).read()
    except OSError:
        return ""
    i = txt.find(KEPT)
    return txt[i:] if i >= 0 else ""


def write(out, r):
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "benchmarks.json"), "w") as f:
        json.dump(r, f, indent=1)
        f.write("\n")
    md = os.path.join(out, "benchmarks.md")
    tail = kept(md)
    with open(md, "w") as f:
        f.write(markdown(r))
        if tail:
            f.write("\n" + tail)


def cmd_render(argv):
    ap = argparse.ArgumentParser()
    for a in ("--run", "--manifest", "--out", "--preset", "--commit", "--command", "--large-file-bytes",
              "--large-file-heap", "--raw-threads", "--rclone-transfers", "--load-max"):
        ap.add_argument(a, required=True)
    a = ap.parse_args(argv)
    write(a.out, results(a.run, a.manifest, a))


def cmd_placeholder(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    a = ap.parse_args(argv)
    r = dict(measured=False, note=NOT_MEASURED + ": run benchmarks/run.sh medium on a quiet machine",
             machine=NOT_MEASURED, date=NOT_MEASURED)
    for key, *_ in TARGETS:
        r[key] = None
    write(a.out, r)


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in ("step", "render", "placeholder"):
        sys.exit(__doc__)
    {"step": cmd_step, "render": cmd_render, "placeholder": cmd_placeholder}[sys.argv[1]](sys.argv[2:])
