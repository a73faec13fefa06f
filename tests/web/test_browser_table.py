"""Two browser visitors on one shared table see each other's trades in their tapes.

``perpgame host`` runs the table (the bare two-seat duel level: no bots, so the only trades are
the visitors'), ``perpgame serve --table`` puts each browser visitor on a free seat of it, and
headless chromium plays both visitors, as ``test_browser.py`` does for the one-player booth.
Skipped, with the reason, where the ``playwright`` package or a ``chromium`` is missing.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

from tests.table.conftest import DUEL

from .chromium import browser_api, launch, open_page, press, screen, shows
from .conftest import game_processes, serving, stop, wait_until

sync_api = browser_api()


@contextlib.contextmanager
def hosting(tmp_path: Path, seats: int = 2):
    """``perpgame host`` of the duel level on a free loopback port; its join URLs (by seat)."""
    urls_file = tmp_path / "urls.json"
    log = (tmp_path / "host.log").open("w")
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "perpgame", "host", str(DUEL)),
            *("--seats", str(seats), "--port", "0", "--tps", "10"),
            *("--urls", str(urls_file), "--log", str(tmp_path / "table.json")),
        ],
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        ready = wait_until(lambda: process.poll() is not None or urls_file.exists(), 30)
        assert ready and process.poll() is None, (tmp_path / "host.log").read_text()
        urls = wait_until(lambda: _read_json(urls_file), 5)
        assert urls, "the host wrote no join URLs"
        yield process, urls
        stop(process, signal.SIGTERM)
        assert process.returncode == 0, (tmp_path / "host.log").read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(5)
        log.close()


def _read_json(path: Path) -> dict | None:
    """The file's JSON, or None while it is missing or still being written."""
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def order(page, line: str, said: str) -> None:
    """Type an order on the game screen's order line (``:``); wait until the screen answers it.

    ``said`` is what both of the line's answers share: the ack when the order is sent ("✓ market
    buy 0.5 BTC") and the table's answer a tick later ("✓ market buy 0.5 filled, avg ...", "...
    limit sell 0.5 resting at ..."), whichever the screen shows when it is read.
    """
    press(page, ":")
    shows(page, "Enter sends")  # the line has the keys now (a seat's table does not wait for it)
    page.keyboard.type(line)
    press(page, "Enter")
    shows(page, said)


def finds(page, pattern: str, seconds: float = 20) -> re.Match[str]:
    """Wait until ``pattern`` matches the screen; the match (fails with the screen otherwise)."""
    found = wait_until(lambda: re.search(pattern, screen(page)), seconds)
    assert found, f"{pattern!r} never matched; the screen:\n{screen(page)}"
    return found


def tape(page) -> list[str]:
    """The visitor's own fills in the tape (its ``◆`` lines), newest first."""
    return re.findall(r"◆ (You .*? seat-\d+\.)", screen(page))


def test_two_visitors_on_one_table_see_each_others_trades(tmp_path, levels_folder) -> None:
    with (
        hosting(tmp_path) as (host, urls),
        serving(tmp_path, levels_folder, "--table", urls["instructor"]) as served,
    ):
        root = served.root
        with sync_api.sync_playwright() as playwright:
            browser = launch(playwright)
            try:
                ana = open_page(browser, served.url, "Tape")
                bob = open_page(browser, served.url, "Tape")
                assert wait_until(lambda: len(game_processes(root)) == 2, 10)

                # Ana's offer rests on the table's book, and Bob sees it in his; he takes it
                order(ana, "s 0.5 @ 60000", "limit sell 0.5")
                shows(ana, "1 order: ask 0.5@60,000.00")
                finds(bob, r"60,000\.00 +0\.5 ")
                order(bob, "b 0.5", "market buy 0.5")
                ana_sold = finds(ana, r"◆ You sold 0\.5 at 60,000\.00 to (seat-\d+)\.")
                bob_bought = finds(bob, r"◆ You bought 0\.5 at 60,000\.00 from (seat-\d+)\.")
                ana_seat, bob_seat = bob_bought[1], ana_sold[1]
                assert {ana_seat, bob_seat} == {"seat-1", "seat-2"}  # each names the other's seat

                # and back: Bob's offer, Ana's market buy
                order(bob, "s 0.2 @ 60000", "limit sell 0.2")
                shows(bob, "1 order: ask 0.2@60,000.00")
                finds(ana, r"60,000\.00 +0\.2 ")
                order(ana, "b 0.2", "market buy 0.2")
                finds(ana, rf"◆ You bought 0\.2 at 60,000\.00 from {bob_seat}\.")
                finds(bob, rf"◆ You sold 0\.2 at 60,000\.00 to {ana_seat}\.")
                # both trades are in each tape, newest on top, naming the other visitor
                assert tape(ana) == [
                    f"You bought 0.2 at 60,000.00 from {bob_seat}.",
                    f"You sold 0.5 at 60,000.00 to {bob_seat}.",
                ]
                assert tape(bob) == [
                    f"You sold 0.2 at 60,000.00 to {ana_seat}.",
                    f"You bought 0.5 at 60,000.00 from {ana_seat}.",
                ]
            finally:
                browser.close()
        left = wait_until(lambda: not game_processes(root), 15)
        assert left, f"game processes left after the browser closed: {game_processes(root)}"
    assert host.returncode == 0
