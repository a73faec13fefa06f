"""The oracle: seeded, integer, and it lands where the script says."""

from __future__ import annotations

from itertools import pairwise

import pytest

from perpgame.engine.rng import Rng
from perpgame.world.oracle import Oracle


def path(seed: int, ticks: int = 300, **kw) -> list[int]:
    o = Oracle(6_000_000, Rng(seed), **kw)
    return [o.step(t) for t in range(1, ticks + 1)]


def test_same_seed_same_path_and_different_seed_differs():
    assert path(5, volatility_ppm=1_000) == path(5, volatility_ppm=1_000)
    assert path(5, volatility_ppm=1_000) != path(6, volatility_ppm=1_000)


def test_quiet_oracle_stays_put_and_prices_are_ints():
    p = path(1)
    assert p == [6_000_000] * 300
    assert all(type(x) is int for x in path(2, volatility_ppm=2_000))


def test_noise_is_about_the_volatility_asked_for():
    p = path(3, ticks=2_000, volatility_ppm=1_000)
    moves = [abs(b - a) * 1_000_000 // a for a, b in pairwise(p)]
    mean_abs = sum(moves) // len(moves)
    assert 600 <= mean_abs <= 1_000  # mean |N(0, s)| is about 0.8 s


def test_stepping_in_jumps_gives_the_same_path():
    a = Oracle(6_000_000, Rng(9), volatility_ppm=800, keyframes=[(50, 5_000_000)])
    b = Oracle(6_000_000, Rng(9), volatility_ppm=800, keyframes=[(50, 5_000_000)])
    for t in range(1, 101):
        a.step(t)
    b.step(37)
    assert b.step(100) == a.price


def test_drift_compounds():
    o = Oracle(1_000_000, Rng(0), drift_ppm=1_000)
    assert o.step(1) == 1_001_000
    assert o.step(2) == 1_002_001


def test_gap_is_instant_and_compounds():
    o = Oracle(6_000_000, Rng(0))
    o.step(1)
    o.gap(-300_000)
    assert o.price == 6_000_000  # only on the next step
    assert o.step(2) == 4_200_000
    o.gap(-500_000)
    o.gap(100_000)
    assert o.step(3) == 2_310_000


def test_move_glides_linearly_to_the_target_even_with_noise():
    o = Oracle(6_000_000, Rng(4))
    o.step(10)
    o.move(-300_000, 30)
    seen = [o.step(t) for t in range(11, 41)]
    assert seen[-1] == 4_200_000
    assert seen[0] == 5_940_000
    assert seen == sorted(seen, reverse=True)
    noisy = Oracle(6_000_000, Rng(4), volatility_ppm=3_000)
    noisy.move(-300_000, 30)
    assert noisy.step(30) == 4_200_000
    assert noisy.step(31) != 4_200_000  # the noise goes on after the glide


def test_move_to_and_gap_during_a_glide():
    o = Oracle(5_000_000, Rng(2), volatility_ppm=500)
    o.move_to(6_000_000, 20)
    o.step(5)
    o.gap(-200_000)  # a gap does not change where the glide is going
    assert o.step(20) == 6_000_000


def test_keyframes_are_reached_in_turn():
    frames = [(10, 5_000_000), (30, 5_500_000), (40, 5_500_000), (50, 7_000_000)]
    o = Oracle(6_000_000, Rng(8), volatility_ppm=2_000, keyframes=frames)
    at = {t: o.step(t) for t in range(1, 51)}
    assert [at[t] for t, _ in frames] == [p for _, p in frames]
    quiet = Oracle(6_000_000, Rng(8), keyframes=frames)
    assert [quiet.step(t) for t in (5, 20)] == [5_500_000, 5_250_000]
    assert quiet.gliding
    quiet.step(50)
    assert not quiet.gliding


def test_a_scripted_move_overrides_keyframes_then_they_resume():
    o = Oracle(6_000_000, Rng(0), keyframes=[(20, 6_000_000), (100, 3_000_000)])
    o.step(5)
    o.move(-500_000, 30)  # to 3,000,000 by tick 35; the tick-20 keyframe is dropped
    assert o.step(20) < 6_000_000
    assert o.step(35) == 3_000_000
    assert o.step(100) == 3_000_000


def test_price_never_below_one_cent():
    o = Oracle(500, Rng(1), volatility_ppm=300_000)
    o.gap(-1_000_000)
    assert o.step(1) == 1
    assert min(o.step(t) for t in range(2, 500)) >= 1
    o.move(-2_000_000, 3)
    assert o.step(600) >= 1
    o.move_to(0, 2)
    assert o.step(700) == 1


def test_bad_arguments():
    with pytest.raises(ValueError, match="start price"):
        Oracle(0, Rng(0))
    with pytest.raises(ValueError, match="keyframe"):
        Oracle(100, Rng(0), keyframes=[(5, 0)])
    with pytest.raises(ValueError, match="volatility"):
        Oracle(100, Rng(0), volatility_ppm=-1)
