"""Money adds up: "where the money went" (the debrief's table, also in ``sim --json``) has a row
for every group, the vault and the house included, a funding breakdown where funding is on, and
sums to exactly zero, in engine units and in the cents shown on screen.

Before: no vault or house rows when they were unchanged, no funding line, and the rows as shown
missed zero by 1-3 cents (each rounded on its own).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from perpgame.engine.units import CASH_SCALE, format_cash
from perpgame.level.loader import load_level
from perpgame.session import GameSession
from perpgame.session.inputs import load_inputs
from perpgame.session.report import report
from perpgame.session.views import cents

ROOT = Path(__file__).resolve().parents[2]
STEMS = sorted(p.stem for p in (ROOT / "levels").glob("*.toml"))


@pytest.mark.parametrize("seed", [1, 7])
@pytest.mark.parametrize("stem", STEMS)
def test_the_money_table_sums_to_exactly_zero(stem, seed):
    lv = load_level(ROOT / "levels" / f"{stem}.toml")
    s = GameSession(lv, seed)
    s.run()
    money = report(s)["money"]
    rows = money["rows"]
    groups = [r["group"] for r in rows]
    assert groups[-2:] == ["vault", "house"]
    assert money["total"] == sum(r["change"] for r in rows) == 0
    assert money["total_cents"] == sum(r["change_cents"] for r in rows) == 0
    if lv.market_config(seed).funding_interval:
        assert money["funding"]["on"] and all("funding" in r for r in rows)
        assert sum(r["funding"] for r in rows) == 0  # what longs paid, shorts received
        assert money["funding"]["paid"] > 0
    else:
        assert money["funding"] == {"on": False}


def test_cents_keep_the_sum():
    # three changes that each round down by most of a cent: rounded alone they miss by 2 cents
    unit = 10_000
    amounts = [9_999, 9_999, -19_998]
    assert sum(a // unit for a in amounts) != 0
    shown = cents(amounts, unit)
    assert sum(shown) == 0 and all(abs(s - a) < unit for s, a in zip(shown, amounts, strict=True))


SOLUTIONS = ROOT / "levels" / "solutions"
CENT = CASH_SCALE // 100


def _solved_run(stem: str, seed: int) -> GameSession:
    s = GameSession(load_level(ROOT / "levels" / f"{stem}.toml"), seed)
    solution = SOLUTIONS / f"{stem}.toml"
    if solution.exists():
        s.schedule(load_inputs(solution))
    s.run()
    return s


def test_the_json_shows_your_change_to_the_cent_of_your_pnl():
    """``sim --json``'s row for the player (or the vault they run) is their PnL cut toward zero,
    as the debrief's "You: PnL" line and every screen show it, and the rows still sum to 0.

    Before: each row was rounded by largest remainder, so the player's ``change_cents`` could be
    a cent above the truncated PnL (the debrief's table was fixed, the JSON was not)."""
    off_before = 0
    runs = 0
    for stem in STEMS:
        for seed in (1, 2, 3):
            s = _solved_run(stem, seed)
            r = report(s)
            rows = r["money"]["rows"]
            mine = "vault" if s.role == "vault" else "player"
            row = next(row for row in rows if row["group"] == mine)
            pnl = r["player"]["pnl"]
            assert row["change"] == pnl
            truncated = abs(pnl) // CENT * (1 if pnl >= 0 else -1)
            assert row["change_cents"] == truncated, (stem, seed)
            assert format_cash(row["change_cents"] * CENT) == format_cash(pnl)
            assert sum(x["change_cents"] for x in rows) == r["money"]["total_cents"] == 0
            old = cents([x["change"] for x in rows], CENT)
            off_before += old[rows.index(row)] // CENT != truncated
            runs += 1
    assert runs == 3 * len(STEMS)
    assert off_before > 0  # the old rounding did miss on some of these runs
