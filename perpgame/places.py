"""Where perpgame reads and writes: the saves folder is decided here, once, and `where` lists all.

The saves folder (progress, settings, the game to continue, replays, table logs) is the user's data folder
(``platformdirs``: ``~/.local/share/perpgame`` on Linux, ``~/Library/Application Support/perpgame``
on macOS), so progress follows the player whichever folder the game is started from.
``--saves DIR`` or ``$PERPGAME_SAVES`` choose another folder.

Versions before 0.2 kept progress in ``./saves`` of the folder the game was started from.
:func:`adopt_old_saves` finds such a folder and copies it into the data folder, never
overwriting a file and never deleting one; a note left in the old folder says where it went.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import platformdirs

__all__ = [
    "ENV_SAVES",
    "OLD_SAVES",
    "Place",
    "adopt_old_saves",
    "default_saves_dir",
    "old_saves_dir",
    "places",
    "saves_dir",
]

ENV_SAVES = "PERPGAME_SAVES"
"""The environment variable naming the saves folder (the CLI sets it from ``--saves DIR``)."""

OLD_SAVES = "saves"
"""The folder, relative to where the game was started, that older versions saved to."""

MOVED_NOTE = "MOVED.txt"
"""The note left in an old saves folder once its files are copied to the data folder."""

_PROGRESS = ("profile.json", "resume.json", "replays")
"""Names whose presence makes a folder hold a player's progress."""

_NOT_COPIED = frozenset({"visitors", MOVED_NOTE})
"""Booth visitors' folders are not progress; the note is ours."""


def default_saves_dir() -> Path:
    """The user's data folder for perpgame (created when something is first saved)."""
    return Path(platformdirs.user_data_dir("perpgame", appauthor=False))


def saves_dir() -> Path:
    """The saves folder: ``$PERPGAME_SAVES`` (or ``--saves``) when set, else the data folder."""
    env = os.environ.get(ENV_SAVES)
    return Path(env).expanduser() if env else default_saves_dir()


def _holds_progress(folder: Path) -> bool:
    return folder.is_dir() and any((folder / name).exists() for name in _PROGRESS)


def old_saves_dir(start: Path | None = None) -> Path | None:
    """``./saves`` of an older version, if it holds progress not yet copied; else None."""
    folder = (Path.cwd() if start is None else start) / OLD_SAVES
    if not _holds_progress(folder) or (folder / MOVED_NOTE).exists():
        return None
    return folder


def adopt_old_saves(start: Path | None = None) -> str | None:
    """Copy an old ``./saves`` into the data folder; a sentence for the player, or None.

    Only when the saves folder is the default one (no ``--saves``/``$PERPGAME_SAVES``). When the
    data folder already holds progress of its own, nothing is copied and the sentence says how to
    play the old folder; no file is ever overwritten or deleted.
    """
    old = old_saves_dir(start)
    if old is None or os.environ.get(ENV_SAVES):
        return None
    new = default_saves_dir()
    if old.resolve() == new.resolve():
        return None
    if _holds_progress(new):
        return (
            f"perpgame: {old.resolve()} holds progress from an older version; it was left as it"
            f" is because {new} has progress of its own. Play it with: perpgame --saves {old}"
        )
    try:
        new.mkdir(parents=True, exist_ok=True)
        for entry in sorted(old.iterdir()):
            if entry.name in _NOT_COPIED or entry.is_symlink():
                continue
            target = new / entry.name
            if entry.is_dir():
                shutil.copytree(entry, target, dirs_exist_ok=True, copy_function=_copy_new)
            elif entry.is_file():
                _copy_new(entry, target)
        (old / MOVED_NOTE).write_text(
            f"perpgame now keeps progress in {new}.\n"
            "Everything in this folder was copied there; this folder was left as it was.\n",
            encoding="utf-8",
        )
    except OSError as exc:
        return f"perpgame: could not copy the old progress in {old.resolve()} to {new}: {exc}"
    return f"perpgame: progress from {old.resolve()} was copied to {new} (the old folder is kept)."


def _copy_new(source: str | Path, target: str | Path) -> None:
    """Copy one file unless the target exists (an existing file is never overwritten)."""
    if not Path(target).exists():
        shutil.copy2(source, target)


@dataclass(frozen=True)
class Place:
    """One folder perpgame reads or writes, and what it is for."""

    name: str
    path: Path
    what: str


def places(levels: Path, start: Path | None = None) -> list[Place]:
    """Every folder the game reads and writes, for ``perpgame where``."""
    saves = saves_dir()
    how = "from --saves or $PERPGAME_SAVES" if os.environ.get(ENV_SAVES) else "the data folder"
    found = [
        Place("saves", saves, f"progress, settings and the game to continue ({how})"),
        Place("replays", saves / "replays", "finished games, to watch again"),
        Place(
            "tables",
            saves / "tables",
            "perpgame host: each table's log, a replay (perpgame replay FILE)",
        ),
        Place("visitors", saves / "visitors", "perpgame serve: one folder per browser visitor"),
        Place("levels", levels, "the shipped levels and their solutions (read only)"),
    ]
    old = old_saves_dir(start)
    if old is not None:
        found.append(Place("old saves", old.resolve(), "an older version's progress, not copied"))
    return found
