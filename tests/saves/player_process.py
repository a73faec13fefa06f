"""A game process for the tests that need real OS processes on one saves folder.

``python -m tests.saves.player_process games ROOT LEVELS N``: finish N games (won, lost, won, ...)
of the happy-path test level, recording each and saving its replay as the game does, and print ``recorded K`` after
each save returned. ``... saves ROOT LEVELS`` does the same without end, with a resume save and
now and then a replay between results: a process to kill in the middle of a save.
"""

from __future__ import annotations

import sys
from itertools import count
from pathlib import Path

from perpgame.level import load_level
from perpgame.saves import SaveStore

from .conftest import LEVEL_FILE, LOSING, WINNING, play


def main(argv: list[str]) -> int:
    mode, root, levels = argv[0], Path(argv[1]), Path(argv[2])
    level = load_level(levels / LEVEL_FILE.name)
    store = SaveStore(root, levels_folder=levels)
    games = range(int(argv[3])) if mode == "games" else count()
    for n in games:
        won = mode == "saves" or n % 2 == 0
        if mode == "saves":
            store.save_resume(play(level, WINNING, until=10))
        session = play(level, WINNING if won else LOSING)
        store.record_result(session)
        if mode == "games" or n % 5 == 0:
            store.save_replay(session)
        if store.notices:
            print("notice", *store.take_notices(), flush=True)
        print(f"recorded {n + 1}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
