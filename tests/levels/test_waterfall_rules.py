"""Issue 13 on the shipped levels: ADL only for a real deficit, and no debt without an event."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from perpgame.level.loader import load_level
from perpgame.session import GameSession
from perpgame.session.inputs import load_inputs

ROOT = Path(__file__).resolve().parents[2]
LEVELS = ROOT / "perpgame" / "levels"
SOLUTIONS = LEVELS / "solutions"
STEMS = [p.stem for p in sorted(LEVELS.glob("*.toml"))]


@cache
def played_checked(stem: str, seed: int, solved: bool) -> tuple[GameSession, list[str]]:
    """A whole game, with ``Market.check()`` after every tick: the session and what it found."""
    session = GameSession(load_level(LEVELS / f"{stem}.toml"), seed)
    if solved and (SOLUTIONS / f"{stem}.toml").exists():
        session.schedule(load_inputs(SOLUTIONS / f"{stem}.toml"))
    problems: list[str] = []
    while session.market.tick < session.level.tick_limit and session.step():
        problems += [f"tick {session.tick}: {p}" for p in session.market.check()]
    return session, problems


def played(stem: str, seed: int, solved: bool) -> GameSession:
    return played_checked(stem, seed, solved)[0]


@pytest.mark.parametrize("solved", [False, True], ids=["idle", "solved"])
@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_the_big_one_deleverages_only_accounts_below_zero(seed, solved):
    s = played("13-the-big-one", seed, solved)
    assert s.market.config.adl_trigger == "deficit"  # Hyperliquid's rule
    adl = [e for e in s.waterfall_log if e.type == "deleverage"]
    assert adl, "the lesson still reaches ADL"
    solvent = [e for e in adl if e.counterparty_equity >= 0]
    assert solvent == [], f"{len(solvent)} of {len(adl)} ADLs were against solvent accounts"


@pytest.mark.parametrize("solved", [False, True], ids=["idle", "solved"])
@pytest.mark.parametrize("seed", [1, 7])
@pytest.mark.parametrize("stem", STEMS)
def test_no_account_ends_below_zero_without_a_bad_debt_event(stem, seed, solved):
    s, problems = played_checked(stem, seed, solved)
    m = s.market
    assert problems == []  # Market.check() after every tick of the game
    covered = sum(
        e.amount for e in s.waterfall_log if e.type == "bad_debt" and m.vault.id in e.absorbers
    )
    for acct in m.accounts.values():
        equity = acct.equity(m.mark)
        if acct is m.vault:
            assert -equity <= max(0, covered), "the vault's deficit is the bad debt it absorbed"
        else:
            assert equity >= 0, (acct, equity)


@pytest.mark.parametrize("stem", STEMS)
def test_every_shipped_level_names_the_venue_it_follows(stem):
    waterfall = load_level(LEVELS / f"{stem}.toml").market.waterfall
    expected = "hyperliquid" if stem == "13-the-big-one" else "bitmex"
    assert waterfall.venue == expected
