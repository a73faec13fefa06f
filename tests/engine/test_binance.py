"""Binance's LeveragePnL ADL queue, worked by hand against BitMEX's on the same longs.

Mark $200 = 20_000 cents; 1 coin = 10_000 lots; cash in micro-dollars = lots * cents.

    acct  coins entry  pnl     equity   wallet=E-pnl  Binance pnl/max($1,w) * N/E     BitMEX
    1     1     $100   $100    $150     $50           2 * 4/3 = 8/3                    1 * 4/3
    2     1     $150   $50     $60      $10           5 * 10/3 = 50/3                  1/3 * 10/3
    3     2     $100   $200    $400     $200          1 * 1 = 1                        1 * 1
    4     1     $250   -$50    $50      -             0 (not in profit)                negative
    5     1     $190   $10     -$1      -             0 (equity <= 0: margin ratio 0)  +infinity
    6     1     $100   $100    $100.50  $0.50 -> $1   100 * 200/100.5 = 40000/201      1.99
"""

from fractions import Fraction

from perpgame.engine.adl import Position, get_policy
from perpgame.engine.adl.binance import leverage_pnl_score
from perpgame.engine.rng import Rng

COIN, MARK, DOLLAR = 10_000, 20_000, 1_000_000


def long(account: int, coins: int, entry_dollars: int, equity: int) -> Position:
    size = coins * COIN
    return Position(account, size, size * entry_dollars * 100, equity, MARK)


BOOK = [
    long(1, 1, 100, 150 * DOLLAR),
    long(2, 1, 150, 60 * DOLLAR),
    long(3, 2, 100, 400 * DOLLAR),
    long(4, 1, 250, 50 * DOLLAR),
    long(5, 1, 190, -1 * DOLLAR),
    long(6, 1, 100, 100 * DOLLAR + DOLLAR // 2),
]


def test_scores_are_exact():
    scores = [leverage_pnl_score(p).value for p in BOOK]
    assert scores == [Fraction(8, 3), Fraction(50, 3), 1, 0, 0, Fraction(40000, 201)]


def test_queue_differs_from_bitmex():
    binance = [p.account for p in get_policy("binance").rank(BOOK, Rng(0))]
    bitmex = [p.account for p in get_policy("pnl_leverage").rank(BOOK, Rng(0))]
    assert binance == [6, 2, 1, 3, 4, 5]  # zeros (4, 5) tie: by account id
    assert bitmex == [5, 6, 1, 2, 3, 4]


def test_a_short_of_one_and_a_half_coins_is_absorbed_down_the_queue():
    """15_000 lots: acct 6 gives all 10_000, acct 2 the other 5_000."""
    got = get_policy("binance").allocate(BOOK, 15_000, Rng(0))
    assert [(a.account, a.qty, a.rank) for a in got] == [(6, 10_000, 1), (2, 5_000, 2)]
