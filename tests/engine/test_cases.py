"""Golden cases, python-chess style: a state, the inputs, and the state (and events) they lead to.

Each ``tests/engine/cases/*.txt`` holds, in sections:

* ``[config]``: ``MarketConfig`` fields that differ from the defaults, ``name = value`` a line;
* ``[state]``: the canonical state text (``Market.to_text()``) to start from;
* ``[inputs]``: one step a line: ``begin``, ``index PRICE``, ``order ACCOUNT buy|sell QTY
  PRICE|- KIND [reduce_only]`` (KIND one of ``limit``, ``ioc``, ``market``, ``post_only``),
  ``end``;
* ``[events]``: the waterfall's events and refused orders of the inputs, one a line, as
  ``type key=value ...`` (every field but ``tick``), in order;
* ``[expected]``: the canonical state text after the inputs.

There is one case per waterfall branch under each ADL trigger. ``PERPGAME_UPDATE_CASES=1``
rewrites ``[events]`` and ``[expected]`` from the engine (then read the diff).
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from perpgame.engine.book import BUY, SELL, OrderType
from perpgame.engine.config import MarketConfig
from perpgame.engine.market import Market
from tests.golden import check_or_update, parse_sections

CASES = sorted((Path(__file__).parent / "cases").glob("*.txt"))
SHOWN = ("liquidation", "backstop", "deleverage", "bad_debt", "haircut", "order_rejected")
KINDS = {
    "limit": OrderType.LIMIT,
    "ioc": OrderType.IOC,
    "market": OrderType.MARKET,
    "post_only": OrderType.POST_ONLY,
}
SECTIONS = ("config", "state", "inputs", "events", "expected")


def parse(text: str) -> dict[str, str]:
    """The sections of a case file, by name; lines before the first section are comments."""
    return parse_sections(text, SECTIONS)


def config_of(section: str) -> MarketConfig:
    types = {f.name: f.type for f in fields(MarketConfig)}
    values: dict[str, object] = {}
    for line in section.splitlines():
        if not line.strip():
            continue
        name, _, raw = (part.strip() for part in line.partition("="))
        if types[name] in ("int", int):
            values[name] = int(raw)
        elif types[name] in ("bool", bool):
            values[name] = raw == "true"
        else:
            values[name] = raw
    return MarketConfig(**values)


def describe(event) -> str:
    data = event.to_dict()
    kind = data.pop("type")
    data.pop("tick")
    parts = []
    for key, value in data.items():
        if isinstance(value, (tuple, list)):
            value = ",".join(str(v) for v in value) or "-"
        parts.append(f"{key}={value}")
    return " ".join([kind, *parts])


def play(case: dict[str, str]) -> tuple[str, str]:
    """Run the inputs; returns (events text, expected state text)."""
    m = Market.from_text(case["state"], config_of(case.get("config", "")))
    shown: list[str] = []
    for line in case["inputs"].splitlines():
        words = line.split()
        if not words:
            continue
        if words[0] == "begin":
            m.begin_tick()
        elif words[0] == "index":
            m.set_index(int(words[1]))
        elif words[0] == "order":
            account, side, qty, price, kind, *flags = words[1:]
            m.place_order(
                int(account),
                BUY if side == "buy" else SELL,
                int(qty),
                None if price == "-" else int(price),
                KINDS[kind],
                reduce_only="reduce_only" in flags,
            )
        elif words[0] == "end":
            events = m.end_tick()
            shown += [describe(e) for e in events if e.type in SHOWN]
            assert m.check() == [], m.check()
        else:
            raise ValueError(f"unknown input {line!r}")
    return "\n".join(shown) + "\n", m.to_text()


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_golden_case(path: Path) -> None:
    text = path.read_text()
    case = parse(text)
    events, state = play(case)
    check_or_update(path, text, case, {"events": events, "expected": state})


def test_there_is_a_case_per_branch_and_trigger() -> None:
    stems = {p.stem for p in CASES}
    for branch in ("book", "vault", "book-again", "gap-adl", "adl-cap", "socialized"):
        for trigger in ("deficit", "takeover"):
            assert f"{branch}-{trigger}" in stems
    assert {"solvent-held-deficit", "solvent-adl-takeover", "own-close-refused"} <= stems
    assert "flat-deficit" in stems
