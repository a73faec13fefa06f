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

from pathlib import Path

import pytest

from tests.golden import check_or_update

from .case_play import parse, play

CASES = sorted((Path(__file__).parent / "cases").glob("*.txt"))
SHOWN = ("liquidation", "backstop", "deleverage", "bad_debt", "haircut", "order_rejected")


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_golden_case(path: Path) -> None:
    text = path.read_text()
    case = parse(text)
    events, state = play(case, shown=SHOWN)
    check_or_update(path, text, case, {"events": events, "expected": state})


def test_there_is_a_case_per_branch_and_trigger() -> None:
    stems = {p.stem for p in CASES}
    for branch in ("book", "vault", "book-again", "gap-adl", "adl-cap", "socialized"):
        for trigger in ("deficit", "takeover"):
            assert f"{branch}-{trigger}" in stems
    assert {"solvent-held-deficit", "solvent-adl-takeover", "own-close-refused"} <= stems
    assert "flat-deficit" in stems
