"""Risk: the margin arithmetic every check uses, in one place.

Initial and maintenance margin, the liquidation trigger, the bankruptcy price, the liquidation
price, and the bound a trader's own closing order may not cross. Pure functions of an account's
three ledger integers and the market's rates: nothing here writes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from perpgame.engine.units import PPM, ceil_div

if TYPE_CHECKING:
    from perpgame.engine.account import Account


def initial_margin(size: int, price: int, leverage: int) -> int:
    """``|size| * price / leverage``, rounded up to the micro-dollar."""
    return ceil_div(abs(size) * price, leverage)


def maintenance_margin(size: int, mark: int, mmr_ppm: int) -> int:
    """``|size| * mark * mmr``, rounded up to the micro-dollar."""
    return ceil_div(abs(size) * mark * mmr_ppm, PPM)


def is_liquidatable(acct: Account, mark: int, mmr_ppm: int) -> bool:
    """The trigger, used everywhere: a position whose equity is below maintenance at the mark."""
    return acct.size != 0 and acct.equity(mark) < maintenance_margin(acct.size, mark, mmr_ppm)


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
