#!/usr/bin/env python3
"""Summarise PIT reports: score per class, and every surviving mutant as a Markdown table row.

    scripts/pit-survivors.py [--classes REGEX] [--survivors] mutations.xml [mutations.xml ...]

Several reports (of narrowed runs on the same code) are merged mutant by mutant: a mutant is identified by
class, method, method descriptor, line, mutator and instruction indexes, and counts as killed when any report
has it detected (KILLED, TIMED_OUT, MEMORY_ERROR, RUN_ERROR, as PIT counts them). Mutants a report did not
reach (NO_COVERAGE) count as survivors unless another report killed them. A mutant counted only by RUN_ERROR is
named on standard error: PIT reports every covered mutant so when its test process cannot start (for example
when the test classes are recompiled under a running analysis), and such a report should be run again.

With --survivors, each surviving mutant is printed as a row `| id | method | line | mutator | description |
verdict |` whose verdict is left empty, for docs/mutation/*.md, where every engine survivor gets either the test
that kills it or a line saying why it is equivalent.
"""
import argparse
import re
import sys
import xml.etree.ElementTree as ET
from collections import OrderedDict

DETECTED = {"KILLED", "TIMED_OUT", "MEMORY_ERROR", "RUN_ERROR"}
RANK = ["KILLED", "TIMED_OUT", "MEMORY_ERROR", "RUN_ERROR", "SURVIVED", "NO_COVERAGE", "NON_VIABLE", "STARTED",
        "NOT_STARTED"]   # when reports disagree, the first of these statuses stands


def rank(status):
    return RANK.index(status) if status in RANK else len(RANK)


def mutants(path):
    for m in ET.parse(path).getroot().iter("mutation"):
        def t(tag):
            e = m.find(tag)
            return e.text if e is not None and e.text is not None else ""
        idx = ",".join(i.text for i in m.iter("index"))
        key = (t("mutatedClass"), t("mutatedMethod"), t("methodDescription"), t("lineNumber"),
               t("mutator"), idx)
        yield key, m.get("status"), t("description")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--classes", default=".*", help="regular expression on the mutated class (outer class)")
    ap.add_argument("--survivors", action="store_true")
    ap.add_argument("reports", nargs="+")
    a = ap.parse_args()
    want = re.compile(a.classes)
    merged = OrderedDict()
    for r in a.reports:
        for key, status, desc in mutants(r):
            outer = key[0].split("$")[0]
            if not want.search(outer):
                continue
            prev = merged.get(key)
            if prev is None or rank(status) < rank(prev[1]):
                merged[key] = (status in DETECTED, status, desc)
    run_errors = sum(1 for killed, status, _ in merged.values() if status == "RUN_ERROR")
    if run_errors:
        print(f"warning: {run_errors} mutants count as killed only by RUN_ERROR (PIT could not run their tests)",
              file=sys.stderr)
    per = OrderedDict()
    for key, (killed, status, desc) in merged.items():
        c = per.setdefault(key[0].split("$")[0], [0, 0, []])
        c[0] += 1
        if killed:
            c[1] += 1
        else:
            c[2].append((key, status, desc))
    total = [0, 0]
    print("| class | mutants | killed | score |\n|---|---:|---:|---:|")
    for cls, (n, k, _) in sorted(per.items()):
        total[0] += n
        total[1] += k
        print(f"| `{cls.rsplit('.', 1)[-1]}` | {n} | {k} | {100 * k // n if n else 0} % |")
    if total[0]:
        print(f"| **together** | **{total[0]}** | **{total[1]}** | **{100 * total[1] / total[0]:.1f} %** |")
    if a.survivors:
        for cls, (n, k, surv) in sorted(per.items()):
            if not surv:
                continue
            print(f"\n### `{cls.rsplit('.', 1)[-1]}` ({len(surv)} of {n} survive)\n")
            print("| id | method | line | mutator | description | verdict |\n|---|---|---:|---|---|---|")
            for key, status, desc in sorted(surv, key=lambda s: (int(s[0][3] or 0), s[0][1], s[0][4], s[0][5])):
                inner = key[0].split("$", 1)[1] + "." if "$" in key[0] else ""
                mut = key[4].rsplit(".", 1)[-1].replace("Mutator", "")
                sid = f"{cls.rsplit('.', 1)[-1]}:{key[3]}:{mut}:{key[5]}"
                note = " (no test reaches it)" if status == "NO_COVERAGE" else ""
                print(f"| `{sid}` | `{inner}{key[1]}` | {key[3]} | {mut} | {desc}{note} |  |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
