"""``perpgame serve`` in a real browser: Playwright drives Debian's chromium, headless.

The page's terminal is read as text with WebGL turned off (see ``chromium.py``).
Skipped, with the reason, where the ``playwright`` package or a ``chromium`` on the PATH is missing
(``.ci/run`` installs both where it can; see ``chromium.browser_api``).
"""

from __future__ import annotations

import time

from .chromium import browser_api, launch, open_page, press, screen, shows
from .conftest import game_processes, wait_until

sync_api = browser_api()


def test_play_in_the_browser_and_leave_nothing_behind(served) -> None:
    root = served.root
    with sync_api.sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = open_page(browser, served.url, "Continue")
            title = screen(page)
            assert "perpgame" in title.lower() or "pile of cash" in title
            assert "next: 1. Slow lesson" in title
            assert len(game_processes(root)) == 1

            press(page, "l")  # the level list
            shows(page, "A long calm market to trade in.")
            press(page, "Escape")
            shows(page, "next: 1. Slow lesson")

            press(page, "c")  # continue: the briefing of the first level, then play it
            time.sleep(0.5)
            press(page, "Enter")
            shows(page, "Order Book")
            press(page, "q")
            shows(page, "Quit this level?")
            press(page, "y")
            shows(page, "resume Slow lesson")  # kept for this visitor to resume

            other = open_page(browser, served.url, "Continue")  # a second visitor: saves of its own
            assert "next: 1. Slow lesson" in screen(other)
            assert "resume" not in screen(other)
            assert wait_until(lambda: len(game_processes(root)) == 2, 10)
            folders = list((root / "visitors").iterdir())
            assert len(folders) == 2
            assert sorted((f / "resume.json").exists() for f in folders) == [False, True]

            other.close()  # closing a tab ends that visitor's game only
            assert wait_until(lambda: len(game_processes(root)) == 1, 10)
        finally:
            browser.close()
    left = wait_until(lambda: not game_processes(root), 15)
    assert left, f"game processes left after the browser closed: {game_processes(root)}"
