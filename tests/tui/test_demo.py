"""``perpgame demo``: the autopilot plays a playlist on the real game screen; a key offers to take over.

Every game screen here starts paused (``game_options={"paused": True}``) and is moved on with
``advance``, so the tests are fast and deterministic; only the demo's debrief countdown runs on
the clock, and it is set to a fraction of a second.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from textual.widgets import Input

from perpgame.level import curriculum
from perpgame.saves import SaveStore, read_replay, replay_session
from perpgame.session import PLAYING, PlayerInput
from perpgame.session.autopilot import Autopilot
from perpgame.session.numbers import BUY
from perpgame.tui.app import PerpGameApp
from perpgame.tui.demo import DEMO_PLAYLIST, DemoPlan
from perpgame.tui.screens.confirm import QuitConfirm, TakeOver
from perpgame.tui.screens.debrief import DebriefScreen
from perpgame.tui.screens.demo_debrief import DemoDebrief
from perpgame.tui.screens.game import GameScreen
from perpgame.tui.screens.game_keys import TRADING
from perpgame.tui.screens.level_end import LevelEnd
from perpgame.tui.screens.title import TitleScreen

from .harness import level, perp_app, settle
from .test_flow import finish_level, played_gamma

SHIPPED_LEVELS = Path(__file__).resolve().parents[2] / "perpgame" / "levels"


async def wait_for(pilot, until, seconds: float = 5.0) -> None:
    """Let the clock run (a demo debrief counts down) until ``until()`` holds."""
    for _ in range(int(seconds / 0.02)):
        await pilot.pause(0.02)
        if until():
            return
    raise AssertionError("the app did not get there in time")


def market_buys(game: GameScreen) -> list[PlayerInput]:
    """The market buys in the game's log: the autopilot never sends one, the b key does."""
    return [
        a for a in game.session.input_log if a.kind == "order" and a.side == BUY and not a.price
    ]


def recorded(app: PerpGameApp, level_id: str) -> bool:
    """The level's result is in the profile (won or lost)."""
    profile = app.store.profile()
    return level_id in profile.completed or level_id in profile.tried


def demo_app(make_app, levels: tuple = (), **plan) -> PerpGameApp:
    return make_app(demo=DemoPlan(levels=levels, **plan))


async def started(pilot, app: PerpGameApp) -> GameScreen:
    await settle(pilot, lambda: isinstance(app.screen, GameScreen))
    game = app.screen
    assert isinstance(game, GameScreen)
    return game


# --------------------------------------------------------------------------- the shipped playlist
async def test_the_demo_plays_the_crash_levels_one_after_another(tmp_path) -> None:
    """The real playlist: the autopilot trades through the happy path, then the thin book starts."""
    app = perp_app(
        SHIPPED_LEVELS,
        tmp_path / "saves",
        game_options={"paused": True},
        demo=DemoPlan(debrief_seconds=60),
    )
    async with app.run_test(size=(120, 40)) as pilot:
        game = await started(pilot, app)
        playlist = [level.id for level in app.demo_playlist()]
        assert playlist == [i for i in DEMO_PLAYLIST if i in playlist] and len(playlist) >= 2
        assert game.session.level.id == playlist[0]
        assert isinstance(game.autopilot, Autopilot)
        banner = str(game.query_one("#banner").render())
        assert f"DEMO 1/{len(playlist)}" in banner and "press any key to take over" in banner
        assert game.order_input.disabled
        assert not any(game.check_action(action, ()) for action in TRADING)

        played = game.advance(600)  # a few hundred ticks: the whole level
        session = game.session
        assert played >= 200 and session.status != PLAYING
        assert session.input_log, "the autopilot placed orders"
        assert session.player_trades > 0, "and they traded"
        assert not market_buys(game)

        await settle(pilot, lambda: isinstance(app.screen, LevelEnd))
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, DemoDebrief))
        debrief = app.screen
        assert isinstance(debrief, DemoDebrief) and debrief.counting
        assert not recorded(app, playlist[0]) and app.store.load_resume() is None  # not saved

        debrief.start(0.1)  # the countdown, shortened
        await wait_for(pilot, lambda: isinstance(app.screen, GameScreen))
        following = app.screen
        assert isinstance(following, GameScreen) and following is not game
        assert following.session.level.id == playlist[1]
        assert "DEMO 2/" in str(following.query_one("#banner").render())

        # a trade key over the demo places nothing: it offers to take over
        following.advance(20)
        before = list(following.session.input_log)
        await pilot.press("b")
        await settle(pilot, lambda: isinstance(app.screen, TakeOver))
        assert following.paused
        await pilot.press("n")  # keep watching
        await settle(pilot, lambda: app.screen is following)
        assert following.autopilot is not None
        following.advance(12)
        assert following.session.input_log[: len(before)] == before
        assert not market_buys(following)


