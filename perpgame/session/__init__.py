"""The game session: the one object the TUI and the command line talk to."""

from perpgame.session.commands import CommandError, parse_command
from perpgame.session.frame import Frame
from perpgame.session.game import LOST, PLAYING, WON, GameSession
from perpgame.session.inputs import PlayerInput

__all__ = [
    "LOST",
    "PLAYING",
    "WON",
    "CommandError",
    "Frame",
    "GameSession",
    "PlayerInput",
    "parse_command",
]
