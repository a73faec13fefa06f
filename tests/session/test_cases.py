"""Golden games: a level, a seed and the player's inputs -> what the frame shows and the state.

Each ``tests/session/cases/*.txt`` holds, in sections:

* lines before the first section: what the case shows, with the arithmetic to check it by hand;
* ``[level]``: a level in TOML, or ``file = "04-liquidated.toml"`` for a shipped level;
* ``[play]``: ``seed = N`` and ``ticks = N`` (or ``ticks = "end"``: until the level ends);
* ``[inputs]``: one input a line, ``TICK: COMMAND``, the command as a player types it on the
  quick-order line (``3: b 0.1 x10``, ``5: margin +500``, ``9: x``);
* ``[facts]``: the key facts of the last frame, ``name = value`` a line, money in exact units;
* ``[state]``: the game's canonical state text at the end (inline levels only: a shipped level's
  runs to hundreds of lines, and ``state_sha256`` among the facts pins it).

``PERPGAME_UPDATE_CASES=1`` rewrites ``[facts]`` and ``[state]`` from the game (then read the
diff: a change there is a change of behaviour).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from perpgame.level.loader import load_level, load_level_text
from perpgame.session import GameSession, parse_command
from perpgame.session.numbers import format_cash, format_price, format_qty
from tests.golden import check_or_update, parse_sections

CASES = sorted((Path(__file__).parent / "cases").glob("*.txt"))
LEVELS = Path(__file__).resolve().parents[2] / "perpgame" / "levels"
SECTIONS = ("level", "play", "inputs", "facts", "state")


def parse(text: str) -> dict[str, str]:
    """The sections of a case file, by name; lines before the first section are comments."""
    return parse_sections(text, SECTIONS)


def level_of(section: str):
    data = tomllib.loads(section)
    if set(data) == {"file"}:
        return load_level(LEVELS / data["file"])
    return load_level_text(section)


def play(case: dict[str, str]) -> GameSession:
    """The game the case describes, played to its last tick."""
    settings = tomllib.loads(case["play"])
    session = GameSession(level_of(case["level"]), settings["seed"])
    inputs = []
    for line in case.get("inputs", "").splitlines():
        if line.strip():
            tick, _, command = line.partition(":")
            inputs.append(parse_command(command.strip(), int(tick)))
    session.schedule(inputs)
    ticks = settings["ticks"]
    session.run(None if ticks == "end" else ticks)
    return session


def cash(value: int) -> str:
    return format_cash(value, places=6)


def facts(session: GameSession) -> str:
    """What a reader checks first: the clock, the ending, the prices, the player, the waterfall."""
    f = session.frame()
    p, w, pile = f.position, f.waterfall, f.pile
    liq = p.liquidation_price
    rows = [
        ("tick", f.tick),
        ("status", f.status),
        ("end_reason", f.end_reason or "-"),
        ("stars", f.stars),
        ("mark", format_price(f.mark)),
        ("index", format_price(f.index)),
        ("player.size", format_qty(p.size)),
        ("player.entry", format_price(p.entry) if p.entry else "-"),
        ("player.leverage", p.leverage),
        ("player.deposited", cash(p.deposited)),
        ("player.equity", cash(p.equity)),
        ("player.pnl", cash(p.pnl)),
        ("player.liquidation_price", format_price(liq) if liq else "-"),
        ("player.open_orders", len(p.orders)),
        ("waterfall.deepest", w.deepest),
        ("waterfall.liquidations", w.liquidations),
        ("waterfall.backstops", w.backstops),
        ("waterfall.deleverages", w.deleverages),
        ("waterfall.bad_debt", cash(w.bad_debt)),
        ("vault.cash", cash(w.vault_cash)),
        ("pile.total", cash(pile.total)),
        ("pile.created", cash(pile.created)),
        ("pile.law_ok", pile.law_ok),
        ("inputs_logged", len(session.input_log)),
    ]
    rows += [("told", s.text) for s in session.player_stories if s.kind == "note"]
    rows += [("answer", a.text) for a in f.answers]
    rows += [("why", f.why), ("state_sha256", session.state_hash())]
    return "\n".join(f"{name} = {value}" for name, value in rows) + "\n"


def expected_state(case: dict[str, str], session: GameSession) -> str | None:
    """The state text a case pins (inline levels), or None (a shipped level: its hash only)."""
    if set(tomllib.loads(case["level"])) == {"file"}:
        return None
    return session.state_text() + "\n"


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_golden_game(path: Path) -> None:
    text = path.read_text()
    case = parse(text)
    session = play(case)
    got = {"facts": facts(session), "state": expected_state(case, session)}
    check_or_update(path, text, case, got)


def test_the_cases_cover_an_ending_of_each_kind() -> None:
    """A won level, a lost one and a game still playing are among the cases."""
    statuses = {
        line.split(" = ")[1]
        for path in CASES
        for line in parse(path.read_text())["facts"].splitlines()
        if line.startswith("status = ")
    }
    assert statuses == {"won", "lost", "playing"}
