"""What goes wrong with a save, as exceptions; each ``str()`` says why, for people."""

from __future__ import annotations


class Damaged(Exception):
    """A save's bytes cannot be used; ``str()`` says why, for people."""


class Newer(Exception):
    """A save written by a newer perpgame: ``version`` is its, ``newest`` the one this reads."""

    def __init__(self, version: int, newest: int) -> None:
        super().__init__(version)
        self.version = version
        self.newest = newest


class LevelProblem(Exception):
    """The save's level is missing, broken or changed; the message says which."""


class LockTimeout(Exception):
    """Another game held the lock for longer than we wait."""


class ReplayError(Exception):
    """A replay that cannot be shown; the message says why, for people."""
