"""``perpgame serve``: the game in a browser through textual-serve, one game process per visitor.

Every browser tab that connects starts its own ``perpgame`` process (textual-serve does that per
websocket) with its own saves folder under ``ROOT/visitors/``, so visitors never share progress.
The server binds to loopback unless told otherwise, and serves its own JavaScript: no internet
needed.

The server itself is :mod:`perpgame.booth`; a visitor's folder, :mod:`perpgame.visitors`.

No game process outlives its visitor or its server:

* closing the tab sends the process textual-serve's quit message and it exits (a tab that vanishes
  without closing is noticed by the websocket's heartbeat, within about 30 seconds);
* a game that has not quit ``STOP_SECONDS`` after its visitor left is terminated, then killed
  (:func:`perpgame.booth.end_game`): textual-serve 1.1.3 only queues "quit" behind everything the tab sent and
  waits for the game to read it all, and a game whose screen output nobody reads any more can
  block before it gets there;
* stopping the server (Ctrl+C, SIGTERM) first ends every visitor's game, then any child left;
* a game process whose server dies without cleaning up (SIGKILL, a crash) notices that its parent
  is gone and quits by itself within a second or two (``visitor_saves`` starts that watch).
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import signal
import sys
import time
from pathlib import Path
from typing import Any

from perpgame.visitors import DEFAULT_MAX_VISITORS, STOP_SECONDS, VISITORS, sweep_visitors


def game_command(saves_root: Path, table: bool = False) -> str:
    """The shell command textual-serve runs for each visitor (``exec``: no shell left between).

    With ``table``, the visitor takes a free seat of the table in ``$PERPGAME_TABLE`` (the
    instructor's URL, passed in the environment so it is not on any command line).
    """
    parts: tuple[str, ...] = (sys.executable, "-m", "perpgame", "--visitor-saves", str(saves_root))
    if table:
        parts += ("join", "--claim")
    return "exec " + " ".join(shlex.quote(part) for part in parts)


def quiet_closed_loop(unraisable: Any, previous: Any = sys.unraisablehook) -> None:
    """One quiet line instead of a traceback for a visitor's pipe collected after the loop closed.

    A game process's asyncio transport can be garbage-collected only after the server's event
    loop has closed; its ``__del__`` then raises "Event loop is closed" (CPython's asyncio, 3.11),
    which Python prints as a traceback. The game has already ended: nothing is lost, so say so
    in one line. Anything else goes to the usual hook."""
    exc = unraisable.exc_value
    if isinstance(exc, RuntimeError) and str(exc) == "Event loop is closed":
        print("perpgame serve: a visitor's game pipe closed after the server stopped", flush=True)
        return
    previous(unraisable)


def serve(
    host: str,
    port: int,
    saves_root: Path,
    *,
    public_url: str | None = None,
    max_visitors: int = DEFAULT_MAX_VISITORS,
    table: str | None = None,
) -> int:
    """Run the web server until interrupted; every visitor's game ends with it.

    With ``table`` (the instructor's URL of a ``perpgame host`` table), each visitor is put on
    a free seat of that one table instead of a game of their own."""
    from perpgame.booth import BoothServer, check_public_url

    try:
        public_url = check_public_url(public_url) if public_url else None
    except ValueError as exc:
        print(f"perpgame serve: {exc}", file=sys.stderr)
        return 2
    if max_visitors < 1:
        print("perpgame serve: --max-visitors must be at least 1", file=sys.stderr)
        return 2
    if table is not None:
        if not re.fullmatch(r"wss?://\S+[?&]seat=host&token=\S+", table):
            print("perpgame serve: --table is the instructor's URL (seat=host)", file=sys.stderr)
            return 2
        os.environ["PERPGAME_TABLE"] = table  # the visitors' processes inherit it
    root = saves_root.resolve()
    server = BoothServer(
        game_command(root, table=table is not None),
        host=host,
        port=port,
        root=root,
        public_url=public_url,
        max_visitors=max_visitors,
    )
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(f"perpgame serve: listening on {host}: anyone who can reach it can play.")
    shown = public_url or (
        f"http://<this machine's address>:{port}"
        if host in ("0.0.0.0", "::")
        else f"http://{host}:{port}"
    )
    print(
        f"perpgame serve: {shown}  (up to {max_visitors} visitors; their saves in {root / VISITORS};"
        " Ctrl+C stops the server)",
        flush=True,
    )
    sys.unraisablehook = quiet_closed_loop
    try:
        server.serve()
    finally:
        end_children()
        sweep_visitors(root)
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
