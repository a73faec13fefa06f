"""The booth's additions to textual-serve: links that work from other machines, a visitor cap,
clamped screen sizes, quiet disconnects, and no visitor folder or process left behind.

The page is fetched over loopback from the real server (aiohttp's test server on 127.0.0.1 and a
free port, or ``perpgame serve`` as a process); waits poll with a deadline.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from perpgame.booth import (
    BoothServer,
    ClampedService,
    QuietDisconnects,
    check_public_url,
    clamp_size,
    end_game,
)
from perpgame.visitors import VISITORS, sweep_visitors

from .conftest import game_processes, serving, wait_until

SCRIPT = re.compile(r'<script src="([^"]+)"')
SOCKET = re.compile(r'data-session-websocket-url="([^"]+)"')


async def page(tmp_path: Path, headers: dict[str, str] | None = None, **options) -> str:
    """The booth's page as a browser gets it (bound as ``--host 0.0.0.0`` would configure it)."""
    server = BoothServer("exec true", host="0.0.0.0", port=8000, root=tmp_path, **options)
    async with TestClient(TestServer(await server._make_app(), host="127.0.0.1")) as client:
        response = await client.get("/", headers=headers or {})
        assert response.status == 200
        return await response.text()


def links(text: str) -> tuple[str, str]:
    return SCRIPT.search(text).group(1), SOCKET.search(text).group(1)


async def test_the_page_links_to_the_public_url(tmp_path) -> None:
    text = await page(tmp_path, public_url="http://192.168.1.20:8000")
    assert links(text) == (
        "http://192.168.1.20:8000/static/js/textual.js",
        "ws://192.168.1.20:8000/ws",
    )
    assert "0.0.0.0" not in text  # textual-serve alone links to the bind address


async def test_without_a_public_url_the_page_links_to_the_address_the_browser_used(tmp_path):
    text = await page(tmp_path, headers={"Host": "booth.local:8000"})
    assert links(text) == (
        "http://booth.local:8000/static/js/textual.js",
        "ws://booth.local:8000/ws",
    )


async def test_behind_a_tls_proxy_the_links_are_https_and_wss(tmp_path) -> None:
    headers = {"Host": "perp.example.org", "X-Forwarded-Proto": "https"}
    text = await page(tmp_path, headers=headers)
    assert links(text) == (
        "https://perp.example.org/static/js/textual.js",
        "wss://perp.example.org/ws",
    )


async def test_a_public_url_with_a_path_prefix_keeps_it(tmp_path) -> None:
    text = await page(tmp_path, public_url="https://example.org/perpgame")
    assert links(text) == (
        "https://example.org/perpgame/static/js/textual.js",
        "wss://example.org/perpgame/ws",
    )


async def test_a_hostile_host_header_is_not_echoed(tmp_path) -> None:
    text = await page(tmp_path, headers={"Host": 'x"><script>alert(1)</script>'})
    assert "alert" not in text
    assert links(text)[1] == "ws://127.0.0.1:8000/ws"


async def test_a_full_booth_says_so_on_the_page_and_the_socket(tmp_path) -> None:
    server = BoothServer("exec true", host="127.0.0.1", port=8000, root=tmp_path, max_visitors=1)
    playing = asyncio.get_running_loop().create_future()  # one visit in progress
    visit = asyncio.ensure_future(playing)
    server.visits.add(visit)
    try:
        async with TestClient(TestServer(await server._make_app(), host="127.0.0.1")) as client:
            full = await client.get("/")
            assert full.status == 503 and full.headers["Retry-After"] == "30"
            assert "The booth is full" in await full.text()
            assert (await client.get("/ws")).status == 503
            server.visits.clear()
            assert (await client.get("/")).status == 200
    finally:
        visit.cancel()


@pytest.mark.parametrize(
    "asked, got",
    [
        (("10000", "10000"), (300, 100)),
        ((5000, 5000), (300, 100)),
        (("1", "1"), (40, 12)),
        (("-5", "0"), (40, 12)),
        (("120", "40"), (120, 40)),
        ((None, None), (80, 24)),
        (("9" * 4400, "1e309"), (80, 24)),
        ((True, [1]), (80, 24)),
    ],
)
def test_screen_sizes_are_clamped(asked, got) -> None:
    assert clamp_size(*asked) == got


