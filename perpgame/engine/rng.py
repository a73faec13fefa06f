"""A small seeded random generator (SplitMix64) that is the same in every process and Python version.

The engine never uses the standard ``random`` module: its algorithms are an implementation detail
of CPython, and the game must replay bit for bit from a seed.
"""

from __future__ import annotations

import math

_MASK = (1 << 64) - 1
_SPAN = 1 << 64
_GOLDEN = 0x9E3779B97F4A7C15
_MIX1 = 0xBF58476D1CE4E5B9
_MIX2 = 0x94D049BB133111EB
_CHANCE_LIMIT = _SPAN - _SPAN % 1_000_000


class Rng:
    """SplitMix64: fast, tiny, and good enough for games and shuffles."""

    __slots__ = ("_state",)

    def __init__(self, seed: int) -> None:
        self._state = seed & _MASK

    def next_u64(self) -> int:
        """The next 64-bit unsigned integer."""
        self._state = (self._state + _GOLDEN) & _MASK
        z = self._state
        z = ((z ^ (z >> 30)) * _MIX1) & _MASK
        z = ((z ^ (z >> 27)) * _MIX2) & _MASK
        return z ^ (z >> 31)

    def below(self, n: int) -> int:
        """A uniform integer in ``[0, n)`` (rejection sampling: no modulo bias).

        A draw ``x`` is kept when ``x < limit = 2**64 - 2**64 % n``. Since ``2**64 % n < n``, every
        ``x <= 2**64 - n`` is below the limit, so the limit (a 64-bit modulo) is only worked out
        for the rare draw above that; the draws kept are the same. ``next_u64`` is inlined: the
        world draws hundreds of thousands of these a game.
        """
        if n <= 0:
            raise ValueError("n must be positive")
        sure = _SPAN - n
        while True:
            state = self._state = (self._state + _GOLDEN) & _MASK
            z = ((state ^ (state >> 30)) * _MIX1) & _MASK
            z = ((z ^ (z >> 27)) * _MIX2) & _MASK
            x = z ^ (z >> 31)
            if x <= sure or x < _SPAN - _SPAN % n:
                return x % n

    def between(self, lo: int, hi: int) -> int:
        """A uniform integer in ``[lo, hi]``."""
        return lo + self.below(hi - lo + 1)

    def chance(self, ppm: int) -> bool:
        """True with probability ``ppm`` / 1e6: ``below(1_000_000) < ppm``, its first draw inlined."""
        state = self._state = (self._state + _GOLDEN) & _MASK
        z = ((state ^ (state >> 30)) * _MIX1) & _MASK
        z = ((z ^ (z >> 27)) * _MIX2) & _MASK
        x = z ^ (z >> 31)
        if x < _CHANCE_LIMIT:
            return x % 1_000_000 < ppm
        return self.below(1_000_000) < ppm  # rejected: draw on, exactly as ``below`` would

    def unit(self) -> float:
        """A float in ``[0, 1)``, for the world's behaviour only (never for money)."""
        return (self.next_u64() >> 11) / float(1 << 53)

    def gauss(self) -> float:
        """A standard normal deviate (Box-Muller), for the world's price paths only."""
        u1 = 1.0 - self.unit()
        u2 = self.unit()
        return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)

    def shuffle(self, items: list) -> None:
        """Fisher-Yates, in place."""
        for i in range(len(items) - 1, 0, -1):
            j = self.below(i + 1)
            items[i], items[j] = items[j], items[i]

    def fork(self, salt: int) -> Rng:
        """An independent generator derived from this one's state and ``salt`` (any salt, 0 too)."""
        return Rng(self._state ^ Rng(salt ^ 0x6A09E667F3BCC909).next_u64())

    @property
    def state(self) -> int:
        return self._state
