"""Adding an ADL policy is one new module and one ``register(...)`` line (docs/mechanics.md).

The module below is the example of docs/mechanics.md "Adding a policy", word for word; the
test registers it the way ``perpgame/engine/adl/__init__.py`` registers the shipped ones, and
then the engine, the lab's policy list and ``get_policy`` know it with nothing else changed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import ClassVar

import pytest

from perpgame.engine.adl import POLICIES, get_policy, register
from perpgame.engine.adl.base import AdlPolicy, Position, check_candidates
from perpgame.engine.rng import Rng
from perpgame.session.lab import policy_names

from .test_adl import SET, allocs, order
from .test_adl_predictions import Q, crash


class SmallestFirstPolicy(AdlPolicy):
    """Smallest winning position first, ties by account id (an example, no venue's rule)."""

    name: ClassVar[str] = "smallest_first"
    closes_losers: ClassVar[bool] = False
    description: ClassVar[str] = "Closes the smallest winning positions first."

    def rank(self, positions: Sequence[Position], rng: Rng) -> list[Position]:
        check_candidates(positions)
        return sorted(positions, key=lambda p: (p.pnl <= 0, abs(p.size), p.account))


@pytest.fixture
def registered() -> Iterator[None]:
    register(SmallestFirstPolicy)  # the one line in perpgame/engine/adl/__init__.py
    try:
        yield
    finally:
        del POLICIES["smallest_first"]


def test_a_registered_policy_is_known_everywhere(registered):
    assert isinstance(get_policy("smallest_first"), SmallestFirstPolicy)
    assert "smallest_first" in policy_names("all")
    # SET's winners by size: 5 (4), 10 (1), 40 (2), then the loser 3. 12 lots: all 5 of
    # account 4, then 7 of account 1's 10.
    assert order(get_policy("smallest_first"), SET) == [4, 1, 2, 3]
    assert allocs(get_policy("smallest_first").allocate(SET, 12, Rng(0))) == [(4, 5, 1), (1, 7, 2)]


def test_the_waterfall_runs_it(registered):
    # the crash of test_adl_predictions: the smallest winners are the crowd's 1-coin shorts,
    # crowd1 first by id, and it holds 10,000 >= 8,000 lots
    ids, ep, _, m = crash("smallest_first")
    assert [(h.account, h.lots) for h in ep.hits] == [(ids["crowd1"], Q)]
    assert m.check() == []


def test_a_name_registered_twice_is_refused(registered):
    with pytest.raises(ValueError, match="registered twice"):
        register(SmallestFirstPolicy)
