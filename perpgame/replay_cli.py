"""``perpgame replay FILE``: watch a saved replay, or check it headless and say what was found."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from perpgame.saves import Replay, ReplayCheck, ReplayError, check_replay, read_replay
from perpgame.session.limits import clip
from perpgame.session.numbers import format_cash


def replay_command(
    path: str | Path,
    *,
    headless: bool,
    watch: Callable[[Replay], int] | None = None,
    levels_folder: Path | None = None,
) -> int:
    """``perpgame replay FILE``: validate the replay, then watch it or check it headless.

    Headless (or when no ``watch`` viewer is given) it prints the result and whether the final
    state hash matches: exit 0 when it does, 1 with a clear message otherwise (also for a replay
    that cannot be read, is of an unknown level or of a level file that has changed).
    """
    try:
        replay = read_replay(path, levels_folder)
    except ReplayError as exc:
        print(f"perpgame replay: {exc}", file=sys.stderr)
        return 1
    if not headless:
        if watch is not None:
            return watch(replay)
        print("perpgame replay: no viewer here; checking the replay headless.", file=sys.stderr)
    _print_recorded(path, replay)
    check = check_replay(replay)
    _print_check(check)
    return 0 if check.ok else 1


def _print_recorded(path: str | Path, replay: Replay) -> None:
    """What the replay file says: its level, seed, length, inputs and result."""
    r = replay.result
    title = f" ({clip(replay.level_title)})" if replay.level_title else ""
    n = len(replay.inputs)
    print(f"replay: {path}")
    print(
        f"level: {replay.level_id}{title}, seed {replay.seed}, {replay.ticks} ticks, "
        f"{n} input{'' if n == 1 else 's'}"
    )
    reason = f" ({clip(r.reason)})" if r.reason else ""
    print(
        f"result: {r.status}{reason}, {r.stars} star{'' if r.stars == 1 else 's'}, "
        f"P&L {format_cash(r.player_pnl)}"
    )


def _print_check(check: ReplayCheck) -> None:
    """Whether the re-run matches, each differing field, and the verdict on stderr."""
    if check.ok:
        print(f"final state: matches ({check.state_hash})")
        return
    print(f"final state: differs ({check.state_hash})")
    for difference in check.differences:
        print(f"  differs: {difference}")
    print(f"perpgame replay: {check.message}", file=sys.stderr)
