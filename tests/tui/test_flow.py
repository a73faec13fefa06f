"""Pilot tests of the app's flows: title -> levels -> briefing -> game -> debrief, and back.

The levels are tiny texts written to a temporary folder (alpha is won at tick 4, beta is lost at
tick 4, gamma is a short crash), the saves go to another, and the game screen starts paused so a
test moves it on with ``advance``: nothing here waits for the clock.
"""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import OptionList

from perpgame.level import curriculum, load_level_text
from perpgame.saves import SaveStore, read_replay
from perpgame.session import LOST, PLAYING, WON, GameSession, PlayerInput
from perpgame.session.autopilot import Autopilot
from perpgame.session.debrief import Entry, _merge_fills, money_moves, timeline_entries
from perpgame.tui.app import DEFAULT_SEED, PerpGameApp
from perpgame.tui.screens.briefing import BriefingScreen
from perpgame.tui.screens.confirm import QuitConfirm
from perpgame.tui.screens.debrief import DebriefScreen, pile_caption
from perpgame.tui.screens.game import GameScreen
from perpgame.tui.screens.help import HelpScreen
from perpgame.tui.screens.level_end import LevelEnd
from perpgame.tui.screens.levels import LevelsScreen
from perpgame.tui.screens.title import TitleScreen
from perpgame.tui.text import goal_text, lesson_text
from tests.tui.harness import level, settle

MARKET = """
[market]
start_price = "60000"
max_leverage = 50
maintenance = "1%"

[player]
cash = "20000"
leverage = 3

[[traders]]
archetype = "market_maker"
count = 1
cash = ["400000", "400000"]
"""

ALPHA = (
    """
[meta]
id = "alpha"
title = "Alpha"
order = 1
difficulty = 1
summary = "Won at tick 4."
lesson = "The first lesson: wait two seconds."
"""
    + MARKET
    + """
[objectives]
time_limit = 10
win = [{ when = "tick >= 4", text = "Wait for tick 4" }]
stars = ["player_trades >= 1"]
"""
)

BETA = (
    """
[meta]
id = "beta"
title = "Beta"
order = 2
difficulty = 2
summary = "Lost at tick 4."
lesson = "The second lesson: it is lost at tick 4."
"""
    + MARKET
    + """
[objectives]
time_limit = 10
win = ["tick >= 15"]
lose = [{ when = "tick >= 4", text = "Tick 4 came" }]
hint = "There is no way to win this one."
"""
)

GAMMA = """
[meta]
id = "gamma"
title = "Gamma crash"
order = 3
difficulty = 3
summary = "A small crash in a thin book: catch what falls."
lesson = \"\"\"
Over-levered longs meet a falling price.
Their positions are sold into the book: be the bid that takes them.
\"\"\"

[market]
start_price = "60000"
max_leverage = 50
maintenance = "1%"

[player]
cash = "20000"
leverage = 3

[[traders]]
archetype = "market_maker"
count = 2
cash = ["400000", "400000"]

[[traders]]
archetype = "degenerate"
count = 8
cash = ["1000", "3000"]
leverage = [25, 50]

[[timeline]]
at = 20
do = "move"
change = "-6%"
ticks = 10

[objectives]
time_limit = 30
survive = true
stars = ["player_pnl > 0", { when = "player_trades >= 2", text = "Trade twice" }]
hint = "Rest bids a few percent under the market before the fall."
"""

LEVELS = {"01-alpha.toml": ALPHA, "02-beta.toml": BETA, "03-gamma.toml": GAMMA}

GAMMA_ORDERS = [
    PlayerInput.order(3, 1, 1_000),
    PlayerInput.order(4, 1, 2_000, 5_820_000),
    PlayerInput.order(5, 1, 2_000, 5_760_000),
]
"""A market buy of 0.1 coin, then bids 3% and 4% under the start: filled in gamma's crash."""


