"""A browser visitor's game: its own saves folder, a watch on its server, a sweep once it ended.

``perpgame serve`` starts one game process per visitor (:mod:`perpgame.booth`); each makes its own
folder under ``ROOT/visitors/`` (:func:`visitor_saves`), so visitors never share progress, and
quits by itself when its server is gone. The server removes the folders of games that have ended
(:func:`sweep_visitors`). Nothing here imports textual-serve: a visitor's game process reads it.
"""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
from pathlib import Path

VISITORS = "visitors"
STOP_SECONDS = 5.0
"""How long a stopping server waits for its visitors' games to quit before ending them."""
WATCH_SECONDS = 1.0
"""How often a visitor's game process checks that its server is still there."""
DEFAULT_MAX_VISITORS = 20


def visitor_saves(root: Path) -> Path:
    """A fresh saves folder for one visitor's process (named by time and process id).

    It is called once, at the start of a game process that ``perpgame serve`` started for a
    visitor; it also starts that process's watch on its server (``watch_server``).
    """
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    folder = root / VISITORS / f"{stamp}-{os.getpid()}"
    folder.mkdir(parents=True, exist_ok=True)
    watch_server()
    return folder


def watch_server(every: float = WATCH_SECONDS) -> threading.Thread:
    """Quit this process (SIGTERM: the game exits cleanly) once its parent, the server, is gone.

    The server starts the game with ``exec``, so the game's parent is the server itself; when the
    server dies the game is handed to another parent and the process id changes.
    """
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(every)
        os.kill(os.getpid(), signal.SIGTERM)

    thread = threading.Thread(target=watch, name="perpgame-server-watch", daemon=True)
    thread.start()
    return thread


def pid_of(folder: Path) -> int | None:
    """The game process id in a visitor folder's name (``<stamp>-<pid>``), if it has one."""
    tail = folder.name.rsplit("-", 1)[-1]
    return int(tail) if tail.isascii() and tail.isdigit() and len(tail) <= 9 else None


def alive(pid: int) -> bool:
    """Whether a process runs (a zombie, finished but not yet reaped, does not count)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc: os.kill said it is there
    return stat[stat.rfind(")") + 2 :][:1] != "Z"


def sweep_visitors(root: Path) -> list[Path]:
    """Remove the saves folder of every visitor whose game has ended; the folders removed."""
    folder = root / VISITORS
    removed: list[Path] = []
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return removed
    for entry in entries:
        pid = pid_of(entry)
        if pid is None or alive(pid) or not entry.is_dir() or entry.is_symlink():
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed
