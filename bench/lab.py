"""Policy-lab throughput: policies x seeds runs per second with 1 worker and with all cores.

Usage: python bench/lab.py [LEVEL] [--policies all|a,b] [--seeds 1-8] [--workers N]

Runs the same sweep twice, in one process and in a process pool, checks that both give identical
results (same state hashes), and prints runs/s side by side with the speed-up. The issue's goal:
at least 1.8x on 2 cores, and 7 policies x 100 seeds of the-big-one in under 2 minutes there.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    from perpgame.level.catalog import find_level
    from perpgame.session.lab import policy_names, run_local, seed_range, specs_for

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("level", nargs="?", default="the-big-one")
    p.add_argument("--policies", default="all")
    p.add_argument("--seeds", default="1-4")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    a = p.parse_args()
    path = str(find_level(a.level).resolve())
    specs = specs_for(path, policy_names(a.policies), seed_range(a.seeds))
    timings = {}
    results = {}
    for workers in (1, a.workers):
        t0 = time.perf_counter()
        results[workers] = run_local(specs, workers=workers)
        timings[workers] = time.perf_counter() - t0
    same = [r["state_hash"] for r in results[1]] == [r["state_hash"] for r in results[a.workers]]
    n = len(specs)
    one, many = n / timings[1], n / timings[a.workers]
    print(f"{a.level}: {n} runs ({a.policies} x seeds {a.seeds})")
    print(f"  1 worker : {timings[1]:7.2f} s  {one:6.2f} runs/s  {timings[1] / n:.3f} s/run")
    print(
        f"  {a.workers} workers: {timings[a.workers]:7.2f} s  {many:6.2f} runs/s  "
        f"speed-up {many / one:.2f}x  identical results: {'yes' if same else 'NO'}"
    )
    print(f"  7 policies x 100 seeds at this rate: {700 / many:.0f} s")


if __name__ == "__main__":
    main()
