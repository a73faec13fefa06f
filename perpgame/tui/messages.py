"""The app-wide messages: screens ask, the app decides (messages up, methods down).

A screen or widget never calls the app to go somewhere; it posts one of these to the app
(``self.app.post_message(OpenBriefing(level))``) and the app's ``@on(...)`` handler does the
navigation. So the screens do not import the app, and an app made for a test (or the bench) that
handles none of them simply ignores them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual.message import Message

from perpgame.level import Level
from perpgame.session import GameSession


@dataclass
class PlayLevel(Message):
    """Play ``level`` from its first tick, as a game of the player's."""

    level: Level


@dataclass
class OpenBriefing(Message):
    """Open ``level``'s briefing (a locked level is refused with a notice)."""

    level: Level


@dataclass
class OpenLevels(Message):
    """Back to the title, then the levels list."""


@dataclass
class OpenLab(Message):
    """Back to the title, then the policy lab (any level under every ADL rule)."""


@dataclass
class ContinueGame(Message):
    """The title's Continue: resume the saved game, else the next level's briefing."""


@dataclass
class ShowHelp(Message):
    """How to play: the keys and how the exchange works."""


@dataclass
class ShowSaveNotices(Message):
    """Tell the player what the save store had to do (a damaged file set aside, ...)."""


@dataclass
class WatchReplay(Message):
    """Watch a recorded game again: ``make`` builds its session (nothing is saved)."""

    make: Callable[[], GameSession]


@dataclass
class WatchAgain(Message):
    """Watch the game last watched (a demo, a replay) again from its start."""


@dataclass
class StartDemo(Message):
    """The title's Demo: the autopilot plays the last level once."""


@dataclass
class NextDemo(Message):
    """The attract-mode demo goes on with its next level."""


@dataclass
class StopDemo(Message):
    """Leave the demo (``perpgame demo`` exits; the title's demo goes back to the title)."""


@dataclass
class PlayFromDemo(Message):
    """From a demo's debrief: the player plays the level just shown, from its start."""

    level: Level


@dataclass
class RestartFromDemo(Message):
    """From the take-over dialog: the visitor plays the demo's level from its start."""

    level: Level


@dataclass
class TookOver(Message):
    """The player has taken the controls of a watched game: it is theirs from now on."""

    session: GameSession


__all__ = [
    "ContinueGame",
    "NextDemo",
    "OpenBriefing",
    "OpenLab",
    "OpenLevels",
    "PlayFromDemo",
    "PlayLevel",
    "RestartFromDemo",
    "ShowHelp",
    "ShowSaveNotices",
    "StartDemo",
    "StopDemo",
    "TookOver",
    "WatchAgain",
    "WatchReplay",
]
