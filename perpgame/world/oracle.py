"""The index price: what the outside world says the coin is worth, as a seeded path.

The oracle is the one thing in the game that is not made by orders: the spot price on other
exchanges. Bots read it (market makers quote around it, arbitrageurs pull the book toward it) and
the mark price is built from it. A level shapes it with keyframes (glide to this price by that
tick), noise, drift, and scripted shocks: :meth:`Oracle.gap` (an instant jump),
:meth:`Oracle.move` and :meth:`Oracle.move_to` (a glide over some ticks).

Everything is integer arithmetic: the price is kept internally in millionths of a cent, the noise
of a tick is the sum of three uniform integer draws (an approximate normal with standard
deviation close to ``volatility_ppm``), so no floating-point call ever decides a price.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

from perpgame.engine.rng import Rng
from perpgame.engine.units import PPM
from perpgame.world.state import attributes

FINE = 1_000_000
"""Internal price units per cent: small moves accumulate instead of rounding away."""

MAX_VOLATILITY_PPM = 300_000
"""Noise is capped so that three draws can never move the price by 90% or more in one tick."""


def _ppm_of(value: int, ppm: int) -> int:
    """``value * ppm / 1e6`` truncated toward zero (symmetric for ups and downs)."""
    product = value * ppm
    q = abs(product) // PPM
    return q if product >= 0 else -q


def _div(num: int, den: int) -> int:
    """``num / den`` truncated toward zero (``den`` > 0)."""
    q = abs(num) // den
    return q if num >= 0 else -q


class Oracle:
    """The index (external spot) price as a seeded path.

    Each tick, in this order: a pending gap is applied, then drift, then noise, then the active
    glide (a ``move``/``move_to``, else the next keyframe) pulls the price the rest of the way
    toward its target, so a glide lands exactly on its target at its last tick whatever the noise
    did on the way. A gap does not change the target of an active glide. ``step(t)`` runs every
    tick up to ``t`` one by one, so the path does not depend on how often it is called.
    """

    def __init__(
        self,
        start: int,
        rng: Rng,
        *,
        volatility_ppm: int = 0,
        drift_ppm: int = 0,
        keyframes: Sequence[tuple[int, int]] = (),
    ) -> None:
        if start < 1:
            raise ValueError(f"the oracle's start price must be at least 1 cent, got {start}")
        for tick, price in keyframes:
            if tick < 0 or price < 1:
                raise ValueError(f"keyframe ({tick}, {price}): tick must be >= 0, price >= 1 cent")
        self.rng = rng
        self.tick = 0
        self.price = start
        self._fine = start * FINE
        self.volatility_ppm = 0
        self.drift_ppm = drift_ppm
        self.set_volatility(volatility_ppm)
        # sorted by tick, stable: of keyframes at the same tick the last one listed wins
        frames = sorted(((t, p) for t, p in keyframes if t > 0), key=lambda kf: kf[0])
        self._keyframes: deque[tuple[int, int]] = deque(frames)
        self._glide: tuple[int, int] | None = None  # (target in FINE units, end tick)
        self._gap_ppm: int | None = None

    # ---------------------------------------------------------------- shocks
    def gap(self, change_ppm: int) -> None:
        """An instant jump on the next step: ``-300_000`` is -30%. Gaps before a step compound."""
        factor = max(0, PPM + change_ppm)
        if self._gap_ppm is None:
            self._gap_ppm = factor
        else:
            self._gap_ppm = self._gap_ppm * factor // PPM

    def move(self, change_ppm: int, ticks: int) -> None:
        """Glide by ``change_ppm`` of the current price over ``ticks`` ticks (a crash or a rally)."""
        target = self._fine + _ppm_of(self._fine, max(change_ppm, -PPM))
        self._start_glide(target, ticks)

    def move_to(self, price: int, ticks: int) -> None:
        """Glide to ``price`` (cents) over ``ticks`` ticks (a recovery)."""
        self._start_glide(price * FINE, ticks)

    def set_volatility(self, ppm: int) -> None:
        """Per-tick noise, roughly one standard deviation, in ppm of the price."""
        if ppm < 0:
            raise ValueError(f"volatility must not be negative, got {ppm}")
        self.volatility_ppm = min(ppm, MAX_VOLATILITY_PPM)

    def set_drift(self, ppm: int) -> None:
        """A steady change per tick, in ppm of the price (e.g. ``50`` = +0.005% a tick)."""
        self.drift_ppm = ppm

    def _start_glide(self, target_fine: int, ticks: int) -> None:
        self._glide = (max(FINE, target_fine), self.tick + max(1, ticks))

    # ------------------------------------------------------------------ path
    def step(self, tick: int) -> int:
        """Advance to ``tick`` (one tick at a time) and return the index price in cents."""
        while self.tick < tick:
            self._advance()
        return self.price

    def _advance(self) -> None:
        t = self.tick + 1
        self.tick = t
        fine = self._fine
        if self._gap_ppm is not None:
            fine = fine * self._gap_ppm // PPM
            self._gap_ppm = None
        if self.drift_ppm:
            fine += _ppm_of(fine, self.drift_ppm)
        v = self.volatility_ppm
        if v:
            between = self.rng.between
            fine += _ppm_of(fine, between(-v, v) + between(-v, v) + between(-v, v))
        target = self._target(t)
        if target is not None:
            goal, end = target
            if end <= t:
                fine = goal
            else:
                fine += _div(goal - fine, end - t + 1)
        self._fine = max(FINE, fine)
        self.price = (self._fine + FINE // 2) // FINE

    def _target(self, t: int) -> tuple[int, int] | None:
        """The glide in force at tick ``t``, retiring glides and keyframes that end at ``t``."""
        frames = self._keyframes
        glide = self._glide
        if glide is not None:
            while frames and frames[0][0] <= t:  # keyframes overtaken by a scripted move
                frames.popleft()
            if glide[1] <= t:
                self._glide = None
            return glide
        if not frames:
            return None
        tick, price = frames[0]
        if tick > t:
            return price * FINE, tick
        while frames and frames[0][0] <= t:  # several at one tick: the last one wins
            tick, price = frames.popleft()
        return price * FINE, t

    def state_form(self) -> str:
        """The path so far and what is pending (glide, gap, keyframes, rng), as canonical text."""
        return "oracle:" + attributes(self)

    @property
    def gliding(self) -> bool:
        """True while a move or a keyframe is pulling the price toward a target."""
        return self._glide is not None or bool(self._keyframes)