async def test_resize_messages_are_clamped() -> None:
    sizes = []

    class Service:
        async def set_terminal_size(self, width, height):
            sizes.append((width, height))

        async def blur(self):
            sizes.append("blur")

    service = ClampedService(Service())
    await service.set_terminal_size(5000, 5000)
    await service.blur()
    assert sizes == [(300, 100), "blur"]


@pytest.mark.parametrize(
    "url",
    [
        "0.0.0.0:8000",
        "ftp://x",
        "http://",
        "http://h:1/?a=1",
        "http://h#f",
        'http://a"b',
        "http://h/<x>",
    ],
)
def test_a_public_url_must_be_an_http_address(url) -> None:
    with pytest.raises(ValueError, match="--public-url"):
        check_public_url(url)


def test_a_public_url_loses_its_trailing_slash() -> None:
    assert check_public_url("https://h.example/") == "https://h.example"


def test_a_disconnect_is_one_quiet_line() -> None:
    try:
        raise ConnectionResetError("Cannot write to closing transport")
    except ConnectionResetError:
        record = logging.getLogger("t").makeRecord(
            "t", logging.ERROR, "f", 1, "boom", (), sys.exc_info()
        )
    assert QuietDisconnects().filter(record)
    text = logging.Formatter().format(record)
    assert text == "a visitor left (ConnectionResetError: Cannot write to closing transport)"
    assert record.levelname == "INFO"


def test_only_the_folders_of_ended_games_are_swept(tmp_path) -> None:
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    visitors = tmp_path / VISITORS
    mine = visitors / f"20260101T000000-{os.getpid()}"
    gone = visitors / f"20260101T000000-{ended.pid}"
    for folder in (mine, gone):
        (folder / "replays").mkdir(parents=True)
        (folder / "profile.json").write_text("{}")
    odd = visitors / "notes-99999999999999999999"  # not a visitor's folder: left alone
    odd.mkdir()
    assert sweep_visitors(tmp_path) == [gone]
    assert mine.is_dir() and odd.is_dir() and not gone.exists()


# -- with real processes ----------------------------------------------------------------------

VANISH = textwrap.dedent(
    """
    import asyncio, json, os, sys, aiohttp

    async def main(url):
        session = aiohttp.ClientSession()
        ws = await session.ws_connect(url)
        await asyncio.wait_for(ws.receive(), 30)
        for i in range(2000):  # a page's pings and resizes, then the tab is gone mid-answer
            await ws.send_str(json.dumps(["ping", str(i)]))
            await ws.send_str(json.dumps(["resize", {"width": 5000, "height": 5000}]))
        os._exit(0)

    asyncio.run(main(sys.argv[1]))
    """
)


def columns_of(pid: int) -> tuple[str, str]:
    env = dict(
        item.split("=", 1)
        for item in Path(f"/proc/{pid}/environ").read_bytes().decode().split("\0")
        if "=" in item
    )
    return env["COLUMNS"], env["ROWS"]


async def poll(what, seconds: float):
    return await asyncio.to_thread(wait_until, what, seconds)


async def test_visitor_two_of_one_is_told_the_booth_is_full_and_nothing_remains(
    tmp_path, levels_folder
) -> None:
    with serving(tmp_path, levels_folder, "--max-visitors", "1") as served:
        socket_url = served.url.replace("http", "ws", 1) + "ws?width=10000&height=10000"
        visitors = served.root / VISITORS
        async with aiohttp.ClientSession() as session:
            first = await session.ws_connect(socket_url)
            message = await asyncio.wait_for(first.receive(), 30)
            assert message.type == aiohttp.WSMsgType.BINARY
            games = await poll(lambda: game_processes(served.root), 20)
            assert len(games) == 1
            assert columns_of(games[0]) == ("300", "100")  # asked for 10000 x 10000
            assert len(list(visitors.iterdir())) == 1

            async with session.get(served.url) as second:
                assert second.status == 503
                assert "The booth is full" in await second.text()
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await session.ws_connect(socket_url)
            assert refused.value.status == 503

            await first.close()
            assert await poll(lambda: not game_processes(served.root), 20)
            assert await poll(lambda: not any(visitors.iterdir()), 20)
            async with session.get(served.url) as again:
                assert again.status == 200


