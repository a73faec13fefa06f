"""Atomic files: write whole or not at all, read only regular files, set damaged ones aside.

Every write is a temporary file in the same folder, fsync, rename, fsync the folder: a crash at
any point leaves either the old file or the new one, never a mix. Temporary files left by a crash
are debris, removed when a game starts (:func:`remove_debris`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import os
import re
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from perpgame.level.loader import NotRegularFile, open_regular
from perpgame.saves.errors import Damaged

MAX_FILE_BYTES = 32 << 20
"""No save is larger than this (a replay of 100,000 inputs is about 6 MB)."""
STALE_TEMP_SECONDS = 60.0
"""A temporary file this old is debris of a crashed save, even while another game runs."""
TEMP_NAME = re.compile(r"\..+\.[A-Za-z0-9_]+\.tmp")
"""The name :func:`atomic_write` gives its temporary file (``.profile.json.k2x9_q.tmp``)."""


def fsync_dir(folder: Path) -> None:
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
    try:
        fd = os.open(folder, flags)
    except OSError:
        return  # platforms that cannot open a folder (Windows) have nothing to sync
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a crash leaves the old file or the new one, whole.

    Temporary file in the same folder, fsync, ``os.replace``, fsync the folder. The temporary file
    is removed when anything fails; OSError is for the caller.
    """
    path = Path(path)
    tmp = _synced_temp(path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)


def atomic_create(path: Path, data: bytes) -> None:
    """Write a new file at ``path`` as :func:`atomic_write` does, but never over another file.

    FileExistsError when the name is taken, even by another process a moment ago: the temporary
    file is hard-linked to its name, which fails if the name exists (a rename would replace it).
    """
    path = Path(path)
    tmp = _synced_temp(path, data)
    try:
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise
        except OSError:  # file systems without hard links
            if path.exists() or path.is_symlink():
                raise FileExistsError(errno.EEXIST, "file exists", str(path)) from None
            os.replace(tmp, path)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    fsync_dir(path.parent)


def _synced_temp(path: Path, data: bytes) -> str:
    """A temporary file beside ``path`` holding ``data``, on disk (removed if that fails)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            with contextlib.suppress(OSError):
                os.fchmod(fh.fileno(), 0o644)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return tmp


def read_bytes(path: Path) -> bytes | None:
    """The file's bytes; None when there is no such file; OSError when it cannot be read.

    Only a regular file is opened for reading (a FIFO would block): anything else is Damaged.
    """
    try:
        with open_regular(path) as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except NotRegularFile as exc:
        raise Damaged(f"it is {exc.strerror}, not a file") from None
    if len(data) > MAX_FILE_BYTES:
        raise Damaged(f"it is larger than {MAX_FILE_BYTES:,} bytes")
    return data


def dump(model: BaseModel) -> bytes:
    """A model as the bytes of its file: indented JSON and a final newline."""
    return (model.model_dump_json(indent=2) + "\n").encode("utf-8")


def reason(exc: OSError) -> str:
    """An OSError as the end of a sentence: ``permission denied``."""
    text = exc.strerror or str(exc) or type(exc).__name__
    return text[0].lower() + text[1:] if text else text


def utc_stamp() -> str:
    """The UTC time that names a file set aside (it never enters a save or the game)."""
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def peek(data: bytes, key: str) -> Any:
    """One top-level value of a JSON object, without validating anything (None if unreadable)."""
    try:
        doc = json.loads(data.decode("utf-8"))
    except Exception:
        return None
    return doc.get(key) if isinstance(doc, dict) else None


def set_aside(path: Path, tag: str, stamp: str) -> Path | None:
    """Rename ``path`` to ``path.<tag>-<stamp>`` (never over an existing file); None if it can't."""
    for n in range(1, 1000):
        suffix = "" if n == 1 else f"-{n}"
        target = path.with_name(f"{path.name}.{tag}-{stamp}{suffix}")
        if target.exists() or target.is_symlink():
            continue
        try:
            try:
                os.link(path, target)  # fails if the target exists: never overwrites
            except FileExistsError:
                continue
            except OSError:
                if target.exists():
                    continue
                os.rename(path, target)  # file systems without hard links
            else:
                os.unlink(path)
        except OSError:
            return None
        fsync_dir(path.parent)
        return target
    return None


def remove_debris(folders: Iterable[Path], *, everything: bool) -> None:
    """Remove the temporary files crashed saves left: all of them, or only the stale ones."""
    now = time.time()
    for folder in folders:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if not TEMP_NAME.fullmatch(entry.name):
                continue
            try:
                if not entry.is_file(follow_symlinks=False):
                    continue
                if everything or now - entry.stat().st_mtime > STALE_TEMP_SECONDS:
                    os.unlink(entry.path)
            except OSError:
                continue
