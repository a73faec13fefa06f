"""Risk: the margin arithmetic every check uses, in one place.

Initial and maintenance margin, the liquidation trigger, the bankruptcy price, the liquidation
price, and the bound a trader's own closing order may not cross. Pure functions of an account's
three ledger integers and the market's rates: nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from perpgame.engine.book import BUY, SELL, OrderBook, OrderType
from perpgame.engine.units import PPM, ceil_div

if TYPE_CHECKING:
    from perpgame.engine.account import Account
    from perpgame.engine.config import MarketConfig

BEYOND_BANKRUPTCY = "beyond_bankruptcy"
"""Reason code: the rest of a trader's own order would have filled past its bankruptcy price."""
IN_LIQUIDATION = "in_liquidation"
"""Reason code: an account below maintenance may only reduce its position."""
NO_LIQUIDITY = "no_liquidity"
"""Reason code: a market or IOC order would fill nothing."""
MARGIN = "margin"
"""Reason code: the order would leave equity below the initial margin (``need``, ``available``)."""


WITHDRAW_NOT_POSITIVE = "withdraw_not_positive"
"""Reason code: a withdrawal of zero or less."""
WITHDRAW_BELOW_MARGIN = "withdraw_below_margin"
"""Reason code: the withdrawal would leave equity below the initial margin in use."""
LEVERAGE_OUT_OF_RANGE = "leverage_out_of_range"
"""Reason code: leverage outside 1x to the market's cap (``cap``)."""
LEVERAGE_NOT_COVERED = "leverage_not_covered"
"""Reason code: at the new leverage the position's initial margin exceeds the equity."""


_MARKET = int(OrderType.MARKET)
_IOC = int(OrderType.IOC)
_POST_ONLY = int(OrderType.POST_ONLY)
_TAKES_ONLY = (_MARKET, _IOC)

REFUSAL_CODES = (
    "house_does_not_trade",
    "bad_side",
    "qty_not_positive",
    "qty_not_lot_multiple",
    "market_has_price",
    "limit_needs_price",
    "price_not_tick_multiple",
    "reduce_only_would_not_reduce",
    "reduce_only_covered",
    NO_LIQUIDITY,
    MARGIN,
    IN_LIQUIDATION,
    BEYOND_BANKRUPTCY,
    "post_only_would_cross",
)
"""Every reason code an order refusal (``order_rejected``) can carry."""

