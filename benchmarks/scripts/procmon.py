#!/usr/bin/env python3
"""Process CPU helpers for benchmarks/run.sh (Linux /proc only, no dependencies).

  procmon.py cpu PID                       utime+stime of PID in seconds (one number; 0 if gone)
  procmon.py monitor --pid PID --out F.json [--match SUBSTR] [--interval 1] [--top-at 30,90,150 --top-prefix P]
      Samples until PID exits: PID's CPU, its threads' CPU (by thread name, digits collapsed to #), and the
      CPU and RSS of every process whose command line contains SUBSTR plus their descendants (the embedded
      PostgreSQL: the postmaster carries its data dir, backends are its children). CPU of processes that
      exit is kept at its last sample (so up to one interval is lost per process). At each --top-at offset
      (seconds after start) writes `top -H` for PID (second frame of two, 1 s apart) to P-<offset>s.txt.
"""
import json, os, re, subprocess, sys, time
from collections import defaultdict

HZ = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def stat(path):
    """(comm, ppid, cpu ticks, rss pages) from a /proc/.../stat file, or None."""
    try:
        with open(path) as f:
            s = f.read()
    except OSError:
        return None
    l, r = s.index("("), s.rindex(")")
    rest = s[r + 2:].split()
    # rest[0] = state (field 3); utime = field 14, stime = 15, rss = 24
    return s[l + 1:r], int(rest[1]), int(rest[11]) + int(rest[12]), int(rest[21])


def cmd_cpu(pid):
    st = stat(f"/proc/{pid}/stat")
    print(f"{(st[2] / HZ) if st else 0:.2f}")


def thread_group(name):
    return re.sub(r"\d+", "#", name)


def cmd_monitor(argv):
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--match")
    ap.add_argument("--interval", type=float, default=1.0)
    ap.add_argument("--top-at", default="")
    ap.add_argument("--top-prefix")
    a = ap.parse_args(argv)
    top_at = sorted(float(x) for x in a.top_at.split(",") if x.strip())
    t0 = time.time()
    jvm_cpu = 0
    threads = {}                 # tid -> (name, ticks)
    group = {}                   # pid -> ticks (matched processes and descendants)
    group_rss_peak = 0
    samples = 0
    tops = []
    while True:
        st = stat(f"/proc/{a.pid}/stat")
        if st is None:
            break
        jvm_cpu = st[2]
        try:
            for tid in os.listdir(f"/proc/{a.pid}/task"):
                ts = stat(f"/proc/{a.pid}/task/{tid}/stat")
                if ts:
                    threads[tid] = (ts[0], ts[2])
        except OSError:
            pass
        if a.match:
            procs = {}
            for p in os.listdir("/proc"):
                if p.isdigit():
                    ps = stat(f"/proc/{p}/stat")
                    if ps:
                        procs[int(p)] = ps
            roots = set()
            for p in procs:
                try:
                    with open(f"/proc/{p}/cmdline", "rb") as f:
                        if a.match.encode() in f.read():
                            roots.add(p)
                except OSError:
                    pass
            members, changed = set(roots), True
            while changed:
                changed = False
                for p, ps in procs.items():
                    if p not in members and ps[1] in members:
                        members.add(p); changed = True
            rss = 0
            for p in members:
                group[p] = procs[p][2]
                rss += procs[p][3]
            group_rss_peak = max(group_rss_peak, rss * PAGE)
        samples += 1
        el = time.time() - t0
        if top_at and a.top_prefix and el >= top_at[0]:
            off = top_at.pop(0)
            try:
                out = subprocess.run(["top", "-b", "-n2", "-d1", "-H", "-w", "200", "-p", str(a.pid)],
                                     capture_output=True, text=True, timeout=10).stdout
                frames = out.split("\ntop - ")
                snap = ("top - " + frames[-1]) if len(frames) > 1 else out
                fn = f"{a.top_prefix}-{int(off)}s.txt"
                with open(fn, "w") as f:
                    f.write(snap)
                tops.append(fn)
            except Exception as e:  # a snapshot is best effort
                tops.append(f"failed: {e}")
        time.sleep(a.interval)
    by_name = defaultdict(int)
    for name, ticks in threads.values():
        by_name[thread_group(name)] += ticks
    res = dict(jvm_cpu_s=round(jvm_cpu / HZ, 2),
               jvm_threads_cpu_s={k: round(v / HZ, 2) for k, v in sorted(by_name.items(), key=lambda kv: -kv[1]) if v},
               matched_cpu_s=round(sum(group.values()) / HZ, 2) if a.match else None,
               matched_procs=len(group) if a.match else None,
               matched_peak_rss_mib=round(group_rss_peak / 2**20) if a.match else None,
               samples=samples, seconds=round(time.time() - t0, 1), top_snapshots=tops)
    with open(a.out, "w") as f:
        json.dump(res, f)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    c = sys.argv[1]
    if c == "cpu":
        cmd_cpu(sys.argv[2])
    elif c == "monitor":
        cmd_monitor(sys.argv[2:])
    else:
        sys.exit(__doc__)
