"""``resume.json``: the game in progress, saved as level, seed, tick and inputs, and rebuilt.

A resume save is replayed headless to the saved tick and must reach exactly the saved state hash;
otherwise it is set aside as stale. It names the running game that wrote it, so a finished game
never clears the game in progress of another game running on the folder.
"""

from __future__ import annotations

import re

from perpgame.saves.errors import Damaged, LevelProblem
from perpgame.saves.files import fsync_dir, peek, read_bytes, reason
from perpgame.saves.folder import SaveFolder
from perpgame.saves.locks import is_running
from perpgame.saves.models import HEX64, Profile, ResumeSave
from perpgame.saves.profiles import ProfileBook
from perpgame.saves.saved_level import find_saved_level, relative_level_file
from perpgame.session import PLAYING, GameSession


class ResumeSlot:
    """The one game in progress a folder keeps for resuming."""

    def __init__(self, folder: SaveFolder, profiles: ProfileBook) -> None:
        self._folder = folder
        self._profiles = profiles

    def save(self, session: GameSession) -> bool:
        """Save the game in progress to ``resume.json`` (on quit and every few seconds).

        A finished game is not saved (False). Inputs queued with ``submit()`` but not yet applied
        by a ``step()`` are saved at the next tick, where they would have been applied: a rule
        picked before the first tick, or an order typed while paused, is not lost on quitting.
        """
        if session.status != PLAYING:
            return False
        folder = self._folder
        level = session.level
        if not re.fullmatch(HEX64, level.sha256 or ""):
            folder.notice(
                f"The level {level.id!r} was not loaded from a file, so this game cannot be saved "
                "for resuming."
            )
            return False
        save = ResumeSave(
            level_id=level.id,
            level_sha256=level.sha256,
            level_file=relative_level_file(level, folder.root),
            seed=session.seed,
            tick=session.tick,
            inputs=[*session.input_log, *session.queued],
            state_hash=session.state_hash(),
            instance=folder.instance,
        )
        ok = folder.write(
            folder.resume_path,
            save,
            "The game goes on, but it cannot be resumed after quitting.",
        )
        if self._profiles.profile().last_level != level.id:

            def note_level(profile: Profile) -> None:
                profile.last_level = level.id

            self._profiles.update(note_level)
        return ok

    def load(self) -> ResumeSave | None:
        """The resume save, validated; None when there is none or it is damaged (set aside)."""
        folder = self._folder
        save = folder.load(folder.resume_path, "resume", ResumeSave, "There is no game to resume.")
        assert save is None or isinstance(save, ResumeSave)
        return save

    def session(self) -> GameSession | None:
        """The saved game, replayed headless to its tick, ready to go on.

        None, with a notice, when there is no save, it is damaged, its level is unknown or has
        changed, or the replay does not reach the saved state; such a save is set aside.
        """
        save = self.load()
        if save is None:
            return None
        folder = self._folder
        try:
            level = find_saved_level(
                save.level_id,
                save.level_sha256,
                save.level_file,
                folder.levels_folder,
                (folder.root,),
            )
        except LevelProblem as exc:
            self._refuse(str(exc))
            return None
        if save.tick > level.tick_limit:
            self._refuse(f"it is at tick {save.tick}, after the level's end")
            return None
        session = GameSession(level, save.seed)
        session.schedule(save.inputs)
        session.run(save.tick)
        if (session.tick, session.status, session.state_hash()) != (
            save.tick,
            PLAYING,
            save.state_hash,
        ):
            self._refuse(
                "replaying its inputs does not reach the saved game (this perpgame plays the "
                "level differently from the one that saved it)"
            )
            return None
        return session

    def _refuse(self, problem: str) -> None:
        path = self._folder.resume_path
        aside = self._folder.set_aside(path, "stale")
        if aside is not None:
            where = f"It was set aside as {aside.name}."
        else:
            where = "It is left as it is."
        self._folder.notice(
            f"The saved game in {path} cannot be resumed: {problem}. {where} "
            "Start the level again to play it."
        )

    def clear(self) -> None:
        """Forget the game in progress (it was finished or abandoned)."""
        path = self._folder.resume_path
        if self._folder.is_blocked(path):
            return
        try:
            path.unlink()
        except (FileNotFoundError, NotADirectoryError):
            return
        except OSError as exc:
            self._folder.notice(f"Could not remove {path}: {reason(exc)}.")
            return
        fsync_dir(path.parent)

    def clear_of(self, level_id: str) -> None:
        """Forget the game in progress if it is of ``level_id`` and no other running game's."""
        try:
            data = read_bytes(self._folder.resume_path)
        except (Damaged, OSError):
            return
        if data is None or peek(data, "level_id") != level_id:
            return
        writer = peek(data, "instance")
        if isinstance(writer, str) and writer != self._folder.instance and is_running(writer):
            return  # the game in progress of another game running on this folder
        self.clear()
