"""The booth's web server: textual-serve's ``Server`` with what a public booth needs.

``perpgame serve`` (:mod:`perpgame.serve`) imports this module only when it starts a server, so
nothing else pays for importing textual-serve and aiohttp.

What textual-serve 1.1.3 does not do, the booth adds (a subclass, :class:`BoothServer`):

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

A visitor that leaves gets ``STOP_SECONDS`` for its game to quit; then the game is ended
(:func:`end_game`).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import html
import logging
import re
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from textual_serve.server import Server

from perpgame.visitors import DEFAULT_MAX_VISITORS, STOP_SECONDS, VISITORS, sweep_visitors

SWEEP_SECONDS = 20.0
"""How often the server removes the saves folders of visitors whose game has ended."""
WIDTH = (40, 300)
HEIGHT = (12, 100)
"""The smallest and largest screen a visitor's game draws, in cells."""
DEFAULT_SIZE = (80, 24)

_REQUEST_URL: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "perpgame_public_url", default=None
)
"""The public URL of the request being answered (each aiohttp request runs in its own task)."""


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


class BoothServer(Server):
    """textual-serve's server with the booth's additions (see the module's docstring)."""

    def __init__(
        self,
        command: str,
        *,
        host: str,
        port: int,
        root: Path,
        public_url: str | None = None,
        max_visitors: int = DEFAULT_MAX_VISITORS,
    ) -> None:
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
        request = request.clone(rel_url=request.rel_url.update_query(width=width, height=height))
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
