"""Snapshots of the screens where the lesson lands (issue 15): why? after a liquidation and after
an ADL at 80x24 and 120x40, the level's end, the demo's banner and take-over dialog, a light theme.

Each game is paused, seeded and stepped with ``advance``, so every picture is the same every run.
"""

from __future__ import annotations

import pytest

from perpgame.level.loader import load_level
from perpgame.session.autopilot import Autopilot
from tests.tui.test_newcomer import LEVELS, level_app, liquidated_tick

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


def _play(ticks: int, *keys: str, theme: str | None = None):
    async def run_before(pilot) -> None:
        await pilot.pause()
        if theme:
            pilot.app.theme = theme
        pilot.app.game.advance(ticks)
        await pilot.pause()
        if keys:
            await pilot.press(*keys)
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_why_after_a_liquidation(snap_compare, size):
    # 04's liquidation ends the level: the end box offers w, and why? opens over it
    tick = liquidated_tick("04-liquidated", "liquidation")
    app = level_app("04-liquidated", end_seconds=0)
    assert snap_compare(app, terminal_size=size, run_before=_play(tick, "w"))


@pytest.mark.parametrize("size", SIZES)
def test_why_after_an_adl(snap_compare, size):
    tick = liquidated_tick("09-vault-runs-dry", "deleverage")
    app = level_app("09-vault-runs-dry")
    assert snap_compare(app, terminal_size=size, run_before=_play(tick, "w"))


def test_level_end(snap_compare):
    tick = liquidated_tick("04-liquidated", "liquidation")
    app = level_app("04-liquidated", end_seconds=0)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_play(tick))


def test_demo_banner(snap_compare):
    app = level_app(
        "06-happy-path",
        solution=False,
        autopilot=Autopilot(load_level(LEVELS / "06-happy-path.toml")),
        banner="DEMO · the autopilot is trading",
    )
    assert snap_compare(app, terminal_size=(80, 24), run_before=_play(40))


def test_take_over_dialog(snap_compare):
    app = level_app(
        "06-happy-path",
        solution=False,
        autopilot=Autopilot(load_level(LEVELS / "06-happy-path.toml")),
        banner="DEMO · the autopilot is trading",
    )
    assert snap_compare(app, terminal_size=(80, 24), run_before=_play(40, "b"))


def test_light_theme(snap_compare):
    tick = liquidated_tick("09-vault-runs-dry", "deleverage")
    app = level_app("09-vault-runs-dry")
    assert snap_compare(app, terminal_size=(120, 40), run_before=_play(tick, theme="textual-light"))
