"""Plays an engine case file: the market from its ``[state]`` and ``[config]``, then its ``[inputs]``.

Shared by the waterfall cases (tests/engine/test_cases.py) and the everyday state cases
(tests/engine/test_state_cases.py); their docstrings describe the file formats.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import fields

from perpgame.engine.book import BUY, SELL, OrderType
from perpgame.engine.config import MarketConfig
from perpgame.engine.market import Market
from perpgame.engine.risk import Refusal
from tests.golden import parse_sections

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
    """``name = value`` lines: the ``MarketConfig`` fields that differ from the defaults."""
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
    """``type key=value ...``: every field but ``tick``."""
    data = event.to_dict()
    kind = data.pop("type")
    data.pop("tick")
    parts = []
    for key, value in data.items():
        if isinstance(value, (tuple, list)):
            value = ",".join(str(v) for v in value) or "-"
        parts.append(f"{key}={value}")
    return " ".join([kind, *parts])


def _order(m: Market, words: list[str]) -> str | None:
    account, side, qty, price, kind, *flags = words
    m.place_order(
        int(account),
        BUY if side == "buy" else SELL,
        int(qty),
        None if price == "-" else int(price),
        KINDS[kind],
        reduce_only="reduce_only" in flags,
    )
    return None


def _cancel(m: Market, words: list[str]) -> str | None:
    account, order = (int(w) for w in words)
    return None if m.cancel(account, order) else f"refused cancel {account}: no order {order}"


def _deposit(m: Market, words: list[str]) -> str | None:
    m.deposit(int(words[0]), int(words[1]))
    return None


def _refused(what: str, account: str, refusal: Refusal | None) -> str | None:
    """``refused withdraw 2: withdraw_below_margin amount=... equity=... need=...``."""
    if refusal is None:
        return None
    numbers = " ".join(
        f"{f.name}={getattr(refusal, f.name)}"
        for f in fields(refusal)[1:]
        if getattr(refusal, f.name)
    )
    return f"refused {what} {account}: {refusal.code} {numbers}"


def _withdraw(m: Market, words: list[str]) -> str | None:
    return _refused("withdraw", words[0], m.withdraw(int(words[0]), int(words[1])))


def _leverage(m: Market, words: list[str]) -> str | None:
    return _refused("leverage", words[0], m.set_leverage(int(words[0]), int(words[1])))


INPUTS: dict[str, Callable[[Market, list[str]], str | None]] = {
    "order": _order,
    "cancel": _cancel,
    "deposit": _deposit,
    "withdraw": _withdraw,
    "leverage": _leverage,
}


def play(case: dict[str, str], shown: Collection[str] | None = None) -> tuple[str, str]:
    """Run the inputs; returns (the events and refusals, one a line; the state text after).

    ``shown``: the event types to list (None: every one). Every tick must pass ``Market.check()``.
    """
    m = Market.from_text(case["state"], config_of(case.get("config", "")))
    said: list[str] = []
    for line in case["inputs"].splitlines():
        verb, *words = line.split() or [""]
        if not verb:
            continue
        if verb == "begin":
            m.begin_tick()
        elif verb == "index":
            m.set_index(int(words[0]))
        elif verb == "end":
            said += [describe(e) for e in m.end_tick() if shown is None or e.type in shown]
            assert m.check() == [], m.check()
        elif verb in INPUTS:
            refused = INPUTS[verb](m, words)
            if refused:
                said.append(refused)
        else:
            raise ValueError(f"unknown input {line!r}")
    return "\n".join(said) + "\n", m.to_text()