ACCOUNT_REFUSAL_CODES = (
    WITHDRAW_NOT_POSITIVE,
    WITHDRAW_BELOW_MARGIN,
    LEVERAGE_OUT_OF_RANGE,
    LEVERAGE_NOT_COVERED,
)
"""Every reason code :meth:`Market.withdraw` and :meth:`Market.set_leverage` can refuse with."""
"""Every reason code an ``order_rejected`` event can carry."""


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why an order, a withdrawal or a leverage change is refused: a reason code and the numbers
    that go with it.

    The engine never words a refusal; the session's storyteller does (``order_rejected``,
    ``stories.refusal_words``).
    """

    code: str
    need: int = 0
    """The initial margin that must stay covered."""
    available: int = 0
    """The equity that has to cover it."""
    step: int = 0
    leverage: int = 0
    amount: int = 0
    """``withdraw_below_margin``: the withdrawal asked for."""
    cap: int = 0
    """``leverage_out_of_range``: the highest leverage allowed."""


def initial_margin(size: int, price: int, leverage: int) -> int:
    """``|size| * price / leverage``, rounded up to the micro-dollar."""
    return ceil_div(abs(size) * price, leverage)


def maintenance_margin(size: int, mark: int, mmr_ppm: int) -> int:
    """``|size| * mark * mmr``, rounded up to the micro-dollar."""
    return ceil_div(abs(size) * mark * mmr_ppm, PPM)


def is_liquidatable(acct: Account, mark: int, mmr_ppm: int) -> bool:
    """The trigger, used everywhere: a position whose equity is below maintenance at the mark.

    ``equity < maintenance_margin(size, mark, mmr)``, where maintenance is ``|size| * mark * mmr``
    rounded up to the micro-dollar; for an integer equity ``e``, ``e < ceil(x / PPM)`` exactly when
    ``e * PPM < x``, so it is compared without the division (the waterfall asks this of every
    account every tick).
    """
    size = acct.size
    if not size:
        return False
    equity = acct.cash + size * mark - acct.cost
    return equity * PPM < (size if size > 0 else -size) * mark * mmr_ppm


def bankruptcy_price(acct: Account) -> int | None:
    """The price at which equity is zero, rounded so that closing there never leaves a deficit.

    Long: ``B = (cost - cash) / size`` rounded up. Short: ``B = (cash - cost) / |size|`` rounded
    down. None when flat, for a long that cannot go bankrupt at any positive price, and for a
    short that is bankrupt at every positive price (``B`` below one cent). Such a short is not
    rounded up to one cent: closing it there would charge it more than it has, and the bad debt
    would be overstated by the rounding.
    """
    s = acct.size
    if s == 0:
        return None
    if s > 0:
        b = ceil_div(acct.cost - acct.cash, s)
        return b if b > 0 else None
    b = (acct.cash - acct.cost) // -s
    return b if b > 0 else None


def close_bound(acct: Account, taker_fee_ppm: int) -> int | None:
    """The worst price at which the account's own order may close its position, fee included.

    Closing the whole position there leaves equity >= 0 after the taker fee: a long sells at
    no less than ``(cost - cash) / (size * (1 - fee))`` and a short buys at no more than
    ``(cash - cost) / (|size| * (1 + fee))``, moved one more cent inwards so that the fee's
    rounding (up, per fill, at most one unit per lot) cannot tip it below zero.
    Long: a floor (None when any positive price is safe). Short: a ceiling (0 when no positive
    price is safe). None when flat.
    """
    s = acct.size
    if s == 0:
        return None
    if s > 0:
        need = acct.cost - acct.cash
        if need <= 0:
            return None
        return ceil_div(need * PPM, s * (PPM - taker_fee_ppm)) + 1
    have = acct.cash - acct.cost
    if have <= 0:
        return 0
    return max(0, have * PPM // (-s * (PPM + taker_fee_ppm)) - 1)


def liquidation_price(acct: Account, mmr_ppm: int) -> int | None:
    """The price (in cents) at which this position is liquidated, exactly by ``is_liquidatable``.

    Long: the highest price at which equity < maintenance; short: the lowest. From
    ``cash - cost + size*m = |size|*m*mmr``: long ``(cost - cash) / (size * (1 - mmr))``,
    short ``(cash - cost) / (|size| * (1 + mmr))``; then nudged by a cent or two so the answer agrees
    with the integer predicate (maintenance is rounded up to the micro-dollar).
    None when flat or when no positive price liquidates a long.
    """
    s = acct.size
    if s == 0:
        return None
    if s > 0:
        num = (acct.cost - acct.cash) * PPM
        den = s * (PPM - mmr_ppm)
        if num <= 0:
            return None
        guess = num // den
        while guess > 0 and not is_liquidatable(acct, guess, mmr_ppm):
            guess -= 1
        while is_liquidatable(acct, guess + 1, mmr_ppm):
            guess += 1
        return guess if guess > 0 else None
    num = (acct.cash - acct.cost) * PPM
    den = -s * (PPM + mmr_ppm)
    guess = max(1, ceil_div(num, den))
    while guess > 1 and is_liquidatable(acct, guess - 1, mmr_ppm):
        guess -= 1
    while not is_liquidatable(acct, guess, mmr_ppm):
        guess += 1
    return guess


# --------------------------------------------------------------------------------------------------
# Order checks


def open_qty(book: OrderBook, account_id: int) -> tuple[int, int]:
    """Lots the account's resting orders (reduce-only ones aside) would buy and sell."""
    return book.open_qty(account_id)