async def test_a_vanished_tab_is_one_log_line_and_leaves_nothing(tmp_path, levels_folder) -> None:
    with serving(tmp_path, levels_folder) as served:
        socket_url = served.url.replace("http", "ws", 1) + "ws?width=100&height=30"
        for _ in range(2):
            run = await asyncio.to_thread(
                subprocess.run, [sys.executable, "-c", VANISH, socket_url], timeout=60
            )
            assert run.returncode == 0
        visitors = served.root / VISITORS
        assert await poll(lambda: not game_processes(served.root), 40)
        assert await poll(lambda: not any(visitors.iterdir()), 20)
    log = served.log.read_text()
    assert "Traceback" not in log and "locals" not in log, log
    left = [line for line in log.splitlines() if "visitor left" in line]
    assert all("ConnectionResetError" in line for line in left)
    assert json.dumps  # the client script sends JSON envelopes as the page does


def test_a_pipe_collected_after_the_loop_closed_is_one_quiet_line(capsys) -> None:
    """asyncio's subprocess transport, collected after the server's loop closed, raises in
    ``__del__``; Python would print that as a traceback in the booth's log (seen in CI-like runs
    of test_a_vanished_tab_is_one_log_line_and_leaves_nothing)."""
    from types import SimpleNamespace

    from perpgame.serve import quiet_closed_loop

    passed_on: list[object] = []
    closed = SimpleNamespace(exc_value=RuntimeError("Event loop is closed"))
    quiet_closed_loop(closed, previous=passed_on.append)
    assert capsys.readouterr().out == (
        "perpgame serve: a visitor's game pipe closed after the server stopped\n"
    )
    assert passed_on == []
    other = SimpleNamespace(exc_value=ValueError("something else"))
    quiet_closed_loop(other, previous=passed_on.append)
    assert passed_on == [other]  # anything else still reaches Python's own hook


STUCK_GAME = textwrap.dedent(
    """
    import signal, sys, time
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # deaf to the polite stop
    print("ready", flush=True)
    while True:  # screens nobody reads any more: blocks once the pipe is full
        sys.stdout.write("x" * 65536)
        sys.stdout.flush()
    """
)


async def test_a_game_that_does_not_quit_after_its_visitor_left_is_ended() -> None:
    """textual-serve queues "quit" behind what the tab sent and waits for the game to read it;
    a game blocked writing a screen nobody reads never gets there (the vanished-tab flake).
    ``end_game`` bounds that wait: TERM after the grace, then KILL."""
    game = await asyncio.create_subprocess_exec(
        sys.executable, "-c", STUCK_GAME, stdout=asyncio.subprocess.PIPE
    )
    assert game.stdout is not None
    assert await game.stdout.readline() == b"ready\n"
    started = asyncio.get_running_loop().time()
    await end_game(game, grace=0.2, kill_after=0.5)
    assert game.returncode == -9  # SIGTERM was ignored, so it took SIGKILL
    assert asyncio.get_running_loop().time() - started < 5
    await game.communicate()  # read the pipe to its end, so its transport closes with the loop


async def test_a_game_that_quits_by_itself_is_not_signalled() -> None:
    game = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    await end_game(game, grace=10)
    assert game.returncode == 0
    await end_game(None)  # a visit whose game never started: nothing to end


def test_only_starting_a_server_imports_textual_serve() -> None:
    """A visitor's game process (``--visitor-saves``) and the command line import perpgame.serve
    and perpgame.visitors; the booth's server and textual-serve behind it load only when a server
    starts, so every game process does not pay for them."""
    code = (
        "import sys, perpgame.cli, perpgame.serve, perpgame.visitors; "
        "print(sorted(m for m in ('perpgame.booth', 'textual_serve') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
