#!/usr/bin/env python3
"""Renders convergence results (TSV files of scripts/bench-convergence) as one SVG: per run size, a bar per DUT for
routes/s (log scale) and one for bytes per route. Standard library only.

    Benchmarks/Convergence/plot.py OUT.svg RESULTS.tsv [RESULTS.tsv ...]

Rows of the same DUT, family and size in several files: the last one wins.
"""
import csv
import math
import sys

COLORS = {"ours": "#d9480f", "bird": "#2b8a3e", "frr": "#1971c2", "gobgp": "#7048e8"}
ORDER = ["ours", "bird", "frr", "gobgp"]


def read(paths):
    rows = {}
    for path in paths:
        with open(path) as f:
            for r in csv.DictReader(f, delimiter="\t"):
                if r["dut"] == "self":
                    continue
                rows[(r["family"], int(r["K"]), int(r["N"]), r["dut"])] = r
    return rows


def number(text):
    try:
        return float(text)
    except ValueError:
        return None


def main():
    out, paths = sys.argv[1], sys.argv[2:]
    rows = read(paths)
    groups = sorted({(f, k, n) for (f, k, n, _) in rows}, key=lambda g: (g[0] != "vpnv4", g[1] * g[2], g[1]))
    bar, gap, left, width = 16, 14, 170, 330
    panels = [("routes/s through the reflector (log scale from 1 k)", "routes_per_s", True),
              ("peak RSS growth per route (octets)", "bytes_per_route", False)]
    height = 60 + sum(len([d for d in ORDER if (g + (d,)) in rows]) * bar + gap + 22 for g in groups)
    total_width = left + 2 * (width + 90)
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{total_width}" height="{height}" '
           'font-family="sans-serif" font-size="11">',
           f'<rect width="{total_width}" height="{height}" fill="white"/>']
    for p, (title, _, _) in enumerate(panels):
        x0 = left + p * (width + 90)
        svg.append(f'<text x="{x0}" y="18" font-weight="bold">{title}</text>')
    # One scale per panel over every group, so that sizes compare; routes/s from 1,000 up (log).
    tops = []
    for _, field, _ in panels:
        known = [number(r[field]) for r in rows.values()]
        tops.append(max([v for v in known if v] or [1]))
    y = 40
    for (family, k, n) in groups:
        duts = [d for d in ORDER if (family, k, n, d) in rows]
        svg.append(f'<text x="6" y="{y + 12}" font-weight="bold">{family} {k}×{n:,}</text>')
        y += 18
        for p, (_, field, log) in enumerate(panels):
            x0 = left + p * (width + 90)
            values = [number(rows[(family, k, n, d)][field]) for d in duts]
            top = tops[p]
            for i, (d, v) in enumerate(zip(duts, values)):
                yy = y + i * bar
                if p == 0:
                    svg.append(f'<text x="{left - 8}" y="{yy + 11}" text-anchor="end">{d}</text>')
                status = rows[(family, k, n, d)]["status"]
                if not v:
                    svg.append(f'<text x="{x0 + 4}" y="{yy + 11}">{status if status != "ok" else "-"}</text>')
                    continue
                if log:
                    w = width * max(math.log10(max(v, 1)) - 3, 0) / max(math.log10(top) - 3, 1)
                    label = f"{v / 1e6:.2f} M" if v >= 1e6 else f"{v / 1e3:.0f} k"
                else:
                    w = width * v / top
                    label = f"{v:.0f}"
                if status != "ok":
                    label += f" ({status})"
                svg.append(f'<rect x="{x0}" y="{yy + 2}" width="{max(w, 1):.1f}" height="{bar - 4}" '
                           f'fill="{COLORS.get(d, "#868e96")}"/>')
                svg.append(f'<text x="{x0 + w + 4:.1f}" y="{yy + 11}">{label}</text>')
        y += len(duts) * bar + gap
    svg.append("</svg>")
    with open(out, "w") as f:
        f.write("\n".join(svg) + "\n")


if __name__ == "__main__":
    main()