def margin_in_use(acct: Account, book: OrderBook, mark: int) -> int:
    """Initial margin for the worst case of the position plus every open order filling."""
    buys, sells = open_qty(book, acct.id)
    worst = max(abs(acct.size + buys), abs(acct.size - sells))
    return initial_margin(worst, mark, acct.leverage)


def margin_rejection(
    acct: Account,
    book: OrderBook,
    config: MarketConfig,
    mark: int,
    side: int,
    qty: int,
    price: int | None,
    kind: OrderType,
) -> Refusal | None:
    """Why the order would breach initial margin, or None if it may go in.

    Orders that do not add to the worst-case exposure (position plus all open orders filling)
    always pass. Others are refused while the account is below maintenance (``in_liquidation``),
    and must leave equity, less what the fills would cost against the mark and the taker fee,
    above the initial margin of that worst case.
    """
    buys, sells = book.open_qty(acct.id)
    size = acct.size
    before = max(abs(size + buys), abs(size - sells))
    # plain ints, not OrderType members: an enum attribute costs more than the comparison
    takes_only = kind in _TAKES_ONLY
    limit = None if kind == _MARKET else price
    if kind == _POST_ONLY:  # it never trades on arrival (the book rejects a cross)
        filled = cash = 0
    else:
        filled, cash = book.sweep(side, qty, limit, owner=acct.id)
        if takes_only and filled == 0:
            return Refusal(NO_LIQUIDITY)
    added = filled if takes_only else qty
    if side == BUY:
        buys += added
    else:
        sells += added
    worst = max(abs(size + buys), abs(size - sells))
    if worst <= before:
        return None
    if is_liquidatable(acct, mark, config.maintenance_ppm):
        return Refusal(IN_LIQUIDATION)
    # what the fills would cost against the mark, plus the taker fee on them (apply_rate inlined)
    adverse = side * (cash - filled * mark) - (-cash * config.taker_fee_ppm // PPM)
    if not takes_only and limit is not None:
        adverse += max(0, side * (limit - mark)) * (qty - filled)
    leverage = acct.leverage
    need = -(-worst * mark // leverage)  # initial_margin(worst, mark, leverage), inlined
    available = acct.cash + size * mark - acct.cost - adverse  # equity at the mark, less adverse
    if available < need:
        return Refusal(MARGIN, need=need, available=available, leverage=leverage)
    return None


def bound_own_order(
    acct: Account, config: MarketConfig, side: int, price: int | None, kind: OrderType
) -> tuple[int | None, OrderType, bool, Refusal | None]:
    """Keep a trader's own closing order from filling past the account's bankruptcy price.

    An order that reduces the position may take liquidity only at prices where closing the
    whole position leaves equity >= 0 after the taker fee (:func:`close_bound`). A market order
    becomes an IOC limited there (``bounded``: the caller refuses what it cannot fill with
    ``beyond_bankruptcy``); a limit order priced past it is refused. Returns
    ``(price, kind, bounded, rejection)``.
    """
    if acct.size == 0 or (acct.size > 0) == (side == BUY) or acct.kind == "house":
        return price, kind, False, None
    bound = close_bound(acct, config.taker_fee_ppm)
    if bound is None:
        return price, kind, False, None
    tick = config.tick_size
    if side == SELL:
        bound = -(-bound // tick) * tick
        if kind == _MARKET or price is None:
            return bound, OrderType.IOC, True, None
        return price, kind, False, Refusal(BEYOND_BANKRUPTCY) if price < bound else None
    bound = bound // tick * tick
    if bound <= 0:
        return price, kind, False, Refusal(BEYOND_BANKRUPTCY)
    if kind == _MARKET or price is None:
        return bound, OrderType.IOC, True, None
    return price, kind, False, Refusal(BEYOND_BANKRUPTCY) if price > bound else None
