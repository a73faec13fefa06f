"""An order a hint spells out (``b 0.45 x3``) is one the quick-order line takes and the exchange
accepts at the start of the level, so a player who types it is not refused.

Before: L11's hint said "a short of about 1 coin (6x on your cash)"; typed as ``s 1 x6`` the
order needs more than the $10,000 of cash and was refused (the 6x was the position's actual
leverage after the fill, at a setting of 10x).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from perpgame.level.loader import load_level
from perpgame.session import GameSession
from perpgame.session.commands import parse_command

LEVELS = Path(__file__).resolve().parents[2] / "perpgame" / "levels"
TYPED = re.compile(r"\(([bs] [\d.]+(?: x\d+)?)")
"""A typed order in a hint: ``(b 0.45 x3)`` or ``(s 1 x10: ...)``."""

HINTED = {
    p.stem: TYPED.findall(load_level(p).objectives.hint) for p in sorted(LEVELS.glob("*.toml"))
}


def test_the_leverage_hints_spell_the_order_out():
    assert HINTED["02-both-sides"] and HINTED["11-policy-lab"]


@pytest.mark.parametrize("stem", [s for s, typed in HINTED.items() if typed])
def test_an_order_a_hint_spells_out_is_accepted(stem):
    session = GameSession(load_level(LEVELS / f"{stem}.toml"), 1)
    session.run(5)
    for typed in HINTED[stem]:
        session.submit(parse_command(typed))
        session.step()
        answer = session.answers[-1]
        assert answer.kind in ("filled", "partial"), (typed, answer.text)


def test_the_old_reading_of_l11s_hint_is_refused():
    # "about 1 coin (6x on your cash)" read as a 6x setting: the margin does not fit
    session = GameSession(load_level(LEVELS / "11-policy-lab.toml"), 1)
    session.run(5)
    session.submit(parse_command("s 1 x6"))
    session.step()
    assert session.answers[-1].kind == "refused"
