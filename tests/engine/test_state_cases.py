"""Golden state files for the everyday engine: a state text, the inputs, the state text after.

``tests/engine/cases`` holds one case per branch of the waterfall; these are the paths every
game takes before any liquidation: a trade and its fees, a resting order cancelled, funding,
deposits and withdrawals, refusals. Each ``tests/engine/state_cases/*.txt`` has the sections of
those cases (``[config]``, ``[state]``, ``[inputs]``, ``[events]``, ``[expected]``, read by
the same parser) with more inputs, one a line:

* ``begin``, ``index PRICE``, ``end`` (the tick);
* ``order ACCOUNT buy|sell QTY PRICE|- KIND [reduce_only]`` (KIND: limit, ioc, market,
  post_only);
* ``cancel ACCOUNT ORDER``, ``deposit ACCOUNT CASH``, ``withdraw ACCOUNT CASH``,
  ``leverage ACCOUNT N``.

``[events]`` lists every event of the inputs, one a line (``type key=value ...``, every field
but ``tick``), and the refusals the market returns as a reason code with its numbers (``refused withdraw 2: withdraw_below_margin amount=...``):
refusals as they happen, a tick's events at its ``end``.
``PERPGAME_UPDATE_CASES=1`` rewrites ``[events]`` and ``[expected]`` (then read the diff).
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from perpgame.engine.book import BUY, SELL
from perpgame.engine.market import Market
from perpgame.engine.risk import Refusal
from tests.golden import check_or_update

from .test_cases import KINDS, config_of, describe, parse

CASES = sorted((Path(__file__).parent / "state_cases").glob("*.txt"))


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


INPUTS = {
    "order": _order,
    "cancel": _cancel,
    "deposit": _deposit,
    "withdraw": _withdraw,
    "leverage": _leverage,
}


def play(case: dict[str, str]) -> tuple[str, str]:
    """Run the inputs; returns (events and refusals text, the state text after)."""
    m = Market.from_text(case["state"], config_of(case.get("config", "")))
    shown: list[str] = []
    for line in case["inputs"].splitlines():
        verb, *words = line.split() or [""]
        if not verb:
            continue
        if verb == "begin":
            m.begin_tick()
        elif verb == "index":
            m.set_index(int(words[0]))
        elif verb == "end":
            shown += [describe(e) for e in m.end_tick()]
            assert m.check() == [], m.check()
        elif verb in INPUTS:
            refused = INPUTS[verb](m, words)
            if refused:
                shown.append(refused)
        else:
            raise ValueError(f"unknown input {line!r}")
    return "\n".join(shown) + "\n", m.to_text()


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_state_case(path: Path) -> None:
    text = path.read_text()
    case = parse(text)
    events, state = play(case)
    check_or_update(path, text, case, {"events": events, "expected": state})


def test_the_everyday_paths_have_a_case() -> None:
    stems = {p.stem for p in CASES}
    assert {"trade-and-fees", "cancel-resting", "funding", "withdraw-refused"} <= stems
