"""``perpgame serve``: the game in a browser through textual-serve, one game process per visitor.

Every browser tab that connects starts its own ``perpgame`` process (textual-serve does that per
websocket) with its own saves folder under ``ROOT/visitors/``, so visitors never share progress.
The server binds to loopback unless told otherwise, and serves its own JavaScript: no internet
needed.

What textual-serve 1.1.3 does not do, the booth adds (a subclass, :func:`booth_server`):

* **Links that work from other machines.** textual-serve writes its page's script and websocket
  URLs from the address it binds (``http://0.0.0.0:8000/...`` with ``--host 0.0.0.0``: unusable
  elsewhere; upstream Textualize/textual-serve issue 42). Here they are ``--public-url`` when
  given, else built from the Host the browser asked for (and ``X-Forwarded-Proto`` behind a
  proxy), per request.
* **A cap**: ``--max-visitors N`` games at once (each is a process of about 60 MB); visitor N+1
  gets a friendly "the booth is full" page that tries again by itself.
* **Sizes clamped** to 40..300 columns by 12..100 rows, on the URL and on every resize message,
  so one visitor cannot make a game draw a 10,000-column screen.
* **Quiet disconnects**: a visitor who leaves is one log line, not a traceback.
* **Nothing left behind**: a visitor's saves folder is removed once their game has ended.

No game process outlives its visitor or its server:

* closing the tab sends the process textual-serve's quit message and it exits (a tab that vanishes
  without closing is noticed by the websocket's heartbeat, within about 30 seconds);
* a game that has not quit ``STOP_SECONDS`` after its visitor left is terminated, then killed
  (:func:`end_game`): textual-serve 1.1.3 only queues "quit" behind everything the tab sent and
  waits for the game to read it all, and a game whose screen output nobody reads any more can
  block before it gets there;
* stopping the server (Ctrl+C, SIGTERM) first ends every visitor's game, then any child left;
* a game process whose server dies without cleaning up (SIGKILL, a crash) notices that its parent
  is gone and quits by itself within a second or two (``visitor_saves`` starts that watch).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import html
import logging
import os
import re
import shlex
import shutil
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

VISITORS = "visitors"
STOP_SECONDS = 5.0
"""How long a stopping server waits for its visitors' games to quit before ending them."""
WATCH_SECONDS = 1.0
"""How often a visitor's game process checks that its server is still there."""
SWEEP_SECONDS = 20.0
"""How often the server removes the saves folders of visitors whose game has ended."""
DEFAULT_MAX_VISITORS = 20
WIDTH = (40, 300)
HEIGHT = (12, 100)
"""The smallest and largest screen a visitor's game draws, in cells."""
DEFAULT_SIZE = (80, 24)

_REQUEST_URL: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "perpgame_public_url", default=None
)
"""The public URL of the request being answered (each aiohttp request runs in its own task)."""


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


def game_command(saves_root: Path, table: bool = False) -> str:
    """The shell command textual-serve runs for each visitor (``exec``: no shell left between).

    With ``table``, the visitor takes a free seat of the table in ``$PERPGAME_TABLE`` (the
    instructor's URL, passed in the environment so it is not on any command line).
    """
    parts: tuple[str, ...] = (sys.executable, "-m", "perpgame", "--visitor-saves", str(saves_root))
    if table:
        parts += ("join", "--claim")
    return "exec " + " ".join(shlex.quote(part) for part in parts)


def clamp_size(width: object, height: object) -> tuple[int, int]:
    """A visitor's screen size, as whole cells within ``WIDTH`` x ``HEIGHT`` (default 80x24)."""

    def whole(value: object, default: int) -> int:
        if isinstance(value, bool):
            return default
        if isinstance(value, int):
            return value
        if isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,6}\s*", value):
            return int(value)
        return default

    w = min(max(whole(width, DEFAULT_SIZE[0]), WIDTH[0]), WIDTH[1])
    h = min(max(whole(height, DEFAULT_SIZE[1]), HEIGHT[0]), HEIGHT[1])
    return w, h


