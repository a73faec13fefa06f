"""Rng's rejection sampling: the fast paths keep exactly the draws of the plain rule."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from perpgame.engine.rng import Rng

SPAN = 1 << 64


def plain_below(rng: Rng, n: int) -> int:
    """The rule itself: keep a draw below ``2**64 - 2**64 % n``, else draw again."""
    limit = SPAN - SPAN % n
    while True:
        x = rng.next_u64()
        if x < limit:
            return x % n


def state_before(draw: int) -> int:
    """The state whose next ``next_u64`` is ``draw`` (SplitMix64's steps are invertible)."""

    def unshift(y: int, k: int) -> int:
        x = y
        for _ in range(64 // k + 1):
            x = y ^ (x >> k)
        return x

    z = unshift(draw, 31) * pow(0x94D049BB133111EB, -1, SPAN) % SPAN
    z = unshift(z, 27) * pow(0xBF58476D1CE4E5B9, -1, SPAN) % SPAN
    return (unshift(z, 30) - 0x9E3779B97F4A7C15) % SPAN


@given(st.integers(0, SPAN - 1), st.integers(1, SPAN))
def test_below_keeps_the_draws_of_the_plain_rule(seed: int, n: int) -> None:
    fast, plain = Rng(seed), Rng(seed)
    assert [fast.below(n) for _ in range(5)] == [plain_below(plain, n) for _ in range(5)]
    assert fast.state == plain.state


def test_a_draw_in_the_rejected_zone_is_drawn_again() -> None:
    # 2**64 - 1 is at or above the limit for n = 3 (2**64 % 3 == 1) and for 1e6: never kept
    start = state_before(SPAN - 1)
    two_draws = (start + 2 * 0x9E3779B97F4A7C15) % SPAN
    for n in (3, 1_000_000):
        fast, plain = Rng(start), Rng(start)
        assert fast.below(n) == plain_below(plain, n)
        assert fast.state == plain.state == two_draws
    for ppm in (0, 1, 500_000, 1_000_000):
        fast, plain = Rng(start), Rng(start)
        assert fast.chance(ppm) == (plain_below(plain, 1_000_000) < ppm)
        assert fast.state == plain.state == two_draws
