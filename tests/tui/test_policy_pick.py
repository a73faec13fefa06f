"""Level 11's briefing: Play opens the pick of the ADL rule, and the pick decides who pays.

The pick is the player's first recorded input: two different picks, played to just after the
first crash, deleverage different accounts (read from the session's events).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import OptionList

from perpgame.engine.adl import POLICIES
from perpgame.level import find_level, load_level
from perpgame.session import GameSession
from perpgame.session.inputs import PlayerInput
from perpgame.tui.screens.briefing import BriefingScreen
from perpgame.tui.screens.game import GameScreen
from perpgame.tui.screens.policy_pick import PolicyPickScreen
from tests.tui.test_screens_snapshots import make_app

CRASH = 100
"""Level 11's first gap: wave one's auto-deleverages happen on this tick."""


def policy_lab():
    return load_level(find_level("policy-lab"))


def deleveraged(session: GameSession) -> Counter:
    groups = session.groups_of
    return Counter(
        groups.get(e.account, session.market.accounts[e.account].group)
        for e in session.waterfall_log
        if e.type in ("deleverage", "haircut")
    )


async def pick_and_play(app, pilot: Pilot, policy: str | None) -> GameSession:
    """Briefing -> Play -> highlight ``policy`` -> Enter: the game screen's session."""
    app.push_screen(BriefingScreen(policy_lab()))
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    picker = app.screen
    assert isinstance(picker, PolicyPickScreen)
    menu = picker.query_one("#pick-list", OptionList)
    assert menu.highlighted_option.id == "pnl_leverage"  # the level's own rule to start with
    if policy is not None:
        menu.highlighted = [r.name for r in picker.rules].index(policy)
    await pilot.press("enter")
    await pilot.pause()
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, GameScreen)
    return screen.session


async def test_picking_a_policy_in_level_11_changes_who_is_deleveraged(tmp_path: Path) -> None:
    paid = {}
    for policy in ("pnl_leverage", "largest_first"):
        app = make_app(tmp_path / policy)
        async with app.run_test(size=(80, 24)) as pilot:
            session = await pick_and_play(app, pilot, policy)
            session.schedule([PlayerInput.order(25, -1, 1_000, leverage=10)])
            session.run(CRASH + 2)
            assert session.input_log[0] == PlayerInput(1, "pick_policy", policy=policy)
            assert session.market.config.adl_policy == policy
            paid[policy] = deleveraged(session)
    # BitMEX's queue closes the most levered shorts; largest-first the biggest one, the whale
    assert "shorts-25x" in paid["pnl_leverage"] and "whale-short" not in paid["pnl_leverage"]
    assert set(paid["largest_first"]) == {"whale-short"}


async def test_esc_on_the_pick_goes_back_to_the_briefing(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(BriefingScreen(policy_lab()))
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, PolicyPickScreen)
        box = picker.query_one("#pick-box").region
        assert box.right <= 80 and box.bottom <= 24 and box.y >= 0
        await pilot.press("down")  # the words follow the highlight
        words = str(picker.query_one("#pick-words").render())
        assert "Hyperliquid" in str(
            picker.query_one("#pick-list", OptionList).highlighted_option.prompt
        )
        assert POLICIES["hyperliquid"].description in words
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, BriefingScreen)


async def test_a_level_without_choices_plays_straight_away(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(BriefingScreen(load_level(find_level("happy-path"))))
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, GameScreen)
        assert app.screen.session._pending == []


@pytest.mark.parametrize("press", [[], ["enter"]], ids=["briefing", "pick"])
def test_level_11_briefing_and_pick(snap_compare, tmp_path: Path, press: list[str]) -> None:
    app = make_app(tmp_path)

    async def open_briefing(pilot: Pilot) -> None:
        app.push_screen(BriefingScreen(policy_lab()))
        await pilot.pause()
        for key in press:
            await pilot.press(key)
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=open_briefing)


async def test_retry_from_the_debrief_asks_for_the_rule_again(tmp_path: Path) -> None:
    from perpgame.tui.screens.debrief import DebriefScreen

    played = GameSession(policy_lab(), 1)
    played.run(5)
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(DebriefScreen(played))
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, PolicyPickScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DebriefScreen)
        await pilot.press("r", "down", "enter")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, GameScreen)
        assert app.screen.session._pending == [PlayerInput(0, "pick_policy", policy="hyperliquid")]
