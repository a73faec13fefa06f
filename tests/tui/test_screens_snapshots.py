"""Frame tests of the menu screens and the debrief, at 80x24 and 120x40.

The levels are the test levels of ``test_flow`` (not the shipped ones, which change as they are
tuned); the first is won before the app starts, so the screens show progress. Nothing here runs
a clock: the debrief's game is played headless with a fixed seed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from perpgame.level import curriculum
from perpgame.saves import SaveStore
from perpgame.session import GameSession
from perpgame.tui.app import DEFAULT_SEED, PerpGameApp
from perpgame.tui.screens.briefing import BriefingScreen
from perpgame.tui.screens.debrief import DebriefScreen
from tests.tui.harness import perp_app
from tests.tui.test_flow import played_gamma, write_levels

SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])


def make_app(tmp_path: Path) -> PerpGameApp:
    """The test levels, alpha won with one star, a fixed seed."""
    levels_dir = write_levels(tmp_path / "levels")
    saves_dir = tmp_path / "saves"
    won = GameSession(curriculum(levels_dir)[0], DEFAULT_SEED)
    won.run()
    SaveStore(saves_dir, levels_folder=levels_dir).record_result(won)
    return perp_app(levels_dir, saves_dir)


@SIZES
def test_title(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(tmp_path), terminal_size=size)


@SIZES
def test_levels(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(tmp_path), press=["l"], terminal_size=size)


@SIZES
def test_briefing(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    app = make_app(tmp_path)

    async def open_gamma(pilot: Pilot) -> None:
        app.push_screen(BriefingScreen(curriculum(app.levels_dir)[2]))
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=open_gamma)


@SIZES
def test_debrief_won(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    app = make_app(tmp_path)
    session = played_gamma(app.levels_dir)

    async def show(pilot: Pilot) -> None:
        app.push_screen(DebriefScreen(session))
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=show)


def test_debrief_lost(snap_compare, tmp_path: Path) -> None:
    app = make_app(tmp_path)
    session = GameSession(curriculum(app.levels_dir)[1], DEFAULT_SEED)
    session.run()

    async def show(pilot: Pilot) -> None:
        app.push_screen(DebriefScreen(session))
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=show)
