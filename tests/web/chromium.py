"""What the browser tests share: how chromium is launched and how a page's terminal is read.

The page's terminal (xterm.js) draws with WebGL; pages are loaded with WebGL turned off
(``NO_WEBGL``), so xterm.js falls back to its DOM renderer and the screen's text can be read from
``.xterm-rows``. Each test module skips itself where chromium or playwright is missing
(``sync_api = browser_api()`` at its top).
"""

from __future__ import annotations

import shutil

import pytest

from .conftest import wait_until

CHROMIUM = shutil.which("chromium")

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def browser_api():
    """Playwright's sync API; skips the calling test module, saying why, where chromium or the
    ``playwright`` package is missing (``.ci/run`` installs both where it can: ``pip install
    playwright``, ``apt-get install chromium``; never ``playwright install``, which downloads
    browsers)."""
    if CHROMIUM is None:
        pytest.skip(
            "no chromium on the PATH (apt-get install chromium): browser test skipped",
            allow_module_level=True,
        )
    return pytest.importorskip(
        "playwright.sync_api",
        reason="the playwright package is not installed (pip install playwright)",
    )


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


def press(page, key: str) -> None:
    """Press a key in the terminal (focused first: a click elsewhere would take the keys)."""
    page.focus(".xterm-helper-textarea")
    page.keyboard.press(key)


def launch(playwright):
    """Debian's chromium, headless, without the features a test has no use for."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)


def open_page(browser, url: str, ready: str):
    """A visitor's tab on ``url``, once ``ready`` is on its screen, with the keys in the terminal."""
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.add_init_script(NO_WEBGL)
    page.goto(url)
    shows(page, ready, 30)
    page.focus(".xterm-helper-textarea")
    return page
