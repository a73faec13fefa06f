"""``perpgame serve`` in a real browser: Playwright drives Debian's chromium, headless.

The page's terminal (xterm.js) draws with WebGL; the page is loaded with WebGL turned off, so
xterm.js falls back to its DOM renderer and the screen's text can be read from ``.xterm-rows``.
Skipped, with the reason, where the ``playwright`` package or a ``chromium`` on the PATH is missing
(``.ci/run`` installs both where it can: ``pip install playwright``, ``apt-get install chromium``;
never ``playwright install``, which downloads browsers).
"""

from __future__ import annotations

import shutil
import time

import pytest

from .conftest import game_processes, wait_until

CHROMIUM = shutil.which("chromium")
if CHROMIUM is None:
    pytest.skip(
        "no chromium on the PATH (apt-get install chromium): browser test skipped",
        allow_module_level=True,
    )
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed (pip install playwright)"
)

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
NO_WEBGL = """
const getContext = HTMLCanvasElement.prototype.getContext;
HTMLCanvasElement.prototype.getContext = function (kind, ...rest) {
  if (kind === "webgl2" || kind === "webgl") return null;
  return getContext.call(this, kind, ...rest);
};
"""


def screen(page) -> str:
    """The terminal's text, as the visitor sees it."""
    rows = page.query_selector(".xterm-rows")
    return rows.inner_text().replace("\u00a0", " ") if rows else ""


def shows(page, text: str, seconds: float = 20) -> str:
    """Wait until ``text`` is on the screen; the screen then (fails with it otherwise)."""
    found = wait_until(lambda: text in screen(page), seconds)
    assert found, f"{text!r} never appeared; the screen:\n{screen(page)}"
    return screen(page)


def open_game(browser, url: str):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.add_init_script(NO_WEBGL)
    page.goto(url)
    shows(page, "Continue", 30)
    page.focus(".xterm-helper-textarea")
    return page


def press(page, key: str) -> None:
    page.focus(".xterm-helper-textarea")
    page.keyboard.press(key)


def test_play_in_the_browser_and_leave_nothing_behind(served) -> None:
    root = served.root
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=ARGS
        )
        try:
            page = open_game(browser, served.url)
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

            other = open_game(browser, served.url)  # a second visitor: saves of its own
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
