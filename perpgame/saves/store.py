"""The saves folder of one running game: profile, resume save and replays, in one object."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from perpgame.places import saves_dir
from perpgame.saves.files import utc_stamp
from perpgame.saves.folder import SaveFolder
from perpgame.saves.models import Profile, Replay, ResumeSave
from perpgame.saves.profiles import ProfileBook
from perpgame.saves.replay_shelf import ReplayShelf
from perpgame.saves.resume import ResumeSlot
from perpgame.session import GameSession


class SaveStore:
    """The saves folder: profile, resume save and replays, with every failure turned into a notice.

    Nothing here raises for a bad file or an unwritable folder (except :meth:`load_replay`, whose
    caller asked for one particular file): the player is told through :attr:`notices` and the game
    goes on with what is still good.
    """

    def __init__(
        self,
        root: Path | None = None,
        *,
        levels_folder: Path | None = None,
        clock: Callable[[], str] | None = None,
    ) -> None:
        self._folder = SaveFolder(
            Path(root) if root is not None else saves_dir(),
            levels_folder=levels_folder,
            clock=clock or utc_stamp,
        )
        self._profiles = ProfileBook(self._folder)
        self._resume = ResumeSlot(self._folder, self._profiles)
        self._replays = ReplayShelf(self._folder)

    # ------------------------------------------------------------ the folder
    @property
    def root(self) -> Path:
        return self._folder.root

    @property
    def notices(self) -> list[str]:
        """Plain sentences for the player, oldest first (see :meth:`take_notices`)."""
        return self._folder.notices

    @property
    def instance(self) -> str:
        """This running game, as a save names it: ``pid 4242 on HOST``."""
        return self._folder.instance

    def take_notices(self) -> list[str]:
        """The notices not yet shown, and forget them (each distinct one is told only once)."""
        return self._folder.take_notices()

    def claim(self) -> bool:
        """Start using the folder as a running game: True when no other game is running on it.

        Takes the folder's instance lock for as long as this store lives (the OS drops it when
        the process ends, however it ends). When another game holds it, a notice says so (its
        progress and ours both count: every profile write re-reads the file under a lock).
        Then removes the temporary files that crashed saves left behind (all of them when this
        is the only game; only old ones otherwise, as another game may be writing one).
        """
        return self._folder.claim()

    def release(self) -> None:
        """Stop holding the folder (the process ending does the same)."""
        self._folder.release()

    # ------------------------------------------------------------ the profile
    def profile(self) -> Profile:
        """The player's profile; a damaged file is set aside and what is good kept.

        Read again whenever the file has changed since (another game on the folder saved).
        """
        return self._profiles.profile()

    def save_profile(self) -> bool:
        """Write the profile (under the lock); this game's settings and last level win.

        False (and a notice; progress stays in memory) when it cannot be written.
        """
        return self._profiles.save()

    def record_result(self, session: GameSession) -> Profile:
        """Count a finished game: plays, wins, best stars, best P&L, the last level; then save.

        An unfinished game, or one already recorded, changes nothing. A resume save of the same
        level is cleared: that game is over.
        """
        if self._profiles.count(session):
            self._resume.clear_of(session.level.id)
        return self.profile()

    def is_unlocked(self, level_id: str, curriculum_ids: list[str]) -> bool:
        """The first level always; any other once the one before it is completed (won).

        A level outside the curriculum (a sandbox or a file played by path) is always open.
        """
        return self._profiles.is_unlocked(level_id, curriculum_ids)

    def next_level(self, curriculum_ids: list[str]) -> str | None:
        """The first unlocked level not yet completed; None when every level is completed."""
        return self._profiles.next_level(curriculum_ids)

    # ------------------------------------------------------------ resume
    def save_resume(self, session: GameSession) -> bool:
        """Save the game in progress to ``resume.json`` (on quit and every few seconds).

        A finished game is not saved (False). Inputs queued with ``submit()`` but not yet applied
        by a ``step()`` are not part of the save.
        """
        return self._resume.save(session)

    def load_resume(self) -> ResumeSave | None:
        """The resume save, validated; None when there is none or it is damaged (set aside)."""
        return self._resume.load()

    def resume_session(self) -> GameSession | None:
        """The saved game, replayed headless to its tick, ready to go on.

        None, with a notice, when there is no save, it is damaged, its level is unknown or has
        changed, or the replay does not reach the saved state; such a save is set aside.
        """
        return self._resume.session()

    def clear_resume(self) -> None:
        """Forget the game in progress (it was finished or abandoned)."""
        self._resume.clear()

    # ------------------------------------------------------------ replays
    def save_replay(self, session: GameSession) -> Path | None:
        """Save a finished game as ``replays/<level>-<seed>-<n>.json``; None (+ notice) if not."""
        return self._replays.save(session)

    def replays(self) -> list[Path]:
        """The saved replays, oldest name first (by level, seed and number)."""
        return self._replays.paths()

    def load_replay(self, path: str | Path) -> Replay:
        """Read a replay and check its level; :class:`ReplayError` says what is wrong.

        (A damaged replay is not moved: it may be a file the player pointed at.)
        """
        return self._replays.load(path)
