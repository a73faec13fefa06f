"""A new hire's first hour at 80x24: what the screens say is all there and tells the truth.

Each test is one confusion an earlier newcomer playtest left open (issue 15): it fails on the
screens as they were and passes now.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from perpgame.level import load_level
from perpgame.tui.app import PerpGameApp
from perpgame.tui.screens.briefing import BriefingScreen
from perpgame.tui.text import goal_text
from tests.tui.harness import settle

SHIPPED = Path(__file__).resolve().parents[2] / "perpgame" / "levels"
LEVEL_FILES = sorted(SHIPPED.glob("*.toml"))


def screen_text(app) -> str:
    """What the terminal shows now, as plain text (only what is on screen, not scrolled away)."""
    update = app.screen._compositor.render_full_update()
    return "\n".join("".join(seg.text for seg in strip) for strip in update.strips)


@pytest.mark.parametrize("path", LEVEL_FILES, ids=lambda p: p.stem)
async def test_the_briefing_shows_every_star_the_debrief_can_award_at_80x24(path, tmp_path):
    # Before: the stars sat under the lesson in the scrolled body: at 80x24 levels 2, 7-14 showed
    # one or none of them (the debrief then awarded or withheld stars never announced).
    level = load_level(path)
    app = PerpGameApp(levels_dir=SHIPPED, saves_dir=tmp_path, seed=1)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(BriefingScreen(level))
        await settle(pilot, lambda: isinstance(app.screen, BriefingScreen))
        await pilot.pause()
        shown = screen_text(app)
        for label in [goal_text(g.label) for g in level.objectives.stars]:
            assert label in shown, f"{label!r} is not on the briefing at 80x24"


async def test_the_briefing_and_help_name_the_key_that_opens_the_chart_and_waterfall(tmp_path):
    # Before: the Chart and Waterfall sat behind `v`, which no briefing mentioned, and help
    # called it "Next panel (small terminals): trade, market, tape".
    from perpgame.tui.screens.game_keys import GAME_KEYS

    level = load_level(SHIPPED / "12-funding.toml")
    app = PerpGameApp(levels_dir=SHIPPED, saves_dir=tmp_path, seed=1)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(BriefingScreen(level))
        await settle(pilot, lambda: isinstance(app.screen, BriefingScreen))
        await pilot.pause()
        assert "v Chart and Waterfall" in screen_text(app)
    view = next(b for b in GAME_KEYS if b.key == "v")
    assert "Chart" in view.tooltip and "Waterfall" in view.tooltip
