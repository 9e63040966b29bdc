#!/usr/bin/env python3
"""Pools the per-round ratios of several saved scripts/bench.sh --reference-jar outputs.

One bench.sh run of a few rounds cannot resolve a difference of a few percent on a shared
machine, and a JVM started second can run a few percent faster or slower than its twin for the
whole run. So an A/B of two builds is several runs, each build in turn as the server under test
(TORIDB_JAR) and as the reference, saved to files and pooled here:

  scripts/bench-pool.py --subject toridb-locks.jar run1.txt run2.txt ...

For each workload it prints the geometric mean of the subject/other ratios of requests per
second and of server CPU time per request over all rounds (a run in which the subject was the
reference counts inverted), a 95% bootstrap interval over the rounds (optimistic: rounds of
one run share their JVMs), and the geometric mean of each run.
"""
import argparse
import math
import random
import re
import statistics

HEADER = re.compile(r"^ToriDB (\S+) vs ToriDB (\S+)(?: .*)? \(ref\)")
ROUND = re.compile(r"^(\S+)\s+(\d+)((?: [\d.]+)+)\s+\([\d.]+\) \|((?: [\d.]+)+)\s+\([\d.]+\)$")


def read(path, subject):
    """Yields (test, pipeline, rps ratios, cpu ratios) of one saved run, as subject/other."""
    lines = open(path).read().splitlines()
    header = next((HEADER.match(l) for l in lines if HEADER.match(l)), None)
    if header is None:
        raise SystemExit(f"{path}: not the output of bench.sh --reference-jar")
    if subject not in header.groups():
        raise SystemExit(f"{path}: compares {header[1]} with {header[2]}, not {subject}")
    invert = header[2] == subject
    for line in lines:
        m = ROUND.match(line.strip())
        if m:
            rps, cpu = ([float(x) for x in g.split()] for g in (m[3], m[4]))
            if invert:
                rps, cpu = [1 / x for x in rps], [1 / x for x in cpu]
            yield m[1], int(m[2]), rps, cpu


def interval(ratios, samples=4000):
    rng = random.Random(1)
    means = sorted(
        statistics.geometric_mean(rng.choices(ratios, k=len(ratios))) for _ in range(samples)
    )
    return means[int(0.025 * samples)], means[int(0.975 * samples)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subject", required=True, help="jar file name whose ratios to report")
    parser.add_argument("runs", nargs="+", help="saved outputs of bench.sh --reference-jar")
    args = parser.parse_args()
    pooled = {}
    for path in args.runs:
        for test, p, rps, cpu in read(path, args.subject):
            entry = pooled.setdefault((test, p), ([], [], []))
            entry[0].extend(rps)
            entry[1].extend(cpu)
            entry[2].append((statistics.geometric_mean(rps), statistics.geometric_mean(cpu)))
    print(f"{args.subject} / other, {len(args.runs)} runs: geometric mean [95% interval] (per run)")
    for (test, p), (rps, cpu, runs) in sorted(pooled.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        line = f"{test:<8}P{p:<3}{len(rps):>4} rounds"
        for name, ratios, i in (("rps", rps, 0), ("cpu/op", cpu, 1)):
            lo, hi = interval(ratios)
            per_run = " ".join(f"{r[i]:.2f}" for r in runs)
            line += f"  {name} {statistics.geometric_mean(ratios):.3f} [{lo:.3f}, {hi:.3f}] ({per_run})"
        print(line)


if __name__ == "__main__":
    main()
