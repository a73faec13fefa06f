"""A timing level plays at most at its ``meta.max_speed``: the speed keys stop there and say why,
and the briefing says it before play starts.

Before: every level played at 10x on key 4. On L2, L8 and L10 the moment to act (the top at
about 60 s, a one-second window at 64 s, the second wave at 100 s) went by in a fraction of a
second, and the newcomer playtest called 10x too fast for them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from perpgame.level.loader import load_level
from perpgame.session import GameSession
from perpgame.tui.app import PerpGameApp
from perpgame.tui.screens.briefing import BriefingScreen
from tests.tui.harness import GameApp, settle

LEVELS = Path(__file__).resolve().parents[2] / "perpgame" / "levels"
TIMING = {"02-both-sides": 5, "08-be-the-vault": 2, "10-dodge-the-queue": 5}


def screen_text(app) -> str:
    update = app.screen._compositor.render_full_update()
    return "\n".join("".join(seg.text for seg in strip) for strip in update.strips)


def test_the_timing_levels_stop_below_10x_and_the_others_do_not():
    for path in sorted(LEVELS.glob("*.toml")):
        fastest = load_level(path).meta.max_speed
        assert fastest == TIMING.get(path.stem, 10), path.stem


@pytest.mark.parametrize(("stem", "fastest"), sorted(TIMING.items()))
async def test_the_speed_keys_stop_at_the_levels_top_speed_and_say_so(stem, fastest):
    app = GameApp(GameSession(load_level(LEVELS / f"{stem}.toml"), 1), paused=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("4")  # 10x
        await pilot.pause()
        assert app.game.speed == fastest
        said = str(app.game.query_one("#order-feedback").render())
        assert f"at most {fastest}x" in said, said
        await pilot.press("1")
        await pilot.pause()
        assert app.game.speed == 1


async def test_an_uncapped_level_still_plays_at_10x():
    app = GameApp(GameSession(load_level(LEVELS / "06-happy-path.toml"), 1), paused=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("4")
        await pilot.pause()
        assert app.game.speed == 10
        assert "at most" not in str(app.game.query_one("#order-feedback").render())


@pytest.mark.parametrize(("stem", "fastest"), sorted(TIMING.items()))
async def test_the_briefing_says_the_top_speed(stem, fastest, tmp_path):
    app = PerpGameApp(levels_dir=LEVELS, saves_dir=tmp_path, seed=1)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(BriefingScreen(load_level(LEVELS / f"{stem}.toml")))
        await settle(pilot, lambda: isinstance(app.screen, BriefingScreen))
        await pilot.pause()
        heading = screen_text(app).splitlines()[0]
    assert f"plays at most {fastest}x" in heading, heading