def write_levels(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in LEVELS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def played_gamma(levels_dir: Path) -> GameSession:
    """Gamma played to its end with GAMMA_ORDERS: won, 2 stars, the vault in action."""
    session = GameSession(curriculum(levels_dir)[2], DEFAULT_SEED)
    session.schedule(GAMMA_ORDERS)
    session.run()
    return session


async def finish_level(app: PerpGameApp, pilot: Pilot, ticks: int = 50) -> DebriefScreen:
    """Advance the paused game to its end, go past the end notice, and return the debrief."""
    game = app.screen
    assert isinstance(game, GameScreen)
    game.advance(ticks)
    await settle(pilot, lambda: isinstance(app.screen, LevelEnd))
    await pilot.press("enter")
    await settle(pilot, lambda: isinstance(app.screen, DebriefScreen))
    assert isinstance(app.screen, DebriefScreen)
    return app.screen


# ---------------------------------------------------------------------------------- the flows
async def test_title_levels_briefing_win_debrief_next(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, TitleScreen)
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, LevelsScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, BriefingScreen)
        assert app.screen.level.id == "alpha"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, GameScreen)
        assert app.screen.session.tick == 0

        debrief = await finish_level(app, pilot)
        assert debrief.session.status == WON
        assert debrief.session.stars == 1
        assert debrief.has_class("-won")
        profile = app.store.profile()
        assert profile.is_completed("alpha")
        assert profile.completed["alpha"].stars == 1
        assert [type(s) for s in app.screen_stack[1:]] == [
            TitleScreen,
            LevelsScreen,
            DebriefScreen,
        ]

        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, BriefingScreen)
        assert app.screen.level.id == "beta"


async def test_lose_debrief_retry_and_levels(make_app, saves_dir, levels_dir) -> None:
    won = GameSession(curriculum(levels_dir)[0], DEFAULT_SEED)
    won.run()
    assert won.status == WON
    store = SaveStore(saves_dir, levels_folder=levels_dir)
    store.record_result(won)

    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.open_briefing(level(app, "beta"))
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, GameScreen))
        debrief = await finish_level(app, pilot)
        assert debrief.session.status == LOST
        assert debrief.session.end_reason == "Tick 4 came"
        assert debrief.has_class("-lost")
        assert not debrief.query("#next")
        assert app.store.profile().tried["beta"].plays == 1

        await pilot.press("n")  # no next level after a loss
        await settle(pilot)
        assert app.screen is debrief

        await pilot.press("r")
        await settle(pilot, lambda: isinstance(app.screen, GameScreen))
        assert app.screen.session.level.id == "beta"
        assert app.screen.session.tick == 0
        assert app.screen.session is not debrief.session

        await finish_level(app, pilot)
        await pilot.press("l")
        await settle(pilot, lambda: isinstance(app.screen, LevelsScreen))
        assert [type(s) for s in app.screen_stack[1:]] == [TitleScreen, LevelsScreen]
        assert app.store.profile().tried["beta"].plays == 2


async def test_enter_on_debrief_goes_on(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.play(level(app, "alpha"))
        await settle(pilot, lambda: isinstance(app.screen, GameScreen))
        await finish_level(app, pilot)
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, BriefingScreen))
        assert app.screen.level.id == "beta"


async def test_locked_level_cannot_be_opened(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        levels = app.screen
        assert isinstance(levels, LevelsScreen)
        option_list = levels.query_one(OptionList)
        assert option_list.highlighted == 0
        await pilot.press("down", "down")
        assert option_list.highlighted == 2
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is levels
        assert any("Finish 2. Beta first" in str(n.message) for n in app._notifications)

        app.open_briefing(level(app, "gamma"))
        await settle(pilot)
        assert app.screen is levels
        assert not app.campaign.is_unlocked(level(app, "beta"))
        assert app.campaign.is_unlocked(level(app, "alpha"))


async def test_quit_mid_level_then_continue_resumes(make_app, saves_dir) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("c")  # nothing saved: continue opens the first level's briefing
        await settle(pilot)
        assert isinstance(app.screen, BriefingScreen)
        assert app.screen.level.id == "alpha"
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, GameScreen))
        app.screen.session.submit(PlayerInput.order(1, 1, 100))
        app.screen.advance(2)

        await pilot.press("q")  # mid-level: asks first
        await settle(pilot, lambda: isinstance(app.screen, QuitConfirm))
        await pilot.press("y")
        await settle(pilot, lambda: isinstance(app.screen, TitleScreen))
        resume = app.store.load_resume()
        assert resume is not None
        assert (resume.level_id, resume.tick) == ("alpha", 2)
        menu = app.screen.query_one(OptionList)
        assert "resume Alpha at 0:01" in str(menu.get_option("continue").prompt)

        await pilot.press("c")
        await settle(pilot, lambda: isinstance(app.screen, GameScreen))
        session = app.screen.session
        assert (session.level.id, session.tick, session.status) == ("alpha", 2, PLAYING)
        assert len(session.input_log) == 1

        await finish_level(app, pilot)
        assert app.store.load_resume() is None
        assert app.store.profile().is_completed("alpha")
    assert (saves_dir / "profile.json").is_file()


