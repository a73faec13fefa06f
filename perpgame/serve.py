"""``perpgame serve``: the game in a browser through textual-serve, one game process per visitor.

Every browser tab that connects starts its own ``perpgame`` process (textual-serve does that per
websocket) with its own saves folder under ``ROOT/visitors/``, so visitors never share progress.
The server binds to loopback unless told otherwise, and serves its own JavaScript and fonts: no
internet needed.

No game process outlives its visitor or its server:

* closing the tab sends the process textual-serve's quit message and it exits (a tab that vanishes
  without closing is noticed by the websocket's heartbeat, within about 30 seconds);
* stopping the server (Ctrl+C, SIGTERM) first ends every visitor's game, then any child left;
* a game process whose server dies without cleaning up (SIGKILL, a crash) notices that its parent
  is gone and quits by itself within a second or two (``visitor_saves`` starts that watch).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

VISITORS = "visitors"
STOP_SECONDS = 5.0
"""How long a stopping server waits for its visitors' games to quit before ending them."""
WATCH_SECONDS = 1.0
"""How often a visitor's game process checks that its server is still there."""


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


def game_command(saves_root: Path) -> str:
    """The shell command textual-serve runs for each visitor (``exec``: no shell left between)."""
    parts = (sys.executable, "-m", "perpgame", "--visitor-saves", str(saves_root))
    return "exec " + " ".join(shlex.quote(part) for part in parts)


def serve(host: str, port: int, saves_root: Path) -> int:
    """Run the web server until interrupted; every visitor's game ends with it."""
    try:
        from textual_serve.server import Server
    except ImportError:
        print("perpgame serve needs textual-serve: pip install textual-serve", file=sys.stderr)
        return 1

    class GameServer(Server):
        """textual-serve's server, which also ends its visitors' games when it stops."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.visits: set[asyncio.Task[Any]] = set()

        async def handle_websocket(self, request: Any) -> Any:
            task = asyncio.current_task()
            if task is not None:
                self.visits.add(task)
            try:
                return await super().handle_websocket(request)
            finally:
                self.visits.discard(task)  # type: ignore[arg-type]

        async def on_shutdown(self, app: Any) -> None:
            # Each visit's handler, cancelled, sends its game the quit message and waits for it.
            await super().on_shutdown(app)
            visits = [task for task in self.visits if not task.done()]
            for task in visits:
                task.cancel()
            if visits:
                await asyncio.wait(visits, timeout=STOP_SECONDS)

    root = saves_root.resolve()
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(f"perpgame serve: listening on {host}: anyone who can reach it can play.")
    print(f"perpgame serve: http://{host}:{port}  (Ctrl+C stops the server)", flush=True)
    try:
        GameServer(game_command(root), host=host, port=port, title="perpgame").serve()
    finally:
        end_children()
    return 0


def children(pid: int | None = None) -> list[int]:
    """The process ids whose parent is ``pid`` (this process), from /proc (Linux; else none)."""
    pid = os.getpid() if pid is None else pid
    found: list[int] = []
    proc = Path("/proc")
    if not proc.is_dir():
        return found
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces and brackets, so split after the last ')'
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 1 and fields[1] == str(pid):
            found.append(int(entry.name))
    return found


def end_children(grace: float = STOP_SECONDS) -> None:
    """SIGTERM any child process still running, then SIGKILL what is left after ``grace`` s."""
    left = children()
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for child in left:
            with contextlib.suppress(OSError):
                os.kill(child, sig)
        deadline = time.monotonic() + grace
        while left and time.monotonic() < deadline:
            time.sleep(0.05)
            for child in list(left):
                try:
                    done, _ = os.waitpid(child, os.WNOHANG)
                except ChildProcessError:
                    done = child  # not ours to reap, or already reaped
                if done:
                    left.remove(child)
        if not left:
            return
