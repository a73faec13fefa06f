"""Auto-deleveraging (ADL) policies: who on the winning side is closed, in what order, and how much.

When the liquidation waterfall cannot place a bankrupt position anywhere else, it closes positions
on the other side of the market against it. Each policy reproduces one venue's rule (see
``docs/mechanics.md``), lives in its own module here, and is looked up by name with
:func:`get_policy`:

* ``pnl_leverage`` - BitMEX (Bybit words it alike): profit percentage times effective leverage.
* ``hyperliquid`` - Hyperliquid's ``(mark / entry) * (notional / account value)`` index.
* ``pro_rata`` - every winner closed in proportion to its size (Chitra's contracts pro-rata).
* ``largest_first`` - the biggest winner first (Chitra's extreme queue).
* ``random`` - dYdX v4: a seeded random starting point, then round-robin.
* ``socialized_loss`` - nobody is closed; the deficit is charged to profits, pro rata.
* ``water_fill`` - Campbell et al.: drain the highest leverage first, to one level.
* ``binance`` - Binance's LeveragePnL: profit on collateral times margin ratio.

Every comparison that decides an order is exact: scores are rationals compared through integer keys
(see :func:`perpgame.engine.adl.base.exact_keys`), infinities are explicit tiers, and ties go to
the lower account id, so an order is total and the same on every machine. The only randomness
comes from the :class:`Rng` passed in by the market.

A new policy is one new module (a subclass of :class:`AdlPolicy`) and one ``register(...)`` line here.
"""

from __future__ import annotations

from perpgame.engine.adl.base import (
    AdlPolicy,
    Allocation,
    Position,
    QueueSpot,
    Score,
    UnknownPolicyError,
    largest_remainder,
    lights_for_percentile,
    pro_rata_haircut,
)
from perpgame.engine.adl.binance import BinancePolicy
from perpgame.engine.adl.hyperliquid import HyperliquidPolicy, hyperliquid_index
from perpgame.engine.adl.largest_first import LargestFirstPolicy
from perpgame.engine.adl.pnl_leverage import PnlLeveragePolicy, pnl_leverage_score
from perpgame.engine.adl.pro_rata import ProRataPolicy
from perpgame.engine.adl.random_order import RandomPolicy
from perpgame.engine.adl.socialized_loss import SocializedLossPolicy
from perpgame.engine.adl.water_fill import WaterFillPolicy

__all__ = [
    "POLICIES",
    "AdlPolicy",
    "Allocation",
    "HyperliquidPolicy",
    "LargestFirstPolicy",
    "PnlLeveragePolicy",
    "Position",
    "ProRataPolicy",
    "QueueSpot",
    "RandomPolicy",
    "Score",
    "SocializedLossPolicy",
    "UnknownPolicyError",
    "get_policy",
    "hyperliquid_index",
    "largest_remainder",
    "lights_for_percentile",
    "pnl_leverage_score",
    "pro_rata_haircut",
    "register",
]

POLICIES: dict[str, type[AdlPolicy]] = {}
"""Every ADL policy by name, in the order the game lists them."""


def register(cls: type[AdlPolicy]) -> type[AdlPolicy]:
    """Add ``cls`` to :data:`POLICIES` under its ``name`` (one line per policy below)."""
    if cls.name in POLICIES:
        raise ValueError(f"ADL policy {cls.name!r} is registered twice")
    POLICIES[cls.name] = cls
    return cls


register(PnlLeveragePolicy)
register(HyperliquidPolicy)
register(ProRataPolicy)
register(LargestFirstPolicy)
register(RandomPolicy)
register(SocializedLossPolicy)
register(WaterFillPolicy)
register(BinancePolicy)


def get_policy(name: str) -> AdlPolicy:
    """A fresh policy by name; an unknown name raises :class:`UnknownPolicyError` listing them."""
    try:
        return POLICIES[name]()
    except KeyError:
        known = ", ".join(POLICIES)
        raise UnknownPolicyError(f"unknown ADL policy {name!r}; known: {known}") from None
