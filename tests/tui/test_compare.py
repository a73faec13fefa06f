"""The debrief's "who pays under each rule" view: opens on `p`, fills in from a background worker
one policy at a time, shows what the player's own game would have cost under each rule, fits 80x24."""

from __future__ import annotations

from pathlib import Path

from perpgame.session.lab import policy_names, run_level
from perpgame.tui.screens.compare import CompareScreen, who_paid_bar
from perpgame.tui.screens.debrief import DebriefScreen
from tests.tui.test_flow import played_gamma
from tests.tui.test_screens_snapshots import make_app


async def test_the_comparison_opens_from_the_debrief_and_fills_in(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    session = played_gamma(app.levels_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(DebriefScreen(session))
        await pilot.pause()
        await pilot.press("p")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.done and [r["policy"] for r in screen.rows] == policy_names("all")
        # the same game, replayed under each rule, as the lab plays it
        first = run_level(session.level, screen.rows[0]["policy"], session.seed, session.input_log)
        assert screen.rows[0]["state_hash"] == first["state_hash"]
        box = screen.query_one("VerticalScroll").region
        assert box.right <= 80 and box.bottom <= 24
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DebriefScreen)


def test_who_paid_bar_splits_by_group():
    bar = who_paid_bar({"player": 25, "whale": 75, "vault": -5}, ["player", "whale"])
    assert bar.plain == "█" * 6 + "█" * 18
    # five equal payers: 24/5 = 4.8 cells each, floors 4, the 4 spare cells to the largest remainders
    assert len(who_paid_bar({g: 1 for g in "abcde"}, list("abcde")).plain) == 24
    assert who_paid_bar({}, []).plain.startswith("nobody paid")
