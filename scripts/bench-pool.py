#!/usr/bin/env python3
"""Pools the per-round ratios of several saved scripts/bench.sh outputs.

One bench.sh run of a few rounds cannot resolve a difference of a few percent on a shared
machine, and a JVM started second can run a few percent faster or slower than its twin for the
whole run. So an A/B of two builds is several runs, each build in turn as the server under test
(TORIDB_JAR) and as the reference (--reference-jar), saved to files and pooled here:

  scripts/bench-pool.py --subject toridb-locks.jar run1.txt run2.txt ...

Runs against Redis (bench.sh without --reference-jar) pool the same way, ToriDB/Redis:

  scripts/bench-pool.py --subject ToriDB run1.txt run2.txt ...

For each workload it prints the geometric mean of the subject/other ratios of requests per
second, of server CPU time per request and of p99 latency over all rounds (a run in which the
subject was the reference counts inverted), a 95% bootstrap interval over the rounds
(optimistic: rounds of one run share their JVMs), the geometric mean of each run, and for p99
how many rounds were within 2x (the bound the performance targets set). Outputs of bench.sh
from before it printed per-round p99 ratios pool without the p99 column.
"""
import argparse
import math
import random
import re
import statistics

HEADER = re.compile(r"^ToriDB (\S+) vs ToriDB (\S+)(?: .*)? \(ref\)")
REDIS_HEADER = re.compile(r"^ToriDB vs Redis ")
GROUP = r"((?: [\d.]+)+)\s+\([\d.]+\)"
ROUND = re.compile(rf"^(\S+)\s+(\d+){GROUP} \|{GROUP}(?: \|{GROUP})?$")


def read(path, subject):
    """Yields (test, pipeline, rps ratios, cpu ratios) of one saved run, as subject/other."""
    lines = open(path).read().splitlines()
    if any(REDIS_HEADER.match(l) for l in lines):
        if subject != "ToriDB":
            raise SystemExit(f"{path}: compares ToriDB with Redis; use --subject ToriDB")
        invert = False
    else:
        header = next((HEADER.match(l) for l in lines if HEADER.match(l)), None)
        if header is None:
            raise SystemExit(f"{path}: not the output of bench.sh")
        if subject not in header.groups():
            raise SystemExit(f"{path}: compares {header[1]} with {header[2]}, not {subject}")
        invert = header[2] == subject
    for line in lines:
        m = ROUND.match(line.strip())
        if m:
            groups = [[float(x) for x in g.split()] for g in (m[3], m[4], m[5] or "")]
            if invert:
                groups = [[1 / x for x in g] for g in groups]
            yield m[1], int(m[2]), groups[0], groups[1], groups[2]


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
    names = ("rps", "cpu/op", "p99")
    for path in args.runs:
        for test, p, *groups in read(path, args.subject):
            entry = pooled.setdefault((test, p), {name: ([], []) for name in names})
            for name, ratios in zip(names, groups):
                if ratios:
                    entry[name][0].extend(ratios)
                    entry[name][1].append(statistics.geometric_mean(ratios))
    print(f"{args.subject} / other, {len(args.runs)} runs: geometric mean [95% interval] (per run)")
    for (test, p), entry in sorted(pooled.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        line = f"{test:<8}P{p:<3}{len(entry['rps'][0]):>4} rounds"
        for name in names:
            ratios, runs = entry[name]
            if not ratios:
                continue
            lo, hi = interval(ratios)
            per_run = " ".join(f"{r:.2f}" for r in runs)
            line += f"  {name} {statistics.geometric_mean(ratios):.3f} [{lo:.3f}, {hi:.3f}] ({per_run})"
            if name == "p99":
                within = sum(1 for r in ratios if r <= 2.0)
                line += f" {within}/{len(ratios)} rounds within 2x"
        print(line)


if __name__ == "__main__":
    main()