_HOST = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251})|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?")
_PATH = re.compile(r"[A-Za-z0-9._~/-]{0,200}")


def check_public_url(url: str) -> str:
    """``--public-url`` without a trailing slash; ValueError, in words, if it cannot be one."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not _HOST.fullmatch(parts.netloc):
        raise ValueError(f"--public-url must look like http://HOST:PORT, got {url!r}")
    if parts.query or parts.fragment or not _PATH.fullmatch(parts.path):
        raise ValueError(f"--public-url can only add a plain path to HOST:PORT, got {url!r}")
    return url.rstrip("/")


def url_from_request(
    scheme: str, host: str | None, forwarded_proto: str | None, fallback: str
) -> str:
    """The URL the browser used to reach us: its Host header (``fallback`` if unusable).

    Behind a proxy that ends TLS, ``X-Forwarded-Proto: https`` makes the links ``https``/``wss``.
    """
    if forwarded_proto in ("http", "https"):
        scheme = forwarded_proto
    if not host or not _HOST.fullmatch(host):
        return fallback
    return f"{scheme}://{host}"


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


DISCONNECTS = (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError)


class QuietDisconnects(logging.Filter):
    """A visitor who leaves mid-write is one line in the log, not a traceback with locals."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            if isinstance(error, DISCONNECTS):
                record.msg, record.levelno, record.levelname = "a visitor left", 20, "INFO"
            else:
                record.msg = "a visitor's connection failed"
            record.msg += f" ({type(error).__name__}: {error})" if str(error) else ""
            record.args, record.exc_info, record.exc_text = (), None, None
        return True


