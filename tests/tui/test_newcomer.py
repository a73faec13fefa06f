"""A new hire's first hour (issue 15): the screens where the lesson lands tell the truth.

Each test here failed on the code before the fix it names.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from perpgame.level.loader import load_level
from perpgame.session import GameSession
from perpgame.session.inputs import load_inputs
from perpgame.tui.screens.why import WhyScreen
from tests.tui.harness import GameApp
from tests.tui.test_game_screen import calm, feedback, started

LEVELS = Path(__file__).resolve().parents[2] / "levels"


def level_app(stem: str, seed: int = 1, *, solution: bool = True, **options) -> GameApp:
    """A paused game of a shipped level, with its tested solution scheduled (unless not)."""
    session = GameSession(load_level(LEVELS / f"{stem}.toml"), seed)
    if solution:
        session.schedule(load_inputs(LEVELS / "solutions" / f"{stem}.toml"))
    options.setdefault("paused", True)
    return GameApp(session, **options)


def liquidated_tick(stem: str, kind: str) -> int:
    """The tick the player's solution first meets ``kind`` (liquidation, deleverage)."""
    s = GameSession(load_level(LEVELS / f"{stem}.toml"), 1)
    s.schedule(load_inputs(LEVELS / "solutions" / f"{stem}.toml"))
    while s.step():
        if s.player_counts[kind]:
            return s.tick
    raise AssertionError(kind)


# ------------------------------------------------------------------ item 1: why? fits, adds up
def fits(why: WhyScreen, size: tuple[int, int]) -> str:
    region = why.query_one("#why-box").region
    assert region.x >= 0 and region.y >= 0
    assert region.right <= size[0] and region.bottom <= size[1]
    return str(why.query_one("#why-text").render())


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_why_box_after_an_adl_fits_the_terminal_and_shows_the_total(size):
    # Before: why? was one narrator line at 80x24 (three at 120x40), without a total.
    tick = liquidated_tick("09-vault-runs-dry", "deleverage")
    app = level_app("09-vault-runs-dry")
    async with app.run_test(size=size) as pilot:
        screen = await started(pilot, app, ticks=tick)
        await pilot.press("w")
        why = app.screen
        assert isinstance(why, WhyScreen) and screen.paused
        text = fits(why, size)
        assert (
            "queue rank 1 under the BitMEX queue rule" in text and "Change in your equity" in text
        )
        why.query_one("#why-box").scroll_end(animate=False)  # everything is reachable
        await pilot.pause()
        await pilot.press("w")
        assert app.screen is screen


async def test_why_is_there_when_a_liquidation_ends_the_level():
    # Before: the level ended on the liquidation and any key went on: no way to ask why.
    tick = liquidated_tick("04-liquidated", "liquidation")
    app = level_app("04-liquidated")
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, app, ticks=tick)
        await pilot.pause()
        await pilot.press("w")
        why = app.screen
        assert isinstance(why, WhyScreen)
        text = fits(why, (80, 24))
        assert "Liquidated: equity" in text and "Liquidation fee to the vault" in text
        assert "Change in your equity" in text


# ------------------------------------------------------- item 11: every order gets an answer
async def test_an_order_is_answered_in_the_tick_it_is_decided():
    # Before: "market buy 0.2 BTC (next tick)" and then nothing on the order line.
    app = calm()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await started(pilot, app)
        await pilot.press("b")
        assert "queued" in feedback(screen)
        screen.advance(1)
        await pilot.pause()
        assert "filled, avg" in feedback(screen)


async def test_a_refused_order_says_why_on_the_order_line():
    # Before: "(next tick)" stayed on screen; the refusal showed only in the debrief.
    app = calm()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await started(pilot, app)
        await pilot.press("colon", *"b 100", "enter")
        screen.advance(1)
        await pilot.pause()
        shown = feedback(screen)
        assert "refused" in shown and "margin" in shown