async def test_q_on_title_quits_at_once(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await settle(pilot, lambda: not app.is_running)
    assert app.return_code == 0


async def test_q_on_levels_quits_escape_goes_back(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, TitleScreen)
        await pilot.press("l")
        await settle(pilot)
        await pilot.press("q")
        await settle(pilot, lambda: not app.is_running)
    assert app.return_code == 0


async def test_ctrl_q_mid_level_quits_and_keeps_the_game(make_app, saves_dir, levels_dir) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.play(level(app, "alpha"))
        await settle(pilot, lambda: isinstance(app.screen, GameScreen))
        app.screen.advance(3)
        await pilot.press("ctrl+q")
        await settle(pilot, lambda: not app.is_running)
    assert app.return_code == 0
    resume = SaveStore(saves_dir, levels_folder=levels_dir).load_resume()
    assert resume is not None
    assert (resume.level_id, resume.tick) == ("alpha", 3)


async def test_play_mode_starts_at_the_briefing_and_q_quits(make_app, levels_dir) -> None:
    app = make_app(start_level=curriculum(levels_dir)[2])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, BriefingScreen)
        assert app.screen.level.id == "gamma"  # a locked level opens when asked for by name
        await pilot.press("q")
        await settle(pilot, lambda: not app.is_running)
    assert app.return_code == 0


async def test_play_mode_quit_mid_level_exits(make_app, levels_dir) -> None:
    app = make_app(start_level=curriculum(levels_dir)[0])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, GameScreen))
        app.screen.advance(1)
        await pilot.press("q")
        await settle(pilot, lambda: isinstance(app.screen, QuitConfirm))
        await pilot.press("y")
        await settle(pilot, lambda: not app.is_running)
    assert app.return_code == 0


async def test_demo_plays_the_last_level_with_the_autopilot(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot, lambda: isinstance(app.screen, GameScreen))
        game = app.screen
        assert game.session.level.id == "gamma"
        assert isinstance(game.autopilot, Autopilot)
        game.advance(16)
        assert game.session.input_log, "the autopilot placed orders"
        app.autosave(game.session)
        assert app.store.load_resume() is None, "the demo is never saved for resuming"
        debrief = await finish_level(app, pilot, ticks=100)
        assert debrief.watched == "Demo"
        assert not app.store.profile().completed and not app.store.profile().tried
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, TitleScreen))


async def test_watch_a_replay(make_app, saves_dir, levels_dir) -> None:
    played = played_gamma(levels_dir)
    store = SaveStore(saves_dir, levels_folder=levels_dir)
    path = store.save_replay(played)
    assert path is not None
    replay = read_replay(path, levels_dir)

    app = make_app(replay=replay)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, GameScreen))
        debrief = await finish_level(app, pilot, ticks=100)
        assert debrief.watched == "Replay"
        assert debrief.session.state_hash() == played.state_hash()
        assert app.store.profile().completed == {}
        await pilot.press("r")  # watch it again
        await settle(pilot, lambda: isinstance(app.screen, GameScreen))
        assert app.screen.session.tick == 0
        await pilot.press("q")
        await settle(pilot, lambda: isinstance(app.screen, QuitConfirm))
        await pilot.press("y")
        await settle(pilot, lambda: not app.is_running)
    assert app.return_code == 0


