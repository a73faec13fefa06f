"""What an ADL policy did, measured: per episode and summed over a run (ADL-LAB.md section 3).

An **episode** is one bankrupt position absorbed in one tick: by closing winners' contracts
(``deleverage`` events) or by charging their profit (``haircut`` events). Notation, per episode:

* ``m`` the mark, ``s_w`` the winners' side (+1 long, -1 short), ``D`` the deficit: the bankrupt
  account's negative equity at the mark before ADL (its ``bad_debt`` events), 0 if it was solvent;
* ``W`` the winners: candidates on the winning side with unrealised profit ``u_a > 0`` at the
  start of the episode, each with ``n_a`` lots and equity ``E_a`` at the mark;
* per account hit: ``d_a`` lots closed (0 for a haircut) and ``h_a`` the cash burden against the
  mark (``h_a = d_a * s_w * (m - P_fill)``, the event's ``lost_pnl``; the haircut's amount).

Money is exact integers in engine cash units (micro-dollars); shares and ratios are exact
``Fraction`` values, turned into floats only in :meth:`EpisodeMeasures.to_dict`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import pairwise

from perpgame.engine.adl import Position


@dataclass(frozen=True, slots=True)
class Hit:
    """One account's part in an episode: ``lots`` closed (0 for a haircut), ``burden`` ``h_a``."""

    account: int
    lots: int
    burden: int


@dataclass(frozen=True, slots=True)
class Episode:
    """One bankrupt position absorbed in one tick, with the winning side as it stood before."""

    tick: int
    bankrupt: int
    mark: int
    deficit: int
    closes: bool
    side: int
    """The winners' side: +1 long, -1 short."""
    candidates: tuple[Position, ...]
    hits: tuple[Hit, ...]


INFINITE = None
"""A leverage with equity <= 0 (shown as infinite)."""


def _lev(lots: int, mark: int, equity: int) -> Fraction | None:
    if lots == 0:
        return Fraction(0)
    if equity <= 0:
        return INFINITE
    return Fraction(lots * mark, equity)


def _max_lev(values: Iterable[Fraction | None]) -> Fraction | None:
    best: Fraction | None = Fraction(0)
    for v in values:
        if v is INFINITE:
            return INFINITE
        if best is not None and v > best:
            best = v
    return best


def deficit(ep: Episode) -> int:
    """``D``: the bankrupt's negative equity at the mark before ADL (0 when it was solvent)."""
    return ep.deficit


def cash_taken(ep: Episode) -> int:
    """``sum h_a``: what the winners gave up against the mark."""
    return sum(h.burden for h in ep.hits)


def overshoot(ep: Episode) -> int:
    """``O = sum h_a - D``: taken beyond the deficit (0 for an exact contract policy at ``P_b``)."""
    return cash_taken(ep) - ep.deficit


def accounts_hit(ep: Episode) -> int:
    """``#{a : d_a > 0 or h_a > 0}``."""
    return sum(1 for h in ep.hits if h.lots > 0 or h.burden > 0)


def closed_notional(ep: Episode) -> int:
    """``sum d_a * m``: forced-closed notional (0 for a haircut)."""
    return sum(h.lots for h in ep.hits) * ep.mark


def top_one(hits: Sequence[Hit]) -> tuple[int | None, int, Fraction]:
    """``(a*, h_a*, h_a* / sum h)`` for the largest burden, ties to the lower account id."""
    total = sum(h.burden for h in hits)
    if not hits or total <= 0:
        return None, 0, Fraction(0)
    best = min(hits, key=lambda h: (-h.burden, h.account))
    return best.account, best.burden, Fraction(best.burden, total)


def gini(burdens: Sequence[int]) -> Fraction:
    """``G = sum_i sum_j |h_i - h_j| / (2 * |W| * sum h)`` over the winners, zeros included.

    Computed on the sorted burdens as ``sum_i (2i - n + 1) h_(i) / (n * sum h)`` (0-based,
    ascending), which is the same number. 0 when nobody paid.
    """
    total = sum(burdens)
    n = len(burdens)
    if n == 0 or total <= 0:
        return Fraction(0)
    ordered = sorted(burdens)
    return Fraction(sum((2 * i - n + 1) * h for i, h in enumerate(ordered)), n * total)


def _profit(p: Position) -> int:
    return max(0, p.pnl)


