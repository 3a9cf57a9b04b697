#!/usr/bin/env python3
"""Joins result TSVs of scripts/bench-convergence and keeps, per (family, K, N, DUT), the run with the median
time (the lower middle one of an even count), with the spread of time and DUT CPU over the runs.

    Benchmarks/Convergence/summarize.py OUT.tsv RESULTS.tsv [RESULTS.tsv ...]

OUT gets the chosen rows plus the columns runs, seconds_min, seconds_max, cpu_min, cpu_max; OUT with "-runs"
before ".tsv" gets every row read, so the choice can be checked.
"""
import csv
import sys


def seconds(r):
    try:
        return float(r["seconds"])
    except (TypeError, ValueError):
        return float("inf")


def main():
    out, paths = sys.argv[1], sys.argv[2:]
    groups, every, fields = {}, [], []
    for path in paths:
        with open(path) as f:
            reader = csv.DictReader(f, delimiter="\t")
            for name in reader.fieldnames:
                if name not in fields:
                    fields.append(name)
            for r in reader:
                every.append(r)
                groups.setdefault((r["family"], int(r["K"]), int(r["N"]), r["dut"]), []).append(r)
    extra = ["runs", "seconds_min", "seconds_max", "cpu_min", "cpu_max"]
    order = {"self": 0, "ours": 1, "bird": 2, "frr": 3, "gobgp": 4}
    with open(out, "w") as f:
        w = csv.DictWriter(f, fieldnames=fields + extra, delimiter="\t", restval="-", lineterminator="\n")
        w.writeheader()
        for key in sorted(groups, key=lambda k: (k[0] != "vpnv4", k[1] * k[2], k[1], order.get(k[3], 9))):
            rows = sorted(groups[key], key=seconds)
            chosen = dict(rows[(len(rows) - 1) // 2])
            times = [seconds(r) for r in rows if seconds(r) != float("inf")]
            cpus = []
            for r in rows:
                try:
                    cpus.append(float(r["dut_cpu_s"]))
                except (TypeError, ValueError):
                    pass
            chosen["runs"] = len(rows)
            chosen["seconds_min"] = f"{min(times):.3f}" if times else "-"
            chosen["seconds_max"] = f"{max(times):.3f}" if times else "-"
            chosen["cpu_min"] = f"{min(cpus):.2f}" if cpus else "-"
            chosen["cpu_max"] = f"{max(cpus):.2f}" if cpus else "-"
            w.writerow({k: (v if v not in (None, "") else "-") for k, v in chosen.items()})
    with open(out.replace(".tsv", "-runs.tsv"), "w") as f:
        w = csv.DictWriter(f, fieldnames=fields, delimiter="\t", restval="-", lineterminator="\n")
        w.writeheader()
        for r in every:
            w.writerow({k: (v if v not in (None, "") else "-") for k, v in r.items()})


if __name__ == "__main__":
    main()
