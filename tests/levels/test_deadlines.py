"""A level whose hint says "before the N-second mark" tells the player that deadline in time: the
lesson names it on the clock the header shows, and the narrator says it again before it passes.

Before: L13's lesson said only "finish in profit"; the 2:00 deadline (after it the makers pull
their quotes and a market short is refused: "the book is empty") was only in the hint a player
reads after losing. L5 and L9 had the same gap at 1:00.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from perpgame.level.loader import load_level
from perpgame.level.schema import Narrate

LEVELS = Path(__file__).resolve().parents[2] / "perpgame" / "levels"
DEADLINE = re.compile(r"before the (\d+)-(second|minute) mark", re.IGNORECASE)
WARN_AHEAD_S = 10
"""The narrator's reminder comes at least this long before the deadline (at 1x, time to act)."""


def deadline_seconds(hint: str) -> int | None:
    found = DEADLINE.search(hint)
    if found is None:
        return None
    n = int(found.group(1))
    return n * 60 if found.group(2).lower() == "minute" else n


def clock(seconds: int) -> str:
    """As the header's clock shows it: ``2:00``."""
    return f"{seconds // 60}:{seconds % 60:02d}"


WITH_DEADLINE = [
    p.stem for p in sorted(LEVELS.glob("*.toml")) if deadline_seconds(load_level(p).objectives.hint)
]


def test_the_levels_with_a_deadline_are_found():
    assert {"05-margin-call", "09-vault-runs-dry", "13-the-big-one"} <= set(WITH_DEADLINE)


@pytest.mark.parametrize("stem", WITH_DEADLINE)
def test_the_lesson_names_the_deadline_the_hint_gives(stem):
    lv = load_level(LEVELS / f"{stem}.toml")
    due = clock(deadline_seconds(lv.objectives.hint))
    assert f"before {due}" in lv.meta.lesson or f"at {due}" in lv.meta.lesson, lv.meta.lesson


@pytest.mark.parametrize("stem", WITH_DEADLINE)
def test_the_narrator_says_the_deadline_before_it_passes(stem):
    lv = load_level(LEVELS / f"{stem}.toml")
    due_s = deadline_seconds(lv.objectives.hint)
    due_tick = due_s * 1000 // lv.tick_ms
    ahead = WARN_AHEAD_S * 1000 // lv.tick_ms
    reminders = [
        e
        for e in lv.timeline
        if isinstance(e, Narrate) and e.at is not None and e.at <= due_tick - ahead
        if clock(due_s) in e.text
    ]
    assert reminders, f"no narration before {clock(due_s)} names it"
