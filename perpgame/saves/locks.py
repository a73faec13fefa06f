"""Locks between games sharing a saves folder, and the names games know each other by.

A running game holds ``.instance.lock`` for as long as it runs; a profile write holds
``.profile.lock`` while it reads, changes and writes. The OS releases the locks of a process that
dies, so a crash never leaves the folder locked.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path

from perpgame.saves.errors import LockTimeout

PROFILE_LOCK = ".profile.lock"
"""Held (briefly) while the profile is read, changed and written: one writer at a time."""
INSTANCE_LOCK = ".instance.lock"
"""Held by a running game for as long as it runs: a second game on the folder is told."""
LOCK_SECONDS = 10.0
"""How long a profile write waits for another game's write to finish."""


def try_lock(fd: int) -> bool:
    """Take an exclusive lock on an open file without waiting; False when another holds it."""
    try:
        if os.name == "nt":  # pragma: no cover - Windows
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def unlock(fd: int) -> None:
    with contextlib.suppress(OSError):
        if os.name == "nt":  # pragma: no cover - Windows
            import msvcrt

            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_UN)


@contextlib.contextmanager
def locked(path: Path, timeout: float) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created if need be) while the block runs.

    OSError when the lock file cannot be opened (an unwritable folder); :class:`LockTimeout`
    after ``timeout`` seconds of another game holding it. The OS releases the lock of a process
    that dies, so a crash never leaves the folder locked.
    """
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        while not try_lock(fd):
            if time.monotonic() >= deadline:
                raise LockTimeout(str(path))
            time.sleep(0.005)
        try:
            yield
        finally:
            unlock(fd)
    finally:
        os.close(fd)


_STORES = itertools.count(1)


def instance_name() -> str:
    """A new store of this running game, as a save names it: ``pid 4242 on HOST``.

    (A second store in the same process, as in tests, is ``pid 4242 #2 on HOST``.)
    """
    n = next(_STORES)
    return f"pid {os.getpid()}{f' #{n}' if n > 1 else ''} on {socket.gethostname()[:60]}"


def is_running(instance: str) -> bool:
    """Whether the game named ``pid N ... on HOST`` is running now (False when unsure)."""
    m = re.fullmatch(r"pid (\d{1,10})(?: #\d+)? on (.*)", instance)
    if m is None or m.group(2) != socket.gethostname()[:60] or os.name == "nt":
        return False  # (on Windows os.kill would end the process: never probe there)
    pid = int(m.group(1))
    if pid == os.getpid():
        return True  # another store of this very process
    try:
        os.kill(pid, 0)
    except PermissionError:
        return True
    except (OSError, OverflowError):
        return False
    return True