FULL_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><meta http-equiv="refresh" content="30">
<title>perpgame: the booth is full</title>
<style>body{{background:#0c181f;color:#e8eef2;font:18px/1.5 monospace;display:flex;
align-items:center;justify-content:center;height:100vh;margin:0}}main{{max-width:36em;padding:2em}}
code{{color:#ffd479}}</style></head>
<body><main><h1>The booth is full</h1>
<p>{playing} people are playing right now, as many as this booth can hold.
This page tries again by itself every 30 seconds.</p>
<p>Or play it in your own terminal: ask at the booth for a copy, then
<code>pipx install</code> it and run <code>perpgame</code>.</p>
</main></body></html>
"""


async def end_game(process: Any, grace: float = STOP_SECONDS, kill_after: float = 2.0) -> None:
    """Wait ``grace`` s for a visitor's game process to exit; then SIGTERM, then SIGKILL it.

    ``process`` is the ``asyncio.subprocess.Process`` textual-serve started (None: nothing to do).
    """
    if process is None:
        return
    waits = ((None, grace), (process.terminate, kill_after), (process.kill, kill_after))
    for signal_it, seconds in waits:
        if signal_it is not None:
            with contextlib.suppress(ProcessLookupError):
                signal_it()
        try:
            await asyncio.wait_for(process.wait(), seconds)
            return
        except TimeoutError:
            continue


class ClampedService:
    """A visitor's app service whose resize messages are clamped (the rest passes through)."""

    def __init__(self, service: Any) -> None:
        self._service = service

    def __getattr__(self, name: str) -> Any:
        return getattr(self._service, name)

    async def set_terminal_size(self, width: object, height: object) -> None:
        await self._service.set_terminal_size(*clamp_size(width, height))


def booth_server(
    command: str,
    *,
    host: str,
    port: int,
    root: Path,
    public_url: str | None = None,
    max_visitors: int = DEFAULT_MAX_VISITORS,
) -> Any:
    """textual-serve's server with the booth's additions (see the module's docstring)."""
    from aiohttp import web
    from textual_serve.server import Server

    class BoothServer(Server):
        def __init__(self) -> None:
            self.visits: set[asyncio.Task[Any]] = set()
            self.root = root
            self.max_visitors = max_visitors
            self.fixed_public_url = public_url
            self._janitor: asyncio.Task[None] | None = None
            self.endings: set[asyncio.Task[None]] = set()
            super().__init__(command, host=host, port=port, title="perpgame", public_url=public_url)

        @property  # type: ignore[override]
        def public_url(self) -> str:
            """The URL of the request being answered; else the configured (or bound) one."""
            return _REQUEST_URL.get() or self._public_url

        @public_url.setter
        def public_url(self, value: str) -> None:
            self._public_url = value

        def initialize_logging(self) -> None:
            """Plain one-line records (textual-serve's are Rich panels with tracebacks)."""
            handler = logging.StreamHandler(sys.stdout)
            handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
            handler.addFilter(QuietDisconnects())
            logging.basicConfig(level="INFO", handlers=[handler], force=True)

        def playing(self) -> int:
            return sum(1 for task in self.visits if not task.done())

        def full_page(self) -> Any:
            text = FULL_PAGE.format(playing=html.escape(str(self.playing())))
            headers = {"Retry-After": "30"}
            return web.Response(status=503, text=text, content_type="text/html", headers=headers)

        async def handle_index(self, request: Any) -> Any:
            if self.playing() >= self.max_visitors:
                return self.full_page()
            fallback = self._public_url.replace("://0.0.0.0", "://127.0.0.1", 1)
            url = self.fixed_public_url or url_from_request(
                request.scheme,
                request.headers.get("Host"),
                request.headers.get("X-Forwarded-Proto"),
                fallback,
            )
            token = _REQUEST_URL.set(url)
            try:
                return await super().handle_index(request)
            finally:
                _REQUEST_URL.reset(token)

        async def handle_websocket(self, request: Any) -> Any:
            if self.playing() >= self.max_visitors:
                return self.full_page()
            width, height = clamp_size(request.query.get("width"), request.query.get("height"))
            request = request.clone(
                rel_url=request.rel_url.update_query(width=width, height=height)
            )
            task = asyncio.current_task()
            if task is not None:
                self.visits.add(task)
            try:
                return await super().handle_websocket(request)
            finally:
                self.visits.discard(task)  # type: ignore[arg-type]
                await self.sweep_after_visit()

        async def _process_messages(self, websocket: Any, app_service: Any) -> None:
            try:
                await super()._process_messages(websocket, ClampedService(app_service))
            finally:
                # The visitor has gone: the game gets STOP_SECONDS to quit, then is ended.
                ending = asyncio.create_task(end_game(getattr(app_service, "_process", None)))
                self.endings.add(ending)
                ending.add_done_callback(self.endings.discard)

        async def sweep_after_visit(self, seconds: float = STOP_SECONDS) -> None:
            """Remove ended visitors' folders, waiting (a little) for this one's game to end."""
            deadline = time.monotonic() + seconds
            while True:
                sweep_visitors(self.root)
                folders = list((self.root / VISITORS).glob("*-*"))
                if len(folders) <= self.playing() or time.monotonic() > deadline:
                    return
                await asyncio.sleep(0.1)

        async def janitor(self) -> None:
            while True:
                sweep_visitors(self.root)
                await asyncio.sleep(SWEEP_SECONDS)

        async def on_startup(self, app: Any) -> None:
            sweep_visitors(self.root)  # folders left by a server that did not stop cleanly
            self._janitor = asyncio.create_task(self.janitor())

        async def on_shutdown(self, app: Any) -> None:
            # Each visit's handler, cancelled, sends its game the quit message and waits for it.
            await super().on_shutdown(app)
            if self._janitor is not None:
                self._janitor.cancel()
            visits = [task for task in self.visits if not task.done()]
            for task in visits:
                task.cancel()
            if visits:
                await asyncio.wait(visits, timeout=STOP_SECONDS)
            if self.endings:
                await asyncio.wait(set(self.endings), timeout=STOP_SECONDS + 5)

    return BoothServer()


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
    server = booth_server(
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
