"""The game session: the one object the TUI and the command line talk to."""

from perpgame.level.actions import PlayerAction
from perpgame.session.commands import CommandError, parse_command
from perpgame.session.game import LOST, PLAYING, WON, GameSession
from perpgame.session.snapshot import Snapshot

__all__ = [
    "LOST",
    "PLAYING",
    "WON",
    "CommandError",
    "GameSession",
    "PlayerAction",
    "Snapshot",
    "parse_command",
]
