"""The policy lab from the title menu, and the comparison's background worker.

Title -> Lab (p) -> a level -> the comparison of every ADL rule, played with the level's solution
(else no inputs) in a worker; the screen fits 80x24. While the worker runs the app keeps
answering keys and its timers keep firing: the comparison is held half-way on an Event (no
sleeps) and the player leaves it, from the lab and from the debrief.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from textual.pilot import Pilot

from perpgame.level import curriculum
from perpgame.session.inputs import inputs_to_toml
from perpgame.session.lab import policy_names, run_level
from perpgame.tui.screens import compare as compare_screen
from perpgame.tui.screens.compare import CompareScreen
from perpgame.tui.screens.debrief import DebriefScreen
from perpgame.tui.screens.lab import LabScreen, lab_inputs
from perpgame.tui.screens.title import TitleScreen
from tests.tui.harness import settle
from tests.tui.test_flow import GAMMA_ORDERS, played_gamma
from tests.tui.test_screens_snapshots import make_app

GAMMA = 2
"""Gamma, the crash level, is the third of the test levels."""


def lab_app(tmp_path: Path):
    """The test levels, gamma with a solution file (its orders in test_flow)."""
    app = make_app(tmp_path)
    solutions = app.levels_dir / "solutions"
    solutions.mkdir()
    (solutions / "03-gamma.toml").write_text(inputs_to_toml(GAMMA_ORDERS))
    return app


async def open_lab_on_gamma(app, pilot: Pilot) -> CompareScreen:
    await pilot.press("p")
    await settle(pilot, lambda: isinstance(app.screen, LabScreen))
    app.screen.menu.highlighted = GAMMA
    await pilot.press("enter")
    await settle(pilot, lambda: isinstance(app.screen, CompareScreen))
    return app.screen


async def test_the_title_opens_the_lab_on_any_level(tmp_path: Path) -> None:
    app = lab_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_lab_on_gamma(app, pilot)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.done and [r["policy"] for r in screen.rows] == policy_names("all")
        # played with gamma's solution, exactly as the lab plays it
        level = curriculum(app.levels_dir)[GAMMA]
        inputs, how = lab_inputs(level)
        assert inputs == GAMMA_ORDERS and how == "its solution's trades"
        for row in screen.rows[:2]:
            alone = run_level(level, row["policy"], app.play_seed, inputs)
            assert row["state_hash"] == alone["state_hash"]
        box = screen.query_one("VerticalScroll").region
        assert box.x >= 0 and box.y >= 0 and box.right <= 80 and box.bottom <= 24
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, LabScreen))
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, TitleScreen))


def test_a_level_without_a_solution_is_played_without_inputs(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    assert lab_inputs(curriculum(app.levels_dir)[GAMMA]) == ([], "no trades of yours")


@pytest.fixture
def held(monkeypatch):
    """The comparison yields its first row, then waits for ``held.set()`` (set at teardown)."""
    gate = threading.Event()
    real = compare_screen.compare

    def one_then_wait(*args, **kwargs):
        rows = real(*args, **kwargs)
        yield next(rows)
        gate.wait(timeout=60)
        yield from rows

    monkeypatch.setattr(compare_screen, "compare", one_then_wait)
    yield gate
    gate.set()


async def keeps_answering(app, pilot: Pilot, screen: CompareScreen, under) -> None:
    """With the worker held after one row: timers fire, Esc leaves, the worker is cancelled."""
    await settle(pilot, lambda: len(screen.rows) == 1, tries=200)
    assert not screen.done
    beats: list[int] = []
    timer = app.set_interval(0.01, lambda: beats.append(1))
    await settle(pilot, lambda: len(beats) >= 3, tries=200)  # the clock is not frozen
    timer.stop()
    assert not screen.done and len(screen.rows) == 1
    await pilot.press("escape")
    await settle(pilot, lambda: isinstance(app.screen, under))
    workers = [w for w in app.workers if w.group == "compare"]
    assert all(w.is_cancelled for w in workers)


async def test_the_lab_answers_keys_while_it_replays(tmp_path: Path, held) -> None:
    app = lab_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_lab_on_gamma(app, pilot)
        await keeps_answering(app, pilot, screen, LabScreen)
        await pilot.press("up")  # the level list answers too
        assert app.screen.menu.highlighted == GAMMA - 1
        held.set()
        await app.workers.wait_for_complete()
        assert len(screen.rows) == 1  # cancelled: it stopped after the row it held


async def test_the_debrief_comparison_answers_keys_while_it_replays(tmp_path: Path, held) -> None:
    app = make_app(tmp_path)
    session = played_gamma(app.levels_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(DebriefScreen(session))
        await pilot.pause()
        await pilot.press("p")
        await settle(pilot, lambda: isinstance(app.screen, CompareScreen))
        await keeps_answering(app, pilot, app.screen, DebriefScreen)
        held.set()
        await app.workers.wait_for_complete()


def test_the_lab_comparison_at_80x24(snap_compare, tmp_path: Path) -> None:
    app = lab_app(tmp_path)

    async def filled(pilot: Pilot) -> None:
        await open_lab_on_gamma(app, pilot)
        await app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=filled)


async def test_the_debrief_says_p_compares_the_rules_after_an_adl(tmp_path: Path) -> None:
    from perpgame.level import find_level, load_level
    from perpgame.session import GameSession
    from perpgame.session.inputs import PlayerInput

    adl = GameSession(load_level(find_level("policy-lab")), 1)
    adl.schedule([PlayerInput.order(25, -1, 1_000, leverage=10)])
    adl.run()
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        for session, shown in ((adl, True), (played_gamma(app.levels_dir), False)):
            app.push_screen(DebriefScreen(session))
            await pilot.pause()
            summary = str(app.screen.query_one("#debrief-summary").render())
            assert ("Press p to replay this game under every ADL rule" in summary) is shown
            app.pop_screen()
            await pilot.pause()
