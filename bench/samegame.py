"""Same game after a speed-up: the final state of every shipped level, to compare before and after.

Usage: python bench/samegame.py [--seeds 1,7] [--out FILE] [--against FILE]

Plays every shipped level (``perpgame levels``) for each seed, idle and with its solution where one
exists, and ``the-big-one`` under every ADL policy, in one process. Prints one line a run: the
level, seed, inputs, policy, the market's state hash and a SHA-256 of the whole ``sim --json``
report (events and every account included). ``--out`` writes the lines to a file; ``--against``
compares with such a file and exits 1 on the first difference. A performance change must leave
every line as it was; a change of rules legitimately changes them (record again on its branch).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from perpgame.engine.adl import POLICIES  # noqa: E402
from perpgame.level.catalog import curriculum  # noqa: E402
from perpgame.session import GameSession  # noqa: E402
from perpgame.session.inputs import load_inputs  # noqa: E402
from perpgame.session.report import report  # noqa: E402

SOLUTIONS = ROOT / "perpgame" / "levels" / "solutions"
POLICY_LEVEL = "the-big-one"


def with_policy(level, policy: str):
    """The same level under another ADL policy (the level file is not touched)."""
    waterfall = level.market.waterfall.model_copy(update={"adl_policy": policy})
    market = level.market.model_copy(update={"waterfall": waterfall})
    return level.model_copy(update={"market": market})


def solution_for(level) -> Path | None:
    hits = sorted(SOLUTIONS.glob(f"*-{level.id}.toml"))
    return hits[0] if hits else None


def play(level, seed: int, actions: Path | None) -> tuple[str, str]:
    session = GameSession(level, seed)
    if actions is not None:
        session.schedule(load_inputs(actions))
    session.run()
    text = json.dumps(report(session), sort_keys=True)
    return session.state_hash(), hashlib.sha256(text.encode()).hexdigest()


def runs(seeds: list[int]):
    for level in curriculum():
        solution = solution_for(level)
        for seed in seeds:
            yield level, seed, None, level.market.waterfall.adl_policy
            if solution is not None:
                yield level, seed, solution, level.market.waterfall.adl_policy
        if level.id == POLICY_LEVEL:
            for policy in POLICIES:
                if policy == level.market.waterfall.adl_policy:
                    continue
                for seed in seeds:
                    yield with_policy(level, policy), seed, solution, policy


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", default="1,7")
    p.add_argument("--out")
    p.add_argument("--against")
    a = p.parse_args()
    seeds = [int(s) for s in a.seeds.split(",")]
    lines = []
    for level, seed, actions, policy in runs(seeds):
        state, whole = play(level, seed, actions)
        inputs = actions.name if actions else "idle"
        line = (
            f"{level.id} seed={seed} inputs={inputs} policy={policy} state={state} report={whole}"
        )
        print(line, flush=True)
        lines.append(line)
    if a.out:
        Path(a.out).write_text("\n".join(lines) + "\n")
    if a.against:
        before = Path(a.against).read_text().splitlines()
        if before != lines:
            for old, new in zip(before, lines, strict=False):
                if old != new:
                    print(f"DIFFERS:\n  before {old}\n  after  {new}", file=sys.stderr)
                    break
            if len(before) != len(lines):
                print(f"DIFFERS: {len(before)} runs before, {len(lines)} now", file=sys.stderr)
            sys.exit(1)
        print(f"same game: all {len(lines)} runs identical", file=sys.stderr)


if __name__ == "__main__":
    main()
