"""Frame tests of the game screen at 80x24 and 120x40: at the start, mid-crash, with the help
overlay and with the quit confirmation.

The screen is paused (no timer ever steps the game), the seed is fixed and ``advance`` plays the
ticks, so each picture is the same on every run. ``pytest --snapshot-update`` rewrites them.
"""

from __future__ import annotations

import pytest

from tests.tui.test_game_screen import crash

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


def _at(ticks: int, *keys: str, after: tuple[str, ...] = ()):
    """A run_before pilot: press ``keys``, play ``ticks``, then press ``after``."""

    async def run_before(pilot) -> None:
        await pilot.pause()
        screen = pilot.app.game
        if keys:
            await pilot.press(*keys)
        screen.advance(ticks)
        await pilot.pause()
        if after:
            await pilot.press(*after)
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_game_at_the_start(snap_compare, size):
    assert snap_compare(crash(), terminal_size=size, run_before=_at(2))


@pytest.mark.parametrize("size", SIZES)
def test_game_mid_crash(snap_compare, size):
    # A market buy, and a limit bid ten rows under the best bid, then the crash's first ticks.
    run = _at(72, "b", "pagedown", "B")
    assert snap_compare(crash(), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_game_help_overlay(snap_compare, size):
    assert snap_compare(crash(), terminal_size=size, run_before=_at(2, after=("question_mark",)))


@pytest.mark.parametrize("size", SIZES)
def test_game_quit_confirm(snap_compare, size):
    assert snap_compare(crash(), terminal_size=size, run_before=_at(2, after=("q",)))