# ------------------------------------------------------------------------------ taking over
async def test_taking_over_hands_the_same_game_to_the_player(make_app, levels_dir) -> None:
    gamma = curriculum(levels_dir)[2]
    app = demo_app(make_app, (gamma,))
    async with app.run_test(size=(100, 30)) as pilot:
        game = await started(pilot, app)
        session = game.session
        game.advance(16)  # a quarter of the way in, it shorts the coming crash
        assert session.input_log, "the autopilot has traded"
        await pilot.press("x")  # close? no: over a demo any key asks first
        await settle(pilot, lambda: isinstance(app.screen, TakeOver))
        await pilot.press("y")
        await settle(pilot, lambda: app.screen is game)

        assert game.autopilot is None and game.session is session
        assert game.paused and game.speed == 1
        assert not game.query("#banner")
        assert not game.order_input.disabled
        assert all(game.check_action(action, ()) for action in TRADING - {"view"})
        assert app._watched is None  # autosaved from now on

        await pilot.press("b")  # now b buys
        game.advance(1)
        assert len(market_buys(game)) == 1

        debrief = await finish_level(app, pilot, ticks=100)
        assert debrief.watched == ""  # the player's own debrief, not the demo's
        assert recorded(app, "gamma"), "recorded like any game"
        assert debrief.replay is not None
        replay = read_replay(debrief.replay, levels_dir)
        again = replay_session(replay)
        again.run()
        assert again.state_hash() == session.state_hash(), "the replay holds every input"


async def test_a_taken_over_game_quit_midway_is_kept_for_resuming(make_app, levels_dir) -> None:
    app = demo_app(make_app, (curriculum(levels_dir)[2],))
    async with app.run_test(size=(100, 30)) as pilot:
        game = await started(pilot, app)
        game.advance(16)
        await pilot.press("space")
        await settle(pilot, lambda: isinstance(app.screen, TakeOver))
        await pilot.press("y")
        await settle(pilot, lambda: app.screen is game)
        game.advance(2)
        await pilot.press("q")
        await settle(pilot, lambda: isinstance(app.screen, QuitConfirm))
        await pilot.press("y")
        await settle(pilot, lambda: isinstance(app.screen, TitleScreen))
        resume = app.store.load_resume()
        assert resume is not None and (resume.level_id, resume.tick) == ("gamma", 18)
        assert len(resume.inputs) == len(game.session.input_log) > 0


async def test_q_in_the_take_over_dialog_ends_the_demo(make_app, levels_dir) -> None:
    app = demo_app(make_app, (curriculum(levels_dir)[2],))
    async with app.run_test(size=(100, 30)) as pilot:
        game = await started(pilot, app)
        game.advance(3)
        await pilot.click("#book")  # a click offers it too
        await settle(pilot, lambda: isinstance(app.screen, TakeOver))
        await pilot.press("q")
        await settle(pilot, lambda: not app.is_running)
    assert app.return_code == 0
    assert app.store.load_resume() is None


async def test_a_key_on_the_demo_debrief_offers_to_play_that_level(make_app, levels_dir) -> None:
    gamma = curriculum(levels_dir)[2]
    app = demo_app(make_app, (gamma,), debrief_seconds=30)
    async with app.run_test(size=(100, 30)) as pilot:
        game = await started(pilot, app)
        game.advance(100)
        await settle(pilot, lambda: isinstance(app.screen, LevelEnd))
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, DemoDebrief))
        debrief = app.screen
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, TakeOver))
        assert not debrief.counting
        await pilot.press("n")  # keep watching: the countdown goes on
        await settle(pilot, lambda: app.screen is debrief)
        assert debrief.counting
        await pilot.press("r")
        await settle(pilot, lambda: isinstance(app.screen, TakeOver))
        await pilot.press("y")  # play it yourself, from the start
        await settle(pilot, lambda: isinstance(app.screen, GameScreen))
        mine = app.screen
        assert isinstance(mine, GameScreen)
        assert mine.autopilot is None and not mine.read_only
        assert mine.session.level.id == "gamma" and mine.session.tick == 0
        played = await finish_level(app, pilot, ticks=100)
        assert played.watched == "" and recorded(app, "gamma")


# ------------------------------------------------------------------------------- the playlist
@pytest.mark.parametrize("loop", [False, True])
async def test_the_playlist_ends_or_starts_again(make_app, levels_dir, loop) -> None:
    alpha, beta, _ = curriculum(levels_dir)
    app = demo_app(make_app, (alpha, beta), debrief_seconds=0, loop=loop)
    async with app.run_test(size=(100, 30)) as pilot:
        seen = []
        for _ in range(3 if loop else 2):
            game = await started(pilot, app)
            seen.append(game.session.level.id)
            game.advance(20)
            await settle(pilot, lambda: isinstance(app.screen, LevelEnd))
            await pilot.press("enter")
            await settle(pilot, lambda g=game: app.screen is not g and app.screen is not None)
        if loop:
            assert seen == ["alpha", "beta", "alpha"]
            await started(pilot, app)
            assert app.is_running
        else:
            assert seen == ["alpha", "beta"]
            await settle(pilot, lambda: not app.is_running)
    if not loop:
        assert app.return_code == 0
    assert not recorded(app, "alpha") and not recorded(app, "beta")


