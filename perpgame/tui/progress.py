"""Where the app keeps the player's progress: :class:`perpgame.saves.SaveStore` when it is there.

``open_store(root)`` returns the real save store, or, when ``perpgame.saves`` is missing or
cannot open its folder, a :class:`MemoryStore` with the same methods whose progress lasts as long
as the app. The app only ever calls the methods below, so it runs the same with either.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from perpgame.session import GameSession, PlayerAction
from perpgame.session.game import WON

__all__ = ["MemoryStore", "open_store"]


@dataclass
class LevelRecord:
    stars: int
    best_pnl: int
    plays: int


@dataclass
class MemoryProfile:
    completed: dict[str, LevelRecord] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    last_level: str | None = None


@dataclass(frozen=True)
class MemoryResume:
    level_id: str
    tick: int


@dataclass(frozen=True)
class _Saved:
    session: GameSession
    actions: tuple[PlayerAction, ...]
    tick: int


class MemoryStore:
    """Progress for this run only: the methods of ``perpgame.saves.SaveStore``, kept in memory."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root
        self.notices: list[str] = []
        self._profile = MemoryProfile()
        self._plays: dict[str, int] = {}
        self._resume: _Saved | None = None

    def profile(self) -> MemoryProfile:
        return self._profile

    def record_result(self, session: GameSession) -> MemoryProfile:
        level_id = session.level.id
        self._plays[level_id] = self._plays.get(level_id, 0) + 1
        self._profile.last_level = level_id
        pnl = session.metrics["player_pnl"]
        old = self._profile.completed.get(level_id)
        if old is not None:
            old.plays = self._plays[level_id]
        if session.status == WON:
            if old is None:
                self._profile.completed[level_id] = LevelRecord(
                    session.stars, pnl, self._plays[level_id]
                )
            else:
                old.stars = max(old.stars, session.stars)
                old.best_pnl = max(old.best_pnl, pnl)
        return self._profile

    def is_unlocked(self, level_id: str, curriculum_ids: list[str]) -> bool:
        ids = list(curriculum_ids)
        if level_id not in ids:
            return True
        i = ids.index(level_id)
        return i == 0 or ids[i - 1] in self._profile.completed

    def save_resume(self, session: GameSession) -> bool:
        self._resume = _Saved(session, tuple(session.input_log), session.tick)
        return True

    def load_resume(self) -> MemoryResume | None:
        if self._resume is None:
            return None
        return MemoryResume(self._resume.session.level.id, self._resume.tick)

    def resume_session(self) -> GameSession | None:
        """A new session of the saved level, replayed headless to the saved tick."""
        saved = self._resume
        if saved is None:
            return None
        session = GameSession(saved.session.level, saved.session.seed)
        session.schedule(saved.actions)
        session.run(saved.tick)
        return session

    def clear_resume(self) -> None:
        self._resume = None

    def save_replay(self, session: GameSession) -> Path | None:
        return None


def open_store(root: Path | None = None) -> Any:
    """The save store for ``root`` (``None``: ``$PERPGAME_SAVES`` or ``./saves``)."""
    try:
        from perpgame.saves import SaveStore
    except ModuleNotFoundError as exc:
        if exc.name != "perpgame.saves":
            raise
        return MemoryStore(root)
    try:
        return SaveStore(root)
    except OSError as exc:
        store = MemoryStore(root)
        store.notices.append(
            f"Progress cannot be saved ({exc.strerror or exc}); it is kept until you quit."
        )
        return store