# ------------------------------------------------- item 9: a parse error lets go of the keys
async def test_a_parse_error_gives_the_keys_back():
    # Before: the order line kept the focus and the next hotkeys were typed into it.
    app = calm()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await started(pilot, app)
        await pilot.press("colon", *"buy lots", "enter")
        line = app.screen.query_one("#order-line", Input)
        assert "cannot read" in feedback(screen)
        assert not line.has_focus and line.value == "buy lots"
        await pilot.press("w")  # a hotkey again, not a letter in the line
        assert isinstance(app.screen, WhyScreen)
        assert line.value == "buy lots"


async def test_the_line_left_after_an_error_is_replaced_by_the_next_order():
    # Before: ":" reopened the line with the cursor after the bad text, so "b 0" then "b 0.1"
    # read "b 0b 0.1", and every order after it failed the same way (found in playtesting).
    app = calm()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await started(pilot, app)
        await pilot.press("colon", *"b 0", "enter")
        line = app.screen.query_one("#order-line", Input)
        assert line.value == "b 0" and not line.has_focus
        await pilot.press("escape", "colon", *"b 0.1", "enter")
        assert line.value == ""  # sent: the line is empty again
        assert "cannot read" not in feedback(screen)
        assert "buy 0.1" in feedback(screen), feedback(screen)  # the order that was sent


# ---------------------------------------------------------- item 6: footer and help fit the screen
@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_footer_keeps_why_order_and_quit(size):
    # Before: at 80x24 the footer ended at Close; at 120 columns it was cut after the speed keys.
    from textual.widgets._footer import FooterKey

    app = calm()
    async with app.run_test(size=size) as pilot:
        await started(pilot, app)
        shown = {
            key.action
            for key in app.screen.query(FooterKey)
            if key.region.width and key.region.right <= size[0]
        }
        assert {"help", "why", "order_line", "pause", "close", "quit"} <= shown


async def test_help_scrolls_with_the_keyboard_at_80x24():
    # Before: the help box could not take the focus, so the arrows did not scroll it.
    from perpgame.tui.screens.help import HelpScreen

    app = calm()
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, app)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        box = app.screen.query_one("#help-box")
        assert box.max_scroll_y > 0  # taller than the terminal
        await pilot.press("pagedown")
        await pilot.pause()
        assert box.scroll_y > 0
        await pilot.press("end")
        await pilot.pause()
        assert box.scroll_y == box.max_scroll_y


# --------------------------------------------------------------- item 7: the vault gauge's labels
@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_vault_gauge_is_labelled_equity_and_nothing_is_cut(size):
    # Before: "Vault ████ 299,451 cash" drew the equity and printed the cash beside it, and
    # "debt 24,9..." was cut at the panel's edge.
    from perpgame.session.numbers import format_cash

    app = level_app("09-vault-runs-dry")
    async with app.run_test(size=size) as pilot:
        screen = await started(pilot, app, ticks=liquidated_tick("09-vault-runs-dry", "deleverage"))
        if screen.compact:
            await pilot.press("v")  # the market view holds the waterfall
            await pilot.pause()
        w = app.session.frame().waterfall
        assert w.vault_cash != w.vault_equity and w.bad_debt
        lines = screen.waterfall.plain_lines()
        gauge = next(line for line in lines if line.startswith("Vault equity"))
        assert format_cash(w.vault_equity, places=0) in gauge
        cash = next(line for line in lines if line.startswith("Cash"))
        assert format_cash(w.vault_cash, places=0) in cash
        counts = next(line for line in lines if line.startswith("Liq"))
        assert counts.endswith(format_cash(w.bad_debt, places=0))


# ------------------------------------------------- item 5: no ADL rank for a position not in line
async def test_a_losing_position_shows_no_adl_rank():
    # Before: "rank 1/6" and a light for a position in loss, which ADL never closes.
    app = calm()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await started(pilot, app)
        await pilot.press("b")
        screen.advance(1)  # bought at the ask, marked at the mark: a small loss
        await pilot.pause()
        p = app.session.frame().position
        assert p.size > 0 and p.unrealized <= 0
        assert p.adl_rank is None and p.adl_lights == 0
        text = " ".join(screen.position.plain_lines())
        assert "rank" not in text and "only winners queue" in text


