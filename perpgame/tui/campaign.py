"""The curriculum and the player's way through it: which levels there are, which are open, what
comes next, the stars so far. Plain Python (no Textual), read by the menus and the app alike."""

from __future__ import annotations

from pathlib import Path

from perpgame.level import Level, LevelError, scan_levels
from perpgame.saves import SaveStore


class Campaign:
    """The levels of one folder and the progress a save store keeps of them."""

    def __init__(
        self, levels_dir: Path | None, store: SaveStore, start_level: Level | None = None
    ) -> None:
        """``start_level``: a level given by path (``perpgame play FILE``), found by ``find`` too."""
        self.levels_dir = levels_dir
        self.store = store
        self.start_level = start_level
        self._levels: list[Level] | None = None
        self.level_problems: list[str] = []

    @property
    def levels(self) -> list[Level]:
        """Every level of the folder that loads, in curriculum order (read once)."""
        if self._levels is None:
            try:
                levels, problems = scan_levels(self.levels_dir)
            except LevelError as exc:
                levels, problems = [], exc.problems
            self._levels = levels
            self.level_problems = [str(p) for p in problems]
        return self._levels

    def curriculum_ids(self) -> list[str]:
        return [lv.id for lv in self.levels if lv.meta.order > 0]

    def is_unlocked(self, level: Level) -> bool:
        """Levels open in curriculum order; one outside it (order 0, or a file) is always open."""
        return self.store.is_unlocked(level.id, self.curriculum_ids())

    def next_level(self, level: Level) -> Level | None:
        """The curriculum level after ``level`` (None after the last, or for a level off the list)."""
        ids = self.curriculum_ids()
        if level.id not in ids:
            return None
        i = ids.index(level.id)
        return self.find(ids[i + 1]) if i + 1 < len(ids) else None

    def tally(self) -> tuple[int, int, int]:
        """(levels won, levels in the curriculum, stars earned) for the menus."""
        ids = self.curriculum_ids()
        done = self.store.profile().completed
        won = [done[i] for i in ids if i in done]
        return len(won), len(ids), sum(record.stars for record in won)

    def unlock_hint(self, level: Level) -> str:
        """What opens a locked level: ``Finish 2. Both sides first.``"""
        ids = self.curriculum_ids()
        i = ids.index(level.id) if level.id in ids else 0
        before = self.find(ids[i - 1]) if i > 0 else None
        return f"Finish {before.meta.order}. {before.title} first." if before else ""

    def find(self, level_id: str) -> Level | None:
        for level in self.levels:
            if level.id == level_id:
                return level
        if self.start_level is not None and self.start_level.id == level_id:
            return self.start_level
        return None

    def first_unfinished(self) -> Level | None:
        """The first unlocked curriculum level not completed yet (None when all are done)."""
        level_id = self.store.next_level(self.curriculum_ids())
        return self.find(level_id) if level_id else None

    def demo_level(self) -> Level | None:
        """The level the title's demo plays: the curriculum's last."""
        ordered = [lv for lv in self.levels if lv.meta.order > 0]
        return ordered[-1] if ordered else None


__all__ = ["Campaign"]