async def test_with_loop_an_idle_app_goes_back_to_the_demo(make_app, levels_dir) -> None:
    gamma = curriculum(levels_dir)[2]
    app = demo_app(make_app, (gamma,), loop=True, idle_seconds=600)
    async with app.run_test(size=(100, 30)) as pilot:
        game = await started(pilot, app)
        await pilot.press("space")
        await settle(pilot, lambda: isinstance(app.screen, TakeOver))
        await pilot.press("y")
        await settle(pilot, lambda: app.screen is game and game.autopilot is None)
        game.advance(3)
        await pilot.press("q")
        await settle(pilot, lambda: isinstance(app.screen, QuitConfirm))
        await pilot.press("y")
        await settle(pilot, lambda: isinstance(app.screen, TitleScreen))
        assert app.store.load_resume() is not None
        assert app.demo is not None
        app.demo = replace(app.demo, idle_seconds=0.2)  # and now nobody touches it
        await wait_for(pilot, lambda: isinstance(app.screen, GameScreen), seconds=5)
        assert app.screen.autopilot is not None  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------- read-only replays
async def test_a_replay_cannot_trade_and_plays_back_exactly(make_app, saves_dir, levels_dir):
    played = played_gamma(levels_dir)
    path = SaveStore(saves_dir, levels_folder=levels_dir).save_replay(played)
    assert path is not None
    app = make_app(replay=read_replay(path, levels_dir))
    async with app.run_test(size=(120, 40)) as pilot:
        game = await started(pilot, app)
        assert game.read_only and game.autopilot is None
        assert "REPLAY" in str(game.query_one("#banner").render())
        assert not any(game.check_action(action, ()) for action in TRADING)
        assert game.query_one("#order-line", Input).disabled
        for key in ("b", "s", "B", "S", "x", "c", "m", "M", "right_square_bracket", "colon"):
            await pilot.press(key)
        assert not any(button.display for button in game.query("#ticket Button"))
        assert not isinstance(app.screen, TakeOver)
        debrief = await finish_level(app, pilot, ticks=100)
        assert debrief.watched == "Replay"
        assert debrief.session.input_log == played.input_log
        assert debrief.session.state_hash() == played.state_hash()


async def test_a_replay_opened_from_the_debrief_is_read_only_too(make_app, levels_dir) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.play(curriculum(levels_dir)[0])
        await started(pilot, app)
        await finish_level(app, pilot)
        await pilot.press("v")
        await settle(pilot, lambda: isinstance(app.screen, GameScreen))
        assert app.screen.read_only  # type: ignore[attr-defined]


async def test_the_title_demo_is_the_last_level_and_offers_take_over(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("d")
        game = await started(pilot, app)
        assert game.session.level.id == "gamma" and game.autopilot is not None
        await pilot.press("b")
        await settle(pilot, lambda: isinstance(app.screen, TakeOver))
        await pilot.press("q")  # from the title, q leaves the demo but not the game
        await settle(pilot, lambda: isinstance(app.screen, TitleScreen))
        assert app.is_running


def test_the_demo_command_line(monkeypatch) -> None:
    from perpgame import cli
    from perpgame.tui import app as app_module

    calls = []
    monkeypatch.setattr(
        app_module, "run_demo", lambda level, **kw: calls.append((level and level.id, kw)) or 0
    )
    assert cli.main(["demo"]) == 0
    assert cli.main(["demo", "the-big-one", "--speed", "10", "--loop", "--seed", "3"]) == 0
    assert calls == [
        (None, {"speed": 5, "loop": False, "seed": None}),
        ("the-big-one", {"speed": 10, "loop": True, "seed": 3}),
    ]
    with pytest.raises(SystemExit) as exc:
        cli.main(["demo", "--speed", "3"])
    assert exc.value.code == 2


async def test_finish_level_helper_still_sees_a_plain_debrief(make_app) -> None:
    """A watched demo started from the title ends on the ordinary watched debrief."""
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.start_demo()
        await started(pilot, app)
        debrief = await finish_level(app, pilot, ticks=100)
        assert type(debrief) is DebriefScreen and debrief.watched == "Demo"


async def test_a_game_started_by_a_mouse_click_on_the_debrief_still_ends_in_a_debrief(
    make_app,
) -> None:
    """Games are pushed from the app's own queue: pushed from a button handler of a screen that
    is popped on the way (the debrief), Textual would drop the game's result callback, and the
    game's end would lead nowhere (found through the demo debrief's timer)."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.play(level(app, "alpha"))
        await started(pilot, app)
        await finish_level(app, pilot)
        await pilot.click("#retry")
        await started(pilot, app)
        again = await finish_level(app, pilot)
        assert again.session.level.id == "alpha"
        assert app.store.profile().completed["alpha"].plays == 2
