"""Finding levels: the shipped folder, a level by id or path, the curriculum in order."""

from __future__ import annotations

import atexit
import contextlib
import difflib
import functools
import os
from importlib import resources
from pathlib import Path

from perpgame.level.errors import LevelError, Problem
from perpgame.level.loader import load_level, read_file_bytes, read_toml
from perpgame.level.schema import Level

__all__ = [
    "ENV_LEVELS",
    "curriculum",
    "find_level",
    "is_level_path",
    "level_files",
    "levels_dir",
    "scan_levels",
]

ENV_LEVELS = "PERPGAME_LEVELS"
"""An environment variable naming another levels folder (overrides the shipped one)."""


def levels_dir() -> Path:
    """The levels folder: ``$PERPGAME_LEVELS`` if set, else the shipped ``perpgame/levels``.

    The shipped levels are package data, read through :mod:`importlib.resources`: the installed
    package's own folder wherever it is installed (a checkout, a wheel, pipx), never a folder
    found in site-packages or the current directory.
    """
    env = os.environ.get(ENV_LEVELS)
    if env:
        return Path(env).expanduser()
    return shipped_levels_dir()


@functools.cache
def shipped_levels_dir() -> Path:
    """The package's ``levels`` folder as a real folder (unpacked once if perpgame is zipped)."""
    folder = resources.files("perpgame") / "levels"
    if isinstance(folder, Path):
        return folder
    stack = contextlib.ExitStack()  # a zipped package (Python 3.12+): a temporary copy
    atexit.register(stack.close)
    return Path(stack.enter_context(resources.as_file(folder)))


def is_level_path(name: str | Path) -> bool:
    """Whether a level argument names a file: it contains a ``/`` or ends in ``.toml``.

    Anything else is a catalog id (``funding`` is the shipped level even if a file named
    ``funding`` is in the current directory).
    """
    if isinstance(name, Path):
        return True
    return name.endswith(".toml") or "/" in name or os.sep in name


_default_levels_dir = levels_dir


def level_files(folder: Path | None = None) -> list[Path]:
    """Every ``*.toml`` in the folder, sorted by name; LevelError if the folder is missing."""
    folder = _default_levels_dir() if folder is None else Path(folder)
    if not folder.is_dir():
        raise LevelError.single(str(folder), "", "no such levels folder")
    try:
        return sorted(p for p in folder.glob("*.toml") if p.is_file())
    except OSError as exc:
        raise LevelError.single(str(folder), "", f"cannot list the folder: {exc}") from None


def _peek_id(path: Path) -> str | None:
    """``meta.id`` of a file without validating it (so a broken level can still be found)."""
    try:
        meta = read_toml(read_file_bytes(path), str(path)).get("meta")
    except LevelError:
        return None
    ident = meta.get("id") if isinstance(meta, dict) else None
    return ident if isinstance(ident, str) else None


def find_level(name_or_path: str | Path, levels_dir: Path | None = None) -> Path:
    """A level file by path, by file stem (``06-happy-path``), by its number in the curriculum
    (``6``) or by ``meta.id`` in the catalog.

    A path is anything :func:`is_level_path` says is one; else LevelError.
    """
    text = str(name_or_path)
    if is_level_path(name_or_path):
        return _existing_file(text)
    folder = _default_levels_dir() if levels_dir is None else Path(levels_dir)
    files = level_files(folder)
    found = _by_file_name(text, files)
    if found is not None:
        return found
    ids = _ids(files)
    if text in ids:
        return ids[text]
    names = sorted(set(ids) | {p.stem for p in files})
    close = difflib.get_close_matches(text, names, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    known = ", ".join(names) if names else "(none)"
    raise LevelError.single(text, "", f"no level named {text!r} in {folder}{hint}; levels: {known}")


def _existing_file(text: str) -> Path:
    """The path ``text`` when something that is not a folder is there; else LevelError."""
    path = Path(text)
    if path.is_file() or (path.exists() and not path.is_dir()):
        return path  # (a FIFO or a device: load_level refuses it without opening it)
    reason = "is a folder, not a level file" if path.is_dir() else "no such file"
    raise LevelError.single(text, "", reason)


def _by_file_name(text: str, files: list[Path]) -> Path | None:
    """The file whose stem is ``text``, else the one numbered ``text`` (4 is ``04-...``)."""
    for p in files:
        if p.stem == text:
            return p
    if text.isdigit() and len(text) <= 3:  # the number `perpgame levels` shows: 4 is 04-...
        numbered = [p for p in files if p.stem.split("-", 1)[0] == f"{int(text):02d}"]
        if len(numbered) == 1:
            return numbered[0]
    return None


def _ids(files: list[Path]) -> dict[str, Path]:
    """``meta.id`` -> the first file (by name) that has it."""
    ids: dict[str, Path] = {}
    for p in files:
        ident = _peek_id(p)
        if ident is not None:
            ids.setdefault(ident, p)
    return ids


def scan_levels(levels_dir: Path | None = None) -> tuple[list[Level], list[Problem]]:
    """Every level that loads, in curriculum order, and the problems of those that do not.

    Also reports two files with the same ``meta.id`` and two curriculum levels with the same
    ``meta.order``.
    """
    folder = _default_levels_dir() if levels_dir is None else Path(levels_dir)
    levels: list[Level] = []
    problems: list[Problem] = []
    for path in level_files(folder):
        try:
            levels.append(load_level(path))
        except LevelError as exc:
            problems += exc.problems
    by_id: dict[str, Level] = {}
    by_order: dict[int, Level] = {}
    for level in sorted(levels, key=lambda lv: str(lv.source)):
        first = by_id.setdefault(level.id, level)
        if first is not level:
            problems.append(
                Problem(
                    str(level.source), "meta.id", f"{level.id!r} is also the id of {first.source}"
                )
            )
        order = level.meta.order
        if order:
            first = by_order.setdefault(order, level)
            if first is not level:
                problems.append(
                    Problem(
                        str(level.source),
                        "meta.order",
                        f"{order} is also the order of {first.source}",
                    )
                )
    levels.sort(key=lambda lv: (lv.meta.order == 0, lv.meta.order, lv.id))
    return levels, problems


def curriculum(levels_dir: Path | None = None) -> list[Level]:
    """Every level of the folder sorted by ``meta.order`` (order 0 last, then by id).

    Broken files are never skipped silently: any problem raises LevelError listing them all
    (use :func:`scan_levels` to get the good ones and the problems separately).
    """
    levels, problems = scan_levels(levels_dir)
    if problems:
        raise LevelError(problems)
    return levels