def _burdens(ep: Episode) -> dict[int, Hit]:
    return {h.account: h for h in ep.hits}


def winners(ep: Episode) -> list[Position]:
    """``W``: candidates in profit at the start of the episode."""
    return [p for p in ep.candidates if p.pnl > 0]


def max_profit_seized(ep: Episode) -> Fraction:
    """``max_{a in W} h_a / u_a``; above 1 means principal was touched."""
    hits = _burdens(ep)
    best = Fraction(0)
    for p in winners(ep):
        h = hits.get(p.account)
        if h is not None and h.burden > 0:
            best = max(best, Fraction(h.burden, _profit(p)))
    return best


def losers_hit(ep: Episode) -> int:
    """Accounts hit that were not in profit (``u_a = 0``): a queue that reached past the winners."""
    profit = {p.account for p in winners(ep)}
    return sum(1 for h in ep.hits if h.account not in profit and (h.lots or h.burden))


def max_leverage_before(ep: Episode) -> Fraction | None:
    """``max_{a in W} n_a * m / E_a`` (None = infinite: a winner with equity <= 0)."""
    return _max_lev(_lev(abs(p.size), ep.mark, p.equity) for p in winners(ep))


def max_leverage_after(ep: Episode) -> Fraction | None:
    """``max_{a in W} (n_a - d_a) * m / (E_a - h_a)``: the Campbell et al. objective."""
    hits = _burdens(ep)
    out = []
    for p in winners(ep):
        h = hits.get(p.account, Hit(p.account, 0, 0))
        out.append(_lev(abs(p.size) - h.lots, ep.mark, p.equity - h.burden))
    return _max_lev(out)


def lost_upside(ep: Episode, price: int) -> int:
    """``sum d_a * s_w * (P - m)``: what the closed lots would have made had the price gone to ``P``.

    Negative when the price went against the winners (the close saved them money).
    """
    return sum(h.lots for h in ep.hits) * ep.side * (price - ep.mark)


