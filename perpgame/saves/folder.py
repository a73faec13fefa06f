"""The saves folder as one running game uses it: notices, writes, reads that set damage aside.

Nothing here raises for a bad file or an unwritable folder: the player is told through
:attr:`SaveFolder.notices` and the game goes on with what is still good.
"""

from __future__ import annotations

import contextlib
import os
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from perpgame.saves.errors import Damaged, Newer
from perpgame.saves.files import (
    atomic_create,
    atomic_write,
    dump,
    read_bytes,
    reason,
    remove_debris,
    set_aside,
)
from perpgame.saves.locks import INSTANCE_LOCK, instance_name, try_lock, unlock
from perpgame.saves.migrations import decode, explain
from perpgame.session.limits import clip

PROFILE_FILE = "profile.json"
RESUME_FILE = "resume.json"
REPLAYS_DIR = "replays"

Salvage = Callable[[dict[str, Any]], tuple[BaseModel | None, str]]
"""Given a document that failed validation, the model of what is still good and what that is."""


class SaveFolder:
    """One game's use of a saves folder: its notices, its instance lock, writing and reading."""

    def __init__(self, root: Path, *, levels_folder: Path | None, clock: Callable[[], str]) -> None:
        self.root = root
        self.levels_folder = levels_folder
        """Where levels are looked up by id (None: the shipped folder or ``$PERPGAME_LEVELS``)."""
        self.notices: list[str] = []
        """Plain sentences for the player, oldest first (see :meth:`take_notices`)."""
        self._clock = clock
        self._said: set[str] = set()
        self._blocked: set[str] = set()
        self.instance = instance_name()
        self._instance_fd: int | None = None
        self.shared_with: str | None = None
        """Set by :meth:`claim`: the other running game on this folder (``pid 4242 on HOST``)."""

    # ------------------------------------------------------------ paths and notices
    @property
    def profile_path(self) -> Path:
        return self.root / PROFILE_FILE

    @property
    def resume_path(self) -> Path:
        return self.root / RESUME_FILE

    @property
    def replays_dir(self) -> Path:
        return self.root / REPLAYS_DIR

    def take_notices(self) -> list[str]:
        """The notices not yet shown, and forget them (each distinct one is told only once)."""
        out, self.notices = self.notices, []
        return out

    def notice(self, text: str) -> None:
        """Tell the player ``text``, unless this game already told it."""
        if text not in self._said:
            self._said.add(text)
            self.notices.append(text)

    def is_blocked(self, path: Path) -> bool:
        """Whether ``path`` holds a damaged file that could not be set aside (never overwritten)."""
        return str(path) in self._blocked

    # ------------------------------------------------------------ one folder, several games
    def claim(self) -> bool:
        """Start using the folder as a running game: True when no other game is running on it.

        Takes the folder's instance lock for as long as this folder object lives (the OS drops it
        when the process ends, however it ends). When another game holds it, a notice says so.
        Then removes the temporary files that crashed saves left behind (all of them when this
        is the only game; only old ones otherwise, as another game may be writing one).
        """
        alone = True
        if self._instance_fd is None:
            alone = self._take_instance_lock()
        remove_debris((self.root, self.replays_dir), everything=alone)
        return alone

    def _take_instance_lock(self) -> bool:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.root / INSTANCE_LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            return True  # an unwritable folder: nothing to share, and the writes will say so
        if try_lock(fd):
            self._instance_fd = fd
            self._closer = weakref.finalize(self, os.close, fd)  # a dropped store lets go
            with contextlib.suppress(OSError):  # who holds it, for the next game to name
                os.ftruncate(fd, 0)
                os.lseek(fd, 0, os.SEEK_SET)
                os.write(fd, self.instance.encode())
            return True
        try:
            other = os.read(fd, 200).decode("utf-8", "replace").strip() or "another process"
        except OSError:
            other = "another process"
        os.close(fd)
        self.shared_with = clip(other, 80)
        self.notice(
            f"Another perpgame ({self.shared_with}) is running on this saves folder ({self.root}). "
            "Both games' progress is kept, but a game in progress can be resumed by only one of "
            "them: the last to save it wins."
        )
        return False

    def release(self) -> None:
        """Stop holding the folder (the process ending does the same)."""
        fd, self._instance_fd = self._instance_fd, None
        if fd is not None:
            unlock(fd)
            self._closer()  # closes fd, once

    # ------------------------------------------------------------ writing and reading
    def write(self, path: Path, model: BaseModel, what: str) -> bool:
        """Atomically write a model; False and a notice when it cannot be done."""
        if self.is_blocked(path):
            self.notice(
                f"{path} was not saved: the damaged file there could not be set aside, and "
                f"overwriting it would lose it. {what}"
            )
            return False
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, dump(model))
        except OSError as exc:
            self.notice(f"Could not save {path}: {reason(exc)}. {what}")
            return False
        return True

    def write_new(
        self, folder: Path, name: Callable[[list[str]], Path], model: BaseModel, what: str
    ) -> Path | None:
        """Atomically write a model into ``folder`` under a name no file has, never over another
        file: ``name`` picks one given the names taken, and picks again when another game took it
        meanwhile. The path; None and a notice when it cannot be done."""
        data = dump(model)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for _ in range(100):
                path = name([p.name for p in folder.iterdir()])
                with contextlib.suppress(FileExistsError):
                    atomic_create(path, data)
                    return path
        except OSError as exc:
            self.notice(f"Could not save in {folder}: {reason(exc)}. {what}")
            return None
        self.notice(f"Could not save in {folder}: other games kept taking the name. {what}")
        return None

    def set_aside(self, path: Path, tag: str) -> Path | None:
        """Rename ``path`` to ``path.<tag>-<UTC time>`` (never over an existing file)."""
        return set_aside(path, tag, self._clock())

    def load(
        self,
        path: Path,
        kind: str,
        model: type[BaseModel],
        fallback: str,
        salvage: Salvage | None = None,
    ) -> BaseModel | None:
        """Read a save: the model, or None when there is no file.

        A file that cannot be used is set aside (bytes intact) with a notice naming it and what
        was wrong. Then ``salvage`` (given the migrated document, when it was JSON of the right
        kind and version that failed validation) may rescue what is still good: its model is
        returned and the notice says what was kept. Otherwise None.
        """
        try:
            data = read_bytes(path)
        except Damaged as exc:
            data, problem = b"", str(exc)
        except OSError as exc:
            data, problem = b"", f"it cannot be read ({reason(exc)})"
        else:
            if data is None:
                return None
            problem = ""
        tag = "damaged"
        rescued: BaseModel | None = None
        if not problem:
            try:
                doc = decode(data, kind)
                return model.model_validate(doc)
            except Newer as exc:
                tag = "newer"
                problem = (
                    f"it was written by a newer perpgame (format version {exc.version}; this one "
                    f"reads up to version {exc.newest})"
                )
            except Damaged as exc:
                problem = str(exc)
            except ValidationError as exc:
                problem = f"it does not check out ({explain(exc)})"
                if salvage is not None:
                    rescued, kept = salvage(doc)
                    if rescued is not None and kept:
                        fallback = f"Kept what was still good: {kept}."
        self._set_aside_or_block(path, tag, f"{path} could not be used: {problem}.", fallback)
        return rescued

    def _set_aside_or_block(self, path: Path, tag: str, problem: str, fallback: str) -> None:
        aside = self.set_aside(path, tag)
        if aside is not None:
            where = f"It was set aside as {aside.name}, unchanged."
        else:
            self._blocked.add(str(path))
            where = "It could not be set aside, so it is left as it is and will not be overwritten."
        self.notice(f"{problem} {where} {fallback}")
