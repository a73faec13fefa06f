"""Headless speed: the heaviest shipped level, whole process included (start-up, load, play, report).

Usage: python bench/sim.py [LEVEL] [--seed S] [--runs N]

Without LEVEL it picks the shipped level with the most traders. Prints the median of N runs:
ticks per second and the ratio of game time to wall time (the goal is at least 100x).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def heaviest() -> tuple[str, int]:
    from perpgame.level.catalog import curriculum

    levels = curriculum()
    best = max(levels, key=lambda lv: lv.total_traders)
    return best.id, best.total_traders


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("level", nargs="?")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--runs", type=int, default=3)
    a = p.parse_args()
    if a.level:
        level, traders = a.level, None
    else:
        level, traders = heaviest()
    walls, report = [], {}
    for _ in range(a.runs):
        t0 = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-m", "perpgame", "sim", level, "--seed", str(a.seed), "--json"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        walls.append(time.perf_counter() - t0)
        report = json.loads(out.stdout)
    wall = statistics.median(walls)
    ticks, game = report["ticks"], report["game_seconds"]
    print(f"level: {level}" + (f" ({traders} traders)" if traders else ""))
    print(f"ticks: {ticks}  game seconds: {game:g}  pile law: {report['pile_law']['ok']}")
    print(f"wall seconds (median of {a.runs}, whole process): {wall:.3f}")
    print(f"ticks_per_s: {ticks / wall:.0f}")
    print(f"realtime_ratio: {game / wall:.0f}x")


if __name__ == "__main__":
    main()
