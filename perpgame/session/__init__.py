"""The game session: the one object the TUI and the command line talk to."""

from perpgame.session.game import LOST, PLAYING, WON, GameSession
from perpgame.session.snapshot import Snapshot

__all__ = ["LOST", "PLAYING", "WON", "GameSession", "Snapshot"]
