"""``perpgame serve``: it answers on loopback, each visitor gets a game process and a saves folder
of its own, and no game process outlives its visitor or its server.

A visitor here is a websocket opened with aiohttp (textual-serve's own dependency), the way the
page's JavaScript opens it: no browser needed. ``test_browser.py`` does the same with a real one.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import urllib.request
from pathlib import Path

import aiohttp

from perpgame.serve import children, game_command

from .conftest import game_processes, stop, wait_until


async def until(what, seconds: float):
    """The async ``wait_until``: poll without blocking the event loop."""
    for _ in range(int(seconds / 0.1)):
        value = what()
        if value:
            return value
        await asyncio.sleep(0.1)
    return what()


READERS: set[asyncio.Task] = set()


async def visit(session: aiohttp.ClientSession, url: str) -> aiohttp.ClientWebSocketResponse:
    """Open a visitor's websocket, wait for the game to draw, then keep reading as a page does
    (so a closing server's close handshake is answered at once)."""
    ws = await session.ws_connect(url.replace("http", "ws", 1) + "ws?width=100&height=30")
    message = await asyncio.wait_for(ws.receive(), 30)
    assert message.type in (aiohttp.WSMsgType.BINARY, aiohttp.WSMsgType.TEXT), message

    async def read() -> None:
        async for _ in ws:
            pass

    reader = asyncio.create_task(read())
    READERS.add(reader)
    reader.add_done_callback(READERS.discard)
    return ws


def test_serve_answers_on_loopback_and_stops_cleanly(served) -> None:
    with urllib.request.urlopen(served.url, timeout=5) as page:
        assert page.status == 200
        assert b"textual" in page.read().lower()
    with urllib.request.urlopen(served.url + "static/js/textual.js", timeout=5) as script:
        assert script.status == 200  # served locally: no internet needed
    assert stop(served.process) == 0
    assert not game_processes(served.root)


async def test_each_visitor_has_a_game_and_saves_of_its_own(served) -> None:
    root = served.root
    async with aiohttp.ClientSession() as session:
        first = await visit(session, served.url)
        second = await visit(session, served.url)
        games = await until(lambda: len(game_processes(root)) == 2 and game_processes(root), 20)
        assert len(games) == 2
        folders = sorted((root / "visitors").iterdir())
        assert len(folders) == 2
        assert {folder.name.rsplit("-", 1)[1] for folder in folders} == {str(p) for p in games}

        await first.close()  # closing the tab ends that visitor's game, and only that one
        left = await until(lambda: len(game_processes(root)) == 1 and game_processes(root), 10)
        assert left and len(left) == 1
        await second.close()
        assert await until(lambda: not game_processes(root), 10) or not game_processes(root)


async def test_stopping_the_server_ends_the_visitors_games(served) -> None:
    async with aiohttp.ClientSession() as session:
        ws = await visit(session, served.url)
        assert await until(lambda: game_processes(served.root), 20)
        code = await asyncio.to_thread(stop, served.process, signal.SIGTERM)
        assert code == 0
        assert await until(lambda: not game_processes(served.root), 10) or not game_processes(
            served.root
        )
        await ws.close()


async def test_a_game_whose_server_dies_quits_by_itself(served) -> None:
    async with aiohttp.ClientSession() as session:
        ws = await visit(session, served.url)
        assert await until(lambda: game_processes(served.root), 20)
        served.process.kill()  # no chance to clean up
        served.process.wait(5)
        gone = await until(lambda: not game_processes(served.root), 10)
        assert gone, "the game noticed its server was gone and quit"
        await ws.close()


def test_the_game_command_leaves_no_shell_between() -> None:
    command = game_command(Path("a b"))
    assert command.startswith("exec ") and "--visitor-saves 'a b'" in command


def test_children_lists_this_process_children() -> None:
    child = subprocess.Popen(["sleep", "5"])
    try:
        assert child.pid in children()
    finally:
        child.kill()
        child.wait()
    assert child.pid not in children()


def test_wait_until_gives_up() -> None:
    assert wait_until(lambda: False, 0.2) is False