def move_price(mark: int, side: int, ppm: int) -> int:
    """The mark moved ``ppm`` in the winners' favour (negative: against them), to the cent."""
    return mark + side * (mark * ppm // 1_000_000)


def inversions(ep: Episode) -> int:
    """Adjacent rank inversions: sort W by ``u`` desc (ties id); count adjacent pairs ``i, i+1``
    whose post-ADL endowment ``u - h`` order strictly flips (``u_i - h_i < u_j - h_j``)."""
    hits = _burdens(ep)
    ordered = sorted(winners(ep), key=lambda p: (-_profit(p), p.account))
    after = [_profit(p) - (hits[p.account].burden if p.account in hits else 0) for p in ordered]
    return sum(1 for a, b in pairwise(after) if a < b)


def _ratio(x: Fraction | None) -> float | None:
    return None if x is None else round(float(x), 6)


@dataclass(frozen=True, slots=True)
class EpisodeMeasures:
    """Every measure of one episode (see the functions above for the formulas)."""

    tick: int
    bankrupt: int
    deficit: int
    cash_taken: int
    overshoot: int
    accounts_hit: int
    losers_hit: int
    closed_notional: int
    top1_account: int | None
    top1_amount: int
    top1_share: Fraction
    gini: Fraction
    max_profit_seized: Fraction
    max_leverage_before: Fraction | None
    max_leverage_after: Fraction | None
    lost_upside_later: int
    lost_upside_up10: int
    lost_upside_down10: int
    inversions: int
    winners: int
    burdens: dict[int, int] = field(default_factory=dict)
    winner_accounts: tuple[int, ...] = ()

    def to_dict(self) -> dict:
        skip = ("burdens", "winner_accounts")
        out = {k: getattr(self, k) for k in self.__dataclass_fields__ if k not in skip}
        for k in ("top1_share", "gini", "max_profit_seized"):
            out[k] = _ratio(out[k])
        for k in ("max_leverage_before", "max_leverage_after"):
            out[k] = _ratio(out[k])
        return out


def measure(ep: Episode, later_price: int, move_ppm: int = 100_000) -> EpisodeMeasures:
    """All measures of ``ep``; ``later_price`` is the mark N ticks later, ``move_ppm`` the +/- move."""
    who, amount, share = top_one(ep.hits)
    hits = _burdens(ep)
    w = winners(ep)
    return EpisodeMeasures(
        tick=ep.tick,
        bankrupt=ep.bankrupt,
        deficit=deficit(ep),
        cash_taken=cash_taken(ep),
        overshoot=overshoot(ep),
        accounts_hit=accounts_hit(ep),
        losers_hit=losers_hit(ep),
        closed_notional=closed_notional(ep),
        top1_account=who,
        top1_amount=amount,
        top1_share=share,
        gini=gini([hits[p.account].burden if p.account in hits else 0 for p in w]),
        max_profit_seized=max_profit_seized(ep),
        max_leverage_before=max_leverage_before(ep),
        max_leverage_after=max_leverage_after(ep),
        lost_upside_later=lost_upside(ep, later_price),
        lost_upside_up10=lost_upside(ep, move_price(ep.mark, ep.side, move_ppm)),
        lost_upside_down10=lost_upside(ep, move_price(ep.mark, ep.side, -move_ppm)),
        inversions=inversions(ep),
        winners=len(w),
        burdens={h.account: h.burden for h in ep.hits if h.burden},
        winner_accounts=tuple(p.account for p in w),
    )


def summarise(
    episodes: Sequence[EpisodeMeasures], group_of: Callable[[int], str] | None = None
) -> dict:
    """One run: sums of money and counts, maxima of ratios, and the run's own top-1 and Gini.

    Run top-1 share and Gini are over each account's burden summed over the run's episodes, every
    account that was a winner in any episode included (with 0 if it paid nothing);
    ``paid_by_group`` sums burdens by the account's group (when ``group_of`` is given).
    """
    per_account = _burden_by_account(episodes)
    hits = [Hit(a, 0, b) for a, b in sorted(per_account.items())]
    who, amount, share = top_one(hits)
    out = {
        "episodes": len(episodes),
        "deficit": _total(episodes, "deficit"),
        "cash_taken": _total(episodes, "cash_taken"),
        "overshoot": _total(episodes, "overshoot"),
        "accounts_hit": sum(1 for b in per_account.values() if b),
        "hits": _total(episodes, "accounts_hit"),
        "losers_hit": _total(episodes, "losers_hit"),
        "closed_notional": _total(episodes, "closed_notional"),
        "top1_account": who,
        "top1_amount": amount,
        "top1_share": _ratio(share),
        "gini": _ratio(gini([b for b in per_account.values()])),
        "max_profit_seized": _ratio(max((e.max_profit_seized for e in episodes), default=0)),
        "max_leverage_before": _ratio(_max_lev(e.max_leverage_before for e in episodes)),
        "max_leverage_after": _ratio(_max_lev(e.max_leverage_after for e in episodes)),
        "lost_upside_later": _total(episodes, "lost_upside_later"),
        "lost_upside_up10": _total(episodes, "lost_upside_up10"),
        "lost_upside_down10": _total(episodes, "lost_upside_down10"),
        "inversions": _total(episodes, "inversions"),
    }
    if group_of is not None:
        out["paid_by_group"] = _paid_by_group(per_account, group_of)
    return out


def _total(episodes: Sequence[EpisodeMeasures], name: str) -> int:
    """The sum of one measure over a run's episodes."""
    return sum(getattr(e, name) for e in episodes)


def _burden_by_account(episodes: Sequence[EpisodeMeasures]) -> dict[int, int]:
    """Each account's burden summed over the run; every winner of any episode is in it (0 if it
    paid nothing)."""
    per_account: dict[int, int] = {}
    for e in episodes:
        for account in e.winner_accounts:
            per_account.setdefault(account, 0)
        for account, burden in e.burdens.items():
            per_account[account] = per_account.get(account, 0) + burden
    return per_account


def _paid_by_group(per_account: dict[int, int], group_of: Callable[[int], str]) -> dict[str, int]:
    """Burdens summed by the paying account's group, groups in order of their first account."""
    groups: dict[str, int] = {}
    for account, burden in sorted(per_account.items()):
        if not burden:
            continue
        g = group_of(account)
        groups[g] = groups.get(g, 0) + burden
    return groups


__all__ = [
    "Episode",
    "EpisodeMeasures",
    "Hit",
    "accounts_hit",
    "cash_taken",
    "closed_notional",
    "deficit",
    "gini",
    "inversions",
    "lost_upside",
    "max_leverage_after",
    "max_leverage_before",
    "max_profit_seized",
    "measure",
    "overshoot",
    "summarise",
    "top_one",
    "winners",
]
