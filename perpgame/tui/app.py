"""The Textual app: title -> levels -> briefing -> game -> debrief, and progress kept on the way.

``PerpGameApp`` is built from plain arguments (levels folder, saves folder, seed) so tests make one
per case, Posting-style; ``run_app`` is what ``perpgame`` and ``perpgame play LEVEL`` call.
The app owns navigation: screens ask it to open the next screen, it keeps the stack short
(title at the bottom, at most levels -> briefing or game -> debrief above it).

``run_demo`` is ``perpgame demo``, attract mode: a ``DemoPlan`` (a playlist of levels, a speed,
whether to loop) is played by the ``Autopilot`` on the real game screen, each level followed by its
debrief for a few seconds. A key over a demo game offers to take it over; a taken-over game is then
an ordinary game of the player's (autosaved, recorded, with a replay that holds every input, the
autopilot's too). With ``loop``, the demo comes back by itself after ``idle_seconds`` without input.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from time import monotonic
from typing import Any, ClassVar

from textual import events, on
from textual.app import App
from textual.binding import Binding, BindingType

from perpgame.level import Level
from perpgame.saves import Replay, SaveStore
from perpgame.session import PLAYING, GameSession
from perpgame.session.autopilot import Autopilot
from perpgame.session.inputs import PlayerInput
from perpgame.session.policy_pick import choices
from perpgame.tui import STYLESHEET, messages
from perpgame.tui.campaign import Campaign
from perpgame.tui.commands import PerpCommands
from perpgame.tui.demo import DEMO_SPEED, DemoFlow, DemoPlan
from perpgame.tui.screens.briefing import BriefingScreen
from perpgame.tui.screens.debrief import DebriefScreen
from perpgame.tui.screens.levels import LevelsScreen
from perpgame.tui.screens.title import TitleScreen

__all__ = ["DEFAULT_SEED", "PerpGameApp", "run_app", "run_demo", "watch_replay"]

DEFAULT_SEED = 1
"""The seed a level is played with unless one is given: the same as ``perpgame sim``'s."""

REPLAY_BANNER = "REPLAY · a saved game played back as it was: trading is off (q leaves)"


HOW_IT_WORKS = (
    "A perp exchange holds no coins, only a pile of cash. Longs win what shorts lose. When a "
    "trader's cash runs out they are liquidated: the book takes the position, else the backstop "
    "vault, else winners on the other side are auto-deleveraged. Menus: arrows and Enter, Esc "
    "goes back, q quits. In a level, these keys trade:"
)


