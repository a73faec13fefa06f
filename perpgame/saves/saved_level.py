"""Finding the level a save was made with: by id, then by the recorded path, with the same bytes.

A save holds the SHA-256 of the level file it was made with; when the file has changed since, the
save is refused rather than showing a different game. No save names an absolute path.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from perpgame.level.catalog import find_level, levels_dir
from perpgame.level.errors import LevelError
from perpgame.level.loader import load_level
from perpgame.level.schema import Level
from perpgame.saves.errors import LevelProblem


def find_saved_level(
    level_id: str,
    sha256: str,
    level_file: str | None,
    folder: Path | None,
    bases: tuple[Path, ...] = (),
) -> Level:
    """The level a save was made with, by id (then by the recorded path), with the same bytes.

    A relative ``level_file`` is looked for in each of ``bases`` (the saves folder) and in the
    levels folder; an absolute one (written by an older perpgame) is tried as it is.
    """
    found: Level | None = None
    problem = ""
    try:
        found = load_level(find_level(level_id, folder))
        if found.id != level_id:
            problem = f"the file {found.source} is level {found.id!r}, not {level_id!r}"
            found = None
    except LevelError as exc:
        problem = "; ".join(exc.lines())
    if found is not None and found.sha256 == sha256:
        return found
    for hint in candidates(level_file, (*bases, *([folder] if folder else []), levels_dir())):
        same = found is not None and same_file(hint, Path(found.source))
        if not same and hint.is_file():
            try:
                other = load_level(hint)
            except LevelError:
                other = None
            if other is not None and other.id == level_id and other.sha256 == sha256:
                return other
    if found is not None:
        raise LevelProblem(
            f"the level file {found.source} has changed since (it was saved with "
            f"sha256 {sha256[:12]}..., the file now has {found.sha256[:12]}...), so it would "
            "not be the same game"
        )
    raise LevelProblem(f"the level {level_id!r} cannot be found ({problem})")


def same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def candidates(level_file: str | None, bases: tuple[Path, ...]) -> list[Path]:
    if not level_file:
        return []
    hint = Path(level_file)
    if hint.is_absolute():
        return [hint]
    found = []
    for base in bases:
        try:
            found.append((base / hint).resolve())
        except (OSError, RuntimeError):
            continue
    return found


def relative_level_file(level: Level, root: Path) -> str | None:
    """Where the level came from: relative to the shipped levels, else to the saves folder.

    Never an absolute path: a save names no folder of the machine that wrote it. None when
    there is no relative way (another drive), and then the level is found by its id.
    """
    source = level.source
    if source is None:
        return None
    try:
        source = Path(source).resolve()
        shipped = levels_dir().resolve()
        if source.is_relative_to(shipped):
            return source.relative_to(shipped).as_posix()
        with contextlib.suppress(ValueError):  # (Windows: another drive)
            return Path(os.path.relpath(source, Path(root).resolve())).as_posix()
    except (OSError, RuntimeError):
        pass
    return None
