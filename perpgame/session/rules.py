"""The ADL policies in a player's words: a title, the venue each one models, a short label.

The screens, the stories and the policy picker name a policy by these words; the level files and
the engine use its registered name (``pnl_leverage``). What a policy does is its own
``description`` (``perpgame.engine.adl``); where each rule comes from is in docs/mechanics.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from perpgame.engine.adl import POLICIES


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
    ranks: bool = True
    """Whether a place in its queue means anything: under pro rata every winner pays a slice at
    once, under the profit cut nobody is closed, so nobody is first and no rank is shown."""
    instead: str = ""
    """Under a rule that ranks nobody, what it does instead (``a slice each``)."""

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
        Rule(
            "pro_rata",
            "Every winner a slice, by size",
            "research benchmark",
            "pro rata",
            ranks=False,
            instead="a slice each",
        ),
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
            ranks=False,
            instead="profits cut",
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


def chosen_by(rank: int, policy: str) -> str:
    """Why a winner was deleveraged: ``queue rank 3 under the BitMEX queue rule``, or, under a
    rule without a queue, ``a slice, like every winner, under the pro rata rule``."""
    r = rule(policy)
    if not r.ranks:
        return f"a slice, like every winner, under the {r.short} rule"
    return f"queue rank {rank} under the {r.short} rule"


PLACES = {
    5: ("first out", "closed first"),
    4: ("early out", "closed early"),
    3: ("at risk", "hit in a big wave"),
    2: ("later", "closed late"),
    1: ("last", "closed last"),
}
"""What the ADL lights (BitMEX's five, in 20% steps of the queue) mean for the player, short and
long: five lit is the front fifth, the first winners ADL closes (docs/mechanics.md)."""


def queue_words(
    policy: str, rank: int | None, queue: int, lights: int, *, short: bool, with_rank: bool = True
) -> str:
    """What the player's ADL lights mean under the rule in force, said next to them.

    A ranking rule: ``8/21 at risk`` (short) or ``8/21 hit in a big wave``; a rule that ranks
    nobody says what it does instead: ``profit cut`` or ``no queue: profits cut``. Not a winner
    (``rank`` None): nothing, or ``only winners queue``. ``with_rank=False``: ``at risk`` alone,
    where a narrow line has no room for the place.
    """
    if rank is None:
        return "" if short else "only winners queue"
    r = rule(policy)
    if not r.ranks:
        return r.short if short else f"no queue: {r.instead or r.title}"
    brief, words = PLACES.get(max(1, min(5, lights)), PLACES[1])
    said = brief if short else words
    return f"{rank}/{queue} {said}" if with_rank else said
