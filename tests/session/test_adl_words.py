"""The ADL lights say what they mean for the player under the rule in force, and the debrief
says under which rule the player paid.

Before (newcomer playtest, session 4):
- L11's profit-cut wave showed "ADL ●○○○○ 2/21", a rank under a rule that closes nobody;
- L10's "ADL ●●●○○ 8/21" did not say that three lights can mean being closed in a big wave;
- L11's debrief said "auto-deleveraged 6×" without the wave's rule (the level changes it twice).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from perpgame.level.loader import load_level, load_level_text
from perpgame.session import GameSession
from perpgame.session.inputs import load_inputs
from perpgame.session.lab import with_policy
from perpgame.tui.app import PerpGameApp
from perpgame.tui.screens.debrief import DebriefScreen
from tests.tui.harness import settle, short_in_adl_queue
from tests.tui.test_game_screen import CRASH

LEVELS = Path(__file__).resolve().parents[2] / "perpgame" / "levels"


def screen_text(app) -> str:
    update = app.screen._compositor.render_full_update()
    return "\n".join("".join(seg.text for seg in strip) for strip in update.strips)


async def position_text(policy: str, size: tuple[int, int]) -> tuple[str, int]:
    """The Position panel of a short in the crash level once it is in the ADL queue."""
    return await short_in_adl_queue(with_policy(load_level_text(CRASH), policy), size)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_no_rank_is_shown_under_the_profit_cut(size):
    text, _ = await position_text("socialized_loss", size)
    after = text.split("ADL", 1)[1]
    assert re.search(r"profits? cut", after), text
    assert not re.search(r"\d+/\d+", after), text


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_lights_say_where_in_the_queue_you_are(size):
    from perpgame.session.rules import PLACES  # new with this test

    text, lights = await position_text("pnl_leverage", size)
    brief, words = PLACES[lights]
    after = text.split("ADL", 1)[1]
    assert (brief if size == (80, 24) else words) in after, text


async def test_the_debrief_says_under_which_rule_you_were_deleveraged(tmp_path):
    session = GameSession(load_level(LEVELS / "11-policy-lab.toml"), 1)
    session.schedule(load_inputs(LEVELS / "solutions" / "11-policy-lab.toml"))
    session.run()
    assert session.player_counts["deleverage"] > 0
    app = PerpGameApp(levels_dir=LEVELS, saves_dir=tmp_path, seed=1)
    async with app.run_test(size=(120, 40)) as pilot:
        app.push_screen(DebriefScreen(session))
        await settle(pilot, lambda: isinstance(app.screen, DebriefScreen))
        await pilot.pause()
        text = " ".join(screen_text(app).split())
    n = session.player_counts["deleverage"]
    assert f"auto-deleveraged {n}× under the pro rata rule" in text, text
    assert "profit cut" in text
