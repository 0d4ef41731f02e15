#!/usr/bin/env python3
"""Compare two `summary.csv` files of the same scenarios (e.g. before and after a change of the
random streams): for every scenario and metric, the difference of the means in standard errors of
the difference, SE = sqrt((sd_a² + sd_b²)/n). Prints the largest and every one above 2.

    python3 scripts/se-compare.py before/summary.csv after/summary.csv
"""
import csv
import math
import sys


def load(path):
    with open(path, newline="") as f:
        return {(r["scenario"], r["metric"]): r for r in csv.DictReader(f)}


def main():
    a, b = load(sys.argv[1]), load(sys.argv[2])
    rows, worst, over = 0, 0.0, []
    for key in sorted(a.keys() & b.keys()):
        ma, mb = float(a[key]["mean"]), float(b[key]["mean"])
        n = int(a[key]["n"])
        se = math.sqrt((float(a[key]["sd"]) ** 2 + float(b[key]["sd"]) ** 2) / n)
        z = abs(ma - mb) / se if se > 0 else (0.0 if ma == mb else math.inf)
        rows += 1
        worst = max(worst, z)
        if z > 2:
            over.append((z, key, ma, mb))
    print(f"{rows} scenario-metrics; largest |difference| / SE = {worst:.2f}")
    for z, (scenario, metric), ma, mb in sorted(over, reverse=True):
        print(f"  {scenario:14} {metric:30} {ma:12.6g} {mb:12.6g}  {z:.2f} SE")
    sys.exit(1 if worst > 3 else 0)


if __name__ == "__main__":
    main()