# --------------------------------------- item 9 and 10: the first screen waits; help; the replay
async def test_a_level_waits_on_its_first_screen_and_continue_opens_paused(make_app, saves_dir):
    # Before: the clock ran as soon as the briefing closed, and Continue resumed a running game.
    from perpgame.tui.screens.game import GameScreen
    from tests.tui.harness import settle

    app = make_app(game_options={})
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("c")  # nothing saved: the first level's briefing
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, GameScreen))
        game = app.screen
        assert game.paused and game.session.tick == 0
        assert "press space to start" in feedback(game)
        await pilot.press("space")
        assert not game.paused and "press space" not in feedback(game)
        await pilot.press("space")
        game.advance(2)
        await pilot.press("q", "y")
        await settle(pilot, lambda: not isinstance(app.screen, GameScreen))
        await pilot.press("c")  # resume
        await settle(pilot, lambda: isinstance(app.screen, GameScreen))
        assert app.screen.paused and app.screen.session.tick == 2
        assert "press space to go on" in feedback(app.screen)


async def test_help_on_the_title_is_not_called_paused(make_app):
    # Before: the title's help was titled "Paused · Help" with no game anywhere.
    from perpgame.tui.screens.help import HelpScreen
    from tests.tui.harness import settle

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert app.screen.query_one("#help-box").border_title == "Help"


# ------------------------------------------------- item 8: a late take-over can still be saved
async def test_a_late_take_over_offers_a_clean_restart(make_app, levels_dir):
    # Before: taking over late was the autopilot's position with no time left: a sure loss.
    from perpgame.tui.screens.confirm import TakeOver
    from perpgame.tui.screens.game import GameScreen
    from tests.tui.harness import settle
    from tests.tui.test_demo import curriculum, demo_app
    from tests.tui.test_demo import started as demo_started

    gamma = curriculum(levels_dir)[2]
    app = demo_app(make_app, (gamma,))
    async with app.run_test(size=(100, 30)) as pilot:
        game = await demo_started(pilot, app)
        game.advance(45)  # 22.5 s of 30
        await pilot.press("space")
        await settle(pilot, lambda: isinstance(app.screen, TakeOver))
        assert "r starts the level fresh" in str(app.screen.query_one("#takeover-text").render())
        await pilot.press("r")
        await settle(pilot, lambda: isinstance(app.screen, GameScreen) and app.screen is not game)
        fresh = app.screen
        assert fresh.autopilot is None and fresh.session.tick == 0
        assert fresh.session.level.id == "gamma" and fresh.paused


# ------------------------------------------------------------------------- the command palette
async def test_the_command_palette_offers_levels_demo_why_help_and_views(make_app):
    # Before: Ctrl+P offered only Textual's own commands (theme, quit, screenshot...).
    from perpgame.tui.commands import PerpCommands
    from perpgame.tui.screens.briefing import BriefingScreen
    from tests.tui.harness import settle

    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert PerpCommands in app.COMMANDS
        names = [name for name, _, _ in PerpCommands(app.screen)._commands()]
        assert {"Help", "Levels", "Demo", "Level: Alpha"} <= set(names)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"alpha")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, BriefingScreen))
        await pilot.press("enter")
        from perpgame.tui.screens.game import GameScreen

        await settle(pilot, lambda: isinstance(app.screen, GameScreen))
        game = app.screen
        names = [name for name, _, _ in PerpCommands(game)._commands()]
        assert {"Why?", "Help", "View: market", "View: tape"} <= set(names)
        dict((n, run) for n, run, _ in PerpCommands(game)._commands())["View: tape"]()
        assert game.view == "tape"
