"""The player picks the ADL rule before the crash, where the level allows it.

A level lists the policies the player may pick in ``market.waterfall.adl_choices``. The pick is an
ordinary recorded input (``PlayerInput`` of kind ``pick_policy``), so a resumed game, a replay and
``perpgame sim --actions`` play it again exactly. It is refused, with a note saying why, in a level
that offers no choice, for a policy the level does not offer, and once the crash has happened:
the first auto-deleverage (a ``deleverage`` or ``haircut`` event) settles who pays, so the rule
cannot change after it. A timeline entry that sets the policy later still applies (level 11
switches rules between its waves).

:data:`RULES` names each policy in plain words, with the venue it models (docs/mechanics.md); what
it does is the policy's own ``description``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from perpgame.engine.adl import POLICIES
from perpgame.level.schema import Level

if TYPE_CHECKING:
    from collections.abc import Iterable

    from perpgame.engine.events import Event
    from perpgame.engine.market import Market

__all__ = ["RULES", "Rule", "apply", "choices", "crash_tick", "refusal", "rule"]


@dataclass(frozen=True, slots=True)
class Rule:
    """An ADL policy as a player reads it."""

    name: str
    """The policy's name in level files (``pnl_leverage``)."""
    title: str
    """What it does, in a few words."""
    venue: str
    """Who runs it (or where it comes from)."""
    short: str
    """A label of at most 15 characters for tables."""

    @property
    def words(self) -> str:
        """Who pays under it: the policy's own description (``AdlPolicy.description``)."""
        policy = POLICIES.get(self.name)
        return policy.description if policy is not None else f"The {self.title} rule."


RULES: dict[str, Rule] = {
    r.name: r
    for r in (
        Rule(
            "pnl_leverage",
            "Queue: most profit x leverage first",
            "BitMEX, Bybit, OKX",
            "BitMEX queue",
        ),
        Rule("binance", "Queue: profit on collateral x margin", "Binance", "Binance queue"),
        Rule("hyperliquid", "Queue: price gain x leverage", "Hyperliquid", "Hyperliquid"),
        Rule(
            "largest_first",
            "Queue: biggest position first",
            "no venue: the extreme case",
            "largest first",
        ),
        Rule("random", "Random order", "dYdX v4", "dYdX random"),
        Rule("pro_rata", "Everyone a slice, by size", "research benchmark", "pro rata"),
        Rule(
            "water_fill",
            "Most levered first, evened out",
            "research optimum (Campbell 2026)",
            "water-fill",
        ),
        Rule(
            "socialized_loss",
            "Nobody closed: profits cut",
            "early BitMEX, Drift, GMX",
            "profit cut",
        ),
    )
}
"""Each policy in plain words, with the venue it models (docs/mechanics.md, ADL policies)."""


def rule(name: str) -> Rule:
    """The plain words for a policy (one without an entry in :data:`RULES` is named as it is)."""
    found = RULES.get(name)
    if found is not None:
        return found
    plain = name.replace("_", " ")
    return Rule(name, plain, "", plain[:15])


def choices(level: Level) -> list[Rule]:
    """The rules the player may pick in ``level``, in the level's order (empty: no pick)."""
    return [rule(name) for name in level.market.waterfall.adl_choices if name in POLICIES]


def crash_tick(waterfall_log: Iterable[Event]) -> int | None:
    """The tick of the game's first auto-deleverage in a game's waterfall events (None before it)."""
    for e in waterfall_log:
        if e.type in ("deleverage", "haircut"):
            return e.tick
    return None


def refusal(level: Level, waterfall_log: Iterable[Event], name: str) -> str | None:
    """Why ``name`` cannot be picked now (None: it can)."""
    offered = level.market.waterfall.adl_choices
    if not offered:
        return "This level's exchange has fixed its ADL rule: there is nothing to pick."
    if name not in offered:
        listed = ", ".join(rule(n).title for n in offered)
        return f"This level does not offer {rule(name).title} ({name}). Pick one of: {listed}."
    at = crash_tick(waterfall_log)
    if at is not None:
        return (
            f"Too late: the crash has happened (the first auto-deleverage, tick {at}). "
            "The rule is picked before the crash."
        )
    return None


def apply(level: Level, market: Market, waterfall_log: Iterable[Event], name: str) -> str:
    """Play a ``pick_policy`` input: switch the market's ADL policy; what to tell the player."""
    refused = refusal(level, waterfall_log, name)
    if refused is not None:
        return refused
    if market.config.adl_policy != name:
        market.reconfigure(market.config.with_changes(adl_policy=name))
    picked = rule(name)
    return f"ADL rule picked: {picked.title} ({picked.venue})."
