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

from pathlib import Path

import pytest

from tests.golden import check_or_update

from .case_play import parse, play

CASES = sorted((Path(__file__).parent / "state_cases").glob("*.txt"))


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_state_case(path: Path) -> None:
    text = path.read_text()
    case = parse(text)
    events, state = play(case)
    check_or_update(path, text, case, {"events": events, "expected": state})


def test_the_everyday_paths_have_a_case() -> None:
    stems = {p.stem for p in CASES}
    assert {"trade-and-fees", "cancel-resting", "funding", "withdraw-refused"} <= stems