async def test_help_from_the_title(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, TitleScreen))


async def test_menu_works_with_the_mouse(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.click("#menu", offset=(4, 2))  # the second option: Levels
        await settle(pilot, lambda: isinstance(app.screen, LevelsScreen))
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, BriefingScreen))
        await pilot.click("#play")
        await settle(pilot, lambda: isinstance(app.screen, GameScreen))


async def test_a_broken_level_file_is_reported_not_fatal(make_app, levels_dir) -> None:
    (levels_dir / "04-broken.toml").write_text("[meta]\nid = 'broken'\n", encoding="utf-8")
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert [lv.id for lv in app.campaign.levels] == ["alpha", "beta", "gamma"]
        assert app.campaign.level_problems and "04-broken.toml" in app.campaign.level_problems[0]
        assert any(n.title == "Level file" for n in app._notifications)


# ---------------------------------------------------------------------------------- the debrief
def test_money_moves_add_up_to_the_pile(levels_dir) -> None:
    session = played_gamma(levels_dir)
    moves = money_moves(session)
    assert [m.group for m in moves] == ["player", "degenerate", "market_maker", "vault", "house"]
    assert [m.label for m in moves][:2] == ["you", "8 degenerates"]
    assert sum(m.change for m in moves) == 0
    assert moves[0].change == session.metrics["player_pnl"]
    assert "every gain above is someone else's loss" in str(pile_caption(session))


def test_timeline_tells_the_player_and_the_waterfall(levels_dir) -> None:
    session = played_gamma(levels_dir)
    entries = timeline_entries(session)
    assert [e.tick for e in entries] == sorted(e.tick for e in entries)
    mine = [e for e in entries if e.player]
    assert [e.kind for e in mine] == ["fill", "fill", "fill"]
    assert mine[0].text.startswith("You bought 0.1 at")
    stages = [e for e in entries if not e.player]
    assert [e.kind for e in stages] == ["liquidation", "backstop"]
    assert stages[0].text.startswith("First liquidation (5 in all): ")


def test_fills_in_one_tick_are_told_once() -> None:
    fills = [Entry(7, "fill", f"You sold {i}.", True) for i in range(3)]
    fills += [Entry(7, "liquidation", "You were liquidated.", True)]
    merged = _merge_fills(fills)
    assert [e.text for e in merged] == [
        "You sold 0. And 2 more fills at the same moment.",
        "You were liquidated.",
    ]


def test_lesson_text_joins_lines_but_keeps_list_items() -> None:
    text = ALPHA.replace(
        'lesson = "The first lesson: wait two seconds."',
        'lesson = """\nTwo rules\ndecide it:\n1. the book first;\n2. then the vault,\n'
        '   never magic.\nThat is all.\n\nA new paragraph."""',
    )
    assert lesson_text(load_level_text(text)) == (
        "Two rules decide it:\n1. the book first;\n2. then the vault, never magic.\n"
        "That is all.\n\nA new paragraph."
    )


def test_goal_text_reads_like_a_sentence() -> None:
    assert goal_text("player_filled_liquidations >= 0.5") == "your filled liquidations >= 0.5"
    assert goal_text("player_pnl > 0") == "your PnL > 0"
    assert goal_text("Buy 0.05 coin") == "Buy 0.05 coin"


def test_level_text_loads_for_the_tests() -> None:
    assert load_level_text(ALPHA).id == "alpha"


def test_money_moves_do_not_count_deposits_as_gains(levels_dir) -> None:
    # the playtest found "you +3,971" after adding 4,000 of margin and losing 29
    from perpgame.session.numbers import parse_cash

    level = load_level_text((levels_dir / "03-gamma.toml").read_text(), "gamma")
    session = GameSession(level, DEFAULT_SEED)
    session.submit(PlayerInput(0, "add_margin", amount=parse_cash("4000")))
    session.run()
    moves = money_moves(session)
    assert moves[0].change == session.metrics["player_pnl"]
    assert sum(m.change for m in moves) == 0
    assert sum(session.paid_in.values()) == session.market.check_pile().pile
    assert "fresh cash came in" in str(pile_caption(session))