class PerpGameApp(DemoFlow, App[int]):
    """perpgame in the terminal."""

    CSS_PATH = STYLESHEET
    CSS = "Screen { background: $background; }"
    """The one style kept here (it wins over the stylesheet's rules of the same weight): every
    screen, the dialogs too, on an opaque background, as the game has always looked; the test
    harness's app leaves it out, so its dialogs show the game through, as the snapshots do."""
    COMMANDS = App.COMMANDS | {PerpCommands}
    TITLE = "perpgame"
    SUB_TITLE = "a perpetual-futures exchange, from the inside"
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-narrow"), (100, "-wide")]
    VERTICAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-short"), (32, "-tall")]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True),
    ]

    def __init__(
        self,
        *,
        levels_dir: Path | None = None,
        saves_dir: Path | None = None,
        seed: int | None = None,
        start_level: Level | None = None,
        level_path: Path | None = None,
        store: SaveStore | None = None,
        game_options: dict[str, Any] | None = None,
        replay: Replay | None = None,
        demo: DemoPlan | None = None,
    ) -> None:
        """
        Args:
            levels_dir: the curriculum's folder (default: ``$PERPGAME_LEVELS`` or ``levels/``).
            saves_dir: where progress goes (default: ``$PERPGAME_SAVES`` or ``./saves``).
            seed: the seed every level is played with (default: ``DEFAULT_SEED``).
            start_level: open this level's briefing straight away (``perpgame play LEVEL``).
            level_path: the file ``start_level`` came from, if it was given as a path (kept for
                reference: a loaded level knows its own source, which the saves record).
            store: a ready save store; overrides ``saves_dir``.
            game_options: extra keyword arguments for every GameScreen (tests: ``paused=True``).
            replay: watch this saved game straight away (``perpgame replay FILE``).
            demo: play this demo playlist straight away (``perpgame demo``).
        """
        super().__init__()
        self.levels_dir = levels_dir
        self.seed = seed
        self.start_level = start_level
        self.level_path = level_path
        self.store = store if store is not None else SaveStore(saves_dir, levels_folder=levels_dir)
        self.campaign = Campaign(levels_dir, self.store, start_level)
        self.game_options = dict(game_options or {})
        self._watching: (
            tuple[Callable[[], GameSession], str, type[Autopilot] | None, dict[str, Any]] | None
        ) = None
        """What "watch again" replays: a session maker, its label, its autopilot, screen options."""
        self._watched: GameSession | None = None
        self.replay = replay
        self.demo = demo
        self._demo_at = -1
        """Where the demo is in its playlist."""
        self._demo_on = False
        """The attract-mode demo is running: each level's end leads to the next."""
        self._taken: GameSession | None = None
        """A watched game the player took over: it ends like a game of theirs."""
        self._last_input = monotonic()

    @property
    def play_seed(self) -> int:
        return DEFAULT_SEED if self.seed is None else self.seed

    # ------------------------------------------------------------- navigation
    def on_mount(self) -> None:
        self.push_screen(TitleScreen(self.campaign))
        if self.start_level is not None:
            self.push_screen(BriefingScreen(self.start_level))
        elif self.replay is not None:
            self.watch(self._replay_session, "Replay")
        elif self.demo is not None:
            self.next_demo()
            if self.demo.loop:
                self.set_interval(1.0, self._idle_check)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.MouseDown | events.MouseScrollDown):
            self._last_input = monotonic()
        await super().on_event(event)

    def _unwind(self) -> None:
        """Pop screens until the title is on top."""
        while len(self.screen_stack) > 2 and not isinstance(self.screen, TitleScreen):
            self.pop_screen()

    @on(messages.OpenLevels)
    def open_levels(self) -> None:
        self._unwind()
        self.push_screen(LevelsScreen(self.campaign))

    @on(messages.OpenLab)
    def open_lab(self) -> None:
        """The title's Policy lab: any level under every ADL rule."""
        from perpgame.tui.screens.lab import LabScreen

        self._unwind()
        self.push_screen(LabScreen(self.campaign.levels, self.play_seed))

    def open_briefing(self, level: Level) -> None:
        if not self.campaign.is_unlocked(level):
            self.notify(self.campaign.unlock_hint(level), title="Locked", severity="warning")
            return
        if isinstance(self.screen, DebriefScreen):
            self.pop_screen()
        self.push_screen(BriefingScreen(level))

    def play(self, level: Level, *, policy: str | None = None) -> None:
        """Start ``level`` from its first tick. A level that lets the player pick its ADL rule
        asks first (Esc stays where it was); the pick is recorded as their first input."""
        if policy is None and choices(level):
            from perpgame.tui.screens.policy_pick import PolicyPickScreen

            def picked(name: str | None) -> None:
                if name is not None:
                    self.play(level, policy=name)

            self.push_screen(PolicyPickScreen(level), picked)
            return
        session = GameSession(level, self.play_seed)
        if policy is not None:
            session.submit(PlayerInput(0, "pick_policy", policy=policy))
        self.start_game(session)

    def start_game(self, session: GameSession) -> None:
        """Play ``session`` (a new game or a resumed one); its result goes into the profile.

        The game opens paused, on its first screen (or where it was left): the clock starts when
        the player presses space, not while they are still reading.
        """
        self._watched = None
        self._push_game(session, None, self._game_over, {"paused": True})

    def _push_game(
        self,
        session: GameSession,
        autopilot: Autopilot | None,
        done: Callable[[GameSession | None], None],
        screen_options: dict[str, Any] | None = None,
    ) -> None:
        # Done from the app's own queue: Textual runs a pushed screen's result callback through
        # whatever was handling a message when it was pushed, and a screen popped here (a debrief
        # whose button was clicked, a demo debrief's timer) would never run it.
        self.call_later(self._push_game_now, session, autopilot, done, screen_options)

    def _push_game_now(
        self,
        session: GameSession,
        autopilot: Autopilot | None,
        done: Callable[[GameSession | None], None],
        screen_options: dict[str, Any] | None,
    ) -> None:
        from perpgame.tui.screens.game import GameScreen

        if isinstance(self.screen, BriefingScreen | DebriefScreen):
            self.pop_screen()
        options = {**(screen_options or {}), **self.game_options, "autopilot": autopilot}
        options["autosave"] = self.autosave
        self.push_screen(GameScreen(session, **options), done)

    @on(messages.ContinueGame)
    def continue_game(self) -> None:
        """Resume the saved mid-level game, else open the next level to play."""
        if self.store.load_resume() is not None:
            session = self.store.resume_session()
            self.show_notices()
            if session is not None:
                self.start_game(session)
                return
        level = self.campaign.first_unfinished()
        if level is not None:
            self.open_briefing(level)
        else:
            self.open_levels()

    def watch(
        self,
        make: Callable[[], GameSession],
        label: str,
        autopilot: type[Autopilot] | None = None,
        **screen_options: Any,
    ) -> None:
        """Show a game that is not the player's (the demo, a replay): nothing is saved.

        ``screen_options`` go to the GameScreen (``banner``, ``speed``, ...). A game watched
        without an autopilot is a replay: it is read-only, so what was recorded plays back exactly.
        """
        if autopilot is None:
            screen_options = {"read_only": True, "banner": REPLAY_BANNER, **screen_options}
        self._watching = (make, label, autopilot, screen_options)
        session = make()
        self._watched = session
        self._push_game(
            session,
            autopilot(session.level) if autopilot else None,
            self._watch_over,
            screen_options,
        )

    @on(messages.WatchAgain)
    def watch_again(self) -> None:
        if self._watching is not None:
            make, label, autopilot, options = self._watching
            self.watch(make, label, autopilot, **options)

    def _replay_session(self) -> GameSession:
        replay = self.replay
        assert replay is not None and replay.level is not None
        session = GameSession(replay.level, replay.seed)
        session.schedule(replay.inputs)
        return session

    @on(messages.ShowHelp)
    def show_help(self) -> None:
        from perpgame.session.commands import HELP as ORDER_SYNTAX
        from perpgame.tui.screens.game import GameScreen
        from perpgame.tui.screens.help import HelpScreen
        from perpgame.tui.text import key_help

        self.push_screen(
            HelpScreen(
                key_help(self, GameScreen.BINDINGS),
                title="How to play",
                lesson=HOW_IT_WORKS,
                syntax=ORDER_SYNTAX,
                paused=False,
            )
        )

    def _game_over(self, session: GameSession | None) -> None:
        if session is None:
            self._unwind()
            return
        if session.status == PLAYING:
            self.store.save_resume(session)
            self.show_notices()
            if self.start_level is not None:
                self.exit(0)
                return
            self._unwind()
            if isinstance(self.screen, TitleScreen):
                self.screen.refresh_menu()  # it came back before the game was saved
            return
        self.store.record_result(session)  # (this also forgets its resume save)
        replay = self.store.save_replay(session)
        self.show_notices()
        self.push_screen(
            DebriefScreen(
                session, next_level=self.campaign.next_level(session.level), replay=replay
            )
        )

    def _watch_over(self, session: GameSession | None) -> None:
        if session is not None and session is self._taken:
            self._taken = None  # taken over: it ends like any game of the player's
            self._game_over(session)
            return
        if self._demo_on:
            self._demo_level_over(session)
            return
        label = self._watching[1] if self._watching else "Demo"
        if session is None or session.status == PLAYING:
            if self.replay is not None:
                self.exit(0)
                return
            self._unwind()
            return
        self.push_screen(DebriefScreen(session, watched=label))

    def autosave(self, session: GameSession) -> None:
        """Called by the game screen every few seconds (and when it closes mid-level)."""
        if session.status == PLAYING and session is not self._watched:
            self.store.save_resume(session)

    @on(messages.ShowSaveNotices)
    def show_notices(self) -> None:
        """Tell the player what the save store had to do (a damaged file set aside, ...)."""
        for notice in self.store.take_notices():
            self.notify(notice, title="Saves", severity="warning", timeout=10)

    # ------------------------------------------------------- what the screens ask
    # (a method of the app's own that needs nothing from the message carries its ``@on`` itself;
    # these unpack a message, or reach the demo's methods: DemoFlow is no message pump)
    @on(messages.PlayLevel)
    def _play_level(self, message: messages.PlayLevel) -> None:
        self.play(message.level)

    @on(messages.OpenBriefing)
    def _open_briefing(self, message: messages.OpenBriefing) -> None:
        self.open_briefing(message.level)

    @on(messages.WatchReplay)
    def _watch_replay(self, message: messages.WatchReplay) -> None:
        self.watch(message.make, "Replay")

    @on(messages.StartDemo)
    def _start_demo(self) -> None:
        self.start_demo()

    @on(messages.NextDemo)
    def _next_demo(self) -> None:
        self.next_demo()

    @on(messages.StopDemo)
    def _stop_demo(self) -> None:
        self.stop_demo()

    @on(messages.PlayFromDemo)
    def _play_from_demo(self, message: messages.PlayFromDemo) -> None:
        self.play_from_demo(message.level)

    @on(messages.RestartFromDemo)
    def _restart_from_demo(self, message: messages.RestartFromDemo) -> None:
        self.restart_from_demo(message.level)

    @on(messages.TookOver)
    def _took_over(self, message: messages.TookOver) -> None:
        self.take_over(message.session)

    async def action_quit(self) -> None:
        """Ctrl+Q (and q outside a level): quit at once, with exit status 0.

        A level in progress is kept to continue next time: the game screen autosaves as it closes.
        """
        self.exit(0)


