"""What the Bot base derives for a bot: its Params from the type argument, teaches from its
docstring, and a setup() run once the desk, the parameters and the rng are in place."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from perpgame.engine.rng import Rng
from perpgame.world.bots import ARCHETYPES
from perpgame.world.bots.base import Bot, BotParams, NoParams, param
from perpgame.world.bots.noise import Noise, NoiseParams
from perpgame.world.desk import Desk
from tests.world.harness import World


@dataclass(frozen=True, slots=True)
class _CounterParams(BotParams):
    start: int = param(3, lo=0, doc="where it starts counting")


class _Counter(Bot[_CounterParams]):
    """It counts   the ticks,
    and nothing else."""

    archetype = "counter"

    def setup(self) -> None:
        self.seen = (self.desk.account_id, self.params.start)
        self.count = self.params.start

    def act(self) -> None:
        self.count += 1


def test_the_type_argument_is_the_params_class() -> None:
    assert _Counter.Params is _CounterParams
    assert Noise.Params is NoiseParams
    assert isinstance(_Counter.make_params(), _CounterParams)


def test_a_bot_without_a_type_argument_has_no_params() -> None:
    class Idle(Bot):
        """It does nothing at all, every tick."""

    assert Idle.Params is NoParams


def test_teaches_is_the_docstring_on_one_line_and_is_inherited() -> None:
    assert _Counter.teaches == "It counts the ticks, and nothing else."

    class Louder(_Counter):
        pass

    assert Louder.teaches == _Counter.teaches
    assert all("\n" not in bot.teaches and "  " not in bot.teaches for bot in ARCHETYPES.values())


def _desk() -> Desk:
    w = World()
    acct = w.market.open_account("bot", "counter", "counter1", cash=0, leverage=1)
    return Desk(w.market, acct.id)


def test_setup_runs_once_the_desk_params_and_rng_are_there() -> None:
    desk = _desk()
    bot = _Counter(desk, _CounterParams(start=5), Rng(1))
    assert bot.seen == (desk.account_id, 5)
    bot.act()
    assert bot.count == 6


def test_the_wrong_params_class_is_refused() -> None:
    with pytest.raises(TypeError, match="counter needs _CounterParams"):
        _Counter(_desk(), NoiseParams(), Rng(1))
