"""The player's profile: read when it changed on disk, changed and written under the folder's lock.

Two games may share a folder (two terminals, a terminal and the booth): every profile write
re-reads the file, applies this game's change and writes, under ``.profile.lock``, so both games'
results count.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable

from perpgame.saves.errors import Damaged, LockTimeout
from perpgame.saves.files import read_bytes
from perpgame.saves.folder import SaveFolder
from perpgame.saves.locks import LOCK_SECONDS, PROFILE_LOCK, locked
from perpgame.saves.models import LevelProgress, Profile
from perpgame.saves.salvage import salvage_profile
from perpgame.session import PLAYING, WON, GameSession


class ProfileBook:
    """``profile.json`` of one folder: progress through the curriculum and the settings."""

    def __init__(self, folder: SaveFolder) -> None:
        self._folder = folder
        self._profile: Profile | None = None
        self._seen: object = None
        """What the profile file held when this book last read or wrote it (bytes, None when
        there was no file, a tuple naming a read error)."""
        self._recorded: weakref.WeakSet[GameSession] = weakref.WeakSet()

    def profile(self) -> Profile:
        """The player's profile; a damaged file is set aside and what is good kept.

        Read again whenever the file has changed since (another game on the folder saved).
        """
        if self._profile is None or self._seen != self._on_disk():
            self._profile = self._read()
        return self._profile

    def _on_disk(self) -> object:
        """The profile file's bytes now (None: no file; a tuple when it cannot be read)."""
        try:
            return read_bytes(self._folder.profile_path)
        except (Damaged, OSError) as exc:
            return ("unreadable", str(exc))

    def _read(self) -> Profile:
        loaded = self._folder.load(
            self._folder.profile_path,
            "profile",
            Profile,
            "Starting a fresh profile.",
            salvage_profile,
        )
        assert loaded is None or isinstance(loaded, Profile)
        self._seen = self._on_disk()  # (after a damaged file was set aside)
        return loaded if loaded is not None else Profile()

    def update(self, change: Callable[[Profile], None]) -> bool:
        """Change the profile and write it: read, change and write under the folder's lock.

        When another game wrote the file since this book last saw it, the change is applied to
        what it wrote; so two games on one folder never lose each other's results. When the lock
        or the folder cannot be had, the change is kept in memory and a notice says so.
        """
        folder = self._folder
        what = "Your progress is kept in memory while the game runs."
        if not folder.is_blocked(folder.profile_path):
            try:
                folder.root.mkdir(parents=True, exist_ok=True)
                with locked(folder.root / PROFILE_LOCK, LOCK_SECONDS):
                    profile = self.profile()  # read again if another game wrote meanwhile
                    change(profile)
                    ok = folder.write(folder.profile_path, profile, what)
                    if ok:
                        self._seen = self._on_disk()
                    return ok
            except LockTimeout:
                folder.notice(
                    f"Another perpgame kept the profile in {folder.root} locked for "
                    f"{LOCK_SECONDS:.0f} s, so it was not saved. {what}"
                )
            except OSError:
                pass  # an unwritable folder: write says so below
        profile = self.profile()
        change(profile)
        return folder.write(folder.profile_path, profile, what)

    def save(self) -> bool:
        """Write the profile (under the lock); this game's settings and last level win.

        False (and a notice; progress stays in memory) when it cannot be written.
        """
        mine = self._profile or self.profile()
        settings, last = mine.settings.model_copy(), mine.last_level

        def keep_mine(profile: Profile) -> None:
            profile.settings = settings
            if last is not None:
                profile.last_level = last

        return self.update(keep_mine)

    def count(self, session: GameSession) -> bool:
        """Count a finished game: plays, wins, best stars, best P&L, the last level; then save.

        False, changing nothing, for an unfinished game or one already counted.
        """
        if session.status == PLAYING or session in self._recorded:
            return False
        self._recorded.add(session)
        level_id = session.level.id
        won = session.status == WON
        stars = session.stars if won else 0
        pnl = int(session.metrics["player_pnl"])

        def count(profile: Profile) -> None:
            entry = profile.progress(level_id)
            if entry is None:
                entry = LevelProgress(stars=stars, best_pnl=pnl, plays=1, wins=int(won))
            else:
                entry = LevelProgress(
                    stars=max(entry.stars, stars),
                    best_pnl=max(entry.best_pnl, pnl),
                    plays=entry.plays + 1,
                    wins=entry.wins + int(won),
                )
            if entry.wins:  # (in this order, so that each assignment validates)
                profile.tried = {k: v for k, v in profile.tried.items() if k != level_id}
                profile.completed = {**profile.completed, level_id: entry}
            else:
                profile.tried = {**profile.tried, level_id: entry}
            profile.last_level = level_id

        self.update(count)
        return True

    def is_unlocked(self, level_id: str, curriculum_ids: list[str]) -> bool:
        """The first level always; any other once the one before it is completed (won).

        A level outside the curriculum (a sandbox or a file played by path) is always open.
        """
        if level_id not in curriculum_ids:
            return True
        i = curriculum_ids.index(level_id)
        return i == 0 or self.profile().is_completed(curriculum_ids[i - 1])

    def next_level(self, curriculum_ids: list[str]) -> str | None:
        """The first unlocked level not yet completed; None when every level is completed."""
        for level_id in curriculum_ids:
            if not self.profile().is_completed(level_id):
                return level_id if self.is_unlocked(level_id, curriculum_ids) else None
        return None