def watch_replay(replay: Replay) -> int:
    """``perpgame replay FILE``: watch a saved game again in this terminal (nothing is recorded)."""
    app = PerpGameApp(replay=replay)
    app.run()
    return app.return_code or 0


def run_demo(
    level: Level | None = None,
    *,
    speed: int = DEMO_SPEED,
    loop: bool = False,
    seed: int | None = None,
    saves_dir: Path | None = None,
    levels_dir: Path | None = None,
) -> int:
    """``perpgame demo [LEVEL]``: attract mode until a key is pressed (or the playlist ends)."""
    plan = DemoPlan(levels=(level,) if level is not None else (), speed=speed, loop=loop)
    app = PerpGameApp(levels_dir=levels_dir, saves_dir=saves_dir, seed=seed, demo=plan)
    app.run()
    return app.return_code or 0


def run_app(
    *,
    start_level: Level | None = None,
    level_path: Path | None = None,
    seed: int | None = None,
    saves_dir: Path | None = None,
    levels_dir: Path | None = None,
) -> int:
    """Run the game in this terminal until the player quits; returns the exit status (0)."""
    app = PerpGameApp(
        levels_dir=levels_dir,
        saves_dir=saves_dir,
        seed=seed,
        start_level=start_level,
        level_path=level_path,
    )
    app.run()
    return app.return_code or 0
