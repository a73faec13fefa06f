"""The cast of trader robots, by archetype name.

Adding a bot is one new module here (with a ``Bot`` subclass whose ``archetype`` is the module's
name, and ``BOT = TheClass`` at the end) plus one line in ``_MODULES``. The order of ``_MODULES``
is the order of ``ARCHETYPES``, and so of anything listed from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import import_module
from typing import Any

from perpgame.engine.rng import Rng
from perpgame.world.bots.base import Bot, BotParams, ParamError, ParamTypeError
from perpgame.world.desk import Desk

_MODULES = (
    "market_maker",
    "noise",
    "momentum",
    "whale",
    "arbitrageur",
    "dip_buyer",
    "degenerate",
    "vault_unwinder",
)


def _load() -> dict[str, type[Bot]]:
    out: dict[str, type[Bot]] = {}
    for name in _MODULES:
        bot: type[Bot] = import_module(f"{__name__}.{name}").BOT
        if bot.archetype != name:
            raise ImportError(f"bot module {name} holds archetype {bot.archetype!r}")
        out[name] = bot
    return out


ARCHETYPES: dict[str, type[Bot]] = _load()


def get_archetype(name: str) -> type[Bot]:
    """The bot class for ``name``; ``ParamError`` lists the known names otherwise."""
    bot = ARCHETYPES.get(name)
    if bot is None:
        raise ParamError(f"unknown bot archetype {name!r}; known: {', '.join(ARCHETYPES)}")
    return bot


def make_bot(
    archetype: str, desk: Desk, params: Mapping[str, Any] | BotParams | None, rng: Rng
) -> Bot:
    """A bot of ``archetype`` on ``desk``, from checked params or a raw table of them."""
    cls = get_archetype(archetype)
    if not isinstance(params, BotParams):
        params = cls.make_params(params)
    return cls(desk, params, rng)


__all__ = [
    "ARCHETYPES",
    "Bot",
    "BotParams",
    "ParamError",
    "ParamTypeError",
    "get_archetype",
    "make_bot",
]
