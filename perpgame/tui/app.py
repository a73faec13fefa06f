"""The Textual app: title -> levels -> briefing -> game -> debrief, and progress kept on the way.

``PerpGameApp`` is built from plain arguments (levels folder, saves folder, seed) so tests make one
per case, Posting-style; ``run_app`` is what ``perpgame`` and ``perpgame play LEVEL`` call.
The app owns navigation: screens ask it to open the next screen, it keeps the stack short
(title at the bottom, at most levels -> briefing or game -> debrief above it).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType

from perpgame.level import Level, LevelError, scan_levels
from perpgame.saves import Replay, SaveStore
from perpgame.session import PLAYING, GameSession
from perpgame.session.autopilot import Autopilot
from perpgame.tui.screens.briefing import BriefingScreen
from perpgame.tui.screens.debrief import DebriefScreen
from perpgame.tui.screens.levels import LevelsScreen
from perpgame.tui.screens.title import TitleScreen

__all__ = ["DEFAULT_SEED", "PerpGameApp", "run_app", "watch_replay"]

DEFAULT_SEED = 1
"""The seed a level is played with unless one is given: the same as ``perpgame sim``'s."""

HOW_IT_WORKS = (
    "A perp exchange holds no coins, only a pile of cash. Longs win what shorts lose. When a "
    "trader's cash runs out they are liquidated: the book takes the position, else the backstop "
    "vault, else winners on the other side are auto-deleveraged. Menus: arrows and Enter, Esc "
    "goes back, q quits. In a level, these keys trade:"
)


class PerpGameApp(App[int]):
    """perpgame in the terminal."""

    CSS_PATH = "perpgame.tcss"
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
        """
        super().__init__()
        self.levels_dir = levels_dir
        self.seed = seed
        self.start_level = start_level
        self.level_path = level_path
        self.store = store if store is not None else SaveStore(saves_dir, levels_folder=levels_dir)
        self.game_options = dict(game_options or {})
        self._levels: list[Level] | None = None
        self._watching: tuple[Callable[[], GameSession], str, Autopilot | None] | None = None
        """What "watch again" replays: a session maker, its label, its autopilot (or None)."""
        self._watched: GameSession | None = None
        self.replay = replay
        self.level_problems: list[str] = []

    # ------------------------------------------------------------------ levels
    @property
    def levels(self) -> list[Level]:
        """Every level of the folder that loads, in curriculum order (read once)."""
        if self._levels is None:
            try:
                levels, problems = scan_levels(self.levels_dir)
            except LevelError as exc:
                levels, problems = [], exc.problems
            self._levels = levels
            self.level_problems = [str(p) for p in problems]
        return self._levels

    def curriculum_ids(self) -> list[str]:
        return [lv.id for lv in self.levels if lv.meta.order > 0]

    def is_unlocked(self, level: Level) -> bool:
        """Levels open in curriculum order; one outside it (order 0, or a file) is always open."""
        return self.store.is_unlocked(level.id, self.curriculum_ids())

    def next_level(self, level: Level) -> Level | None:
        """The curriculum level after ``level`` (None after the last, or for a level off the list)."""
        ids = self.curriculum_ids()
        if level.id not in ids:
            return None
        i = ids.index(level.id)
        return self.find(ids[i + 1]) if i + 1 < len(ids) else None

    def tally(self) -> tuple[int, int, int]:
        """(levels won, levels in the curriculum, stars earned) for the menus."""
        ids = self.curriculum_ids()
        done = self.store.profile().completed
        won = [done[i] for i in ids if i in done]
        return len(won), len(ids), sum(record.stars for record in won)

    def unlock_hint(self, level: Level) -> str:
        """What opens a locked level: ``Finish 2. Both sides first.``"""
        ids = self.curriculum_ids()
        i = ids.index(level.id) if level.id in ids else 0
        before = self.find(ids[i - 1]) if i > 0 else None
        return f"Finish {before.meta.order}. {before.title} first." if before else ""

    def find(self, level_id: str) -> Level | None:
        for level in self.levels:
            if level.id == level_id:
                return level
        if self.start_level is not None and self.start_level.id == level_id:
            return self.start_level
        return None

    def first_unfinished(self) -> Level | None:
        """The first unlocked curriculum level not completed yet (None when all are done)."""
        level_id = self.store.next_level(self.curriculum_ids())
        return self.find(level_id) if level_id else None

    @property
    def play_seed(self) -> int:
        return DEFAULT_SEED if self.seed is None else self.seed

    # ------------------------------------------------------------- navigation
    def on_mount(self) -> None:
        self.push_screen(TitleScreen())
        if self.start_level is not None:
            self.push_screen(BriefingScreen(self.start_level))
        elif self.replay is not None:
            self.watch(self._replay_session, "Replay")

    def _unwind(self) -> None:
        """Pop screens until the title is on top."""
        while len(self.screen_stack) > 2 and not isinstance(self.screen, TitleScreen):
            self.pop_screen()

    def open_levels(self) -> None:
        self._unwind()
        self.push_screen(LevelsScreen())

    def open_briefing(self, level: Level) -> None:
        if not self.is_unlocked(level):
            self.notify(self.unlock_hint(level), title="Locked", severity="warning")
            return
        if isinstance(self.screen, DebriefScreen):
            self.pop_screen()
        self.push_screen(BriefingScreen(level))

    def play(self, level: Level) -> None:
        """Start ``level`` from its first tick."""
        self.start_game(GameSession(level, self.play_seed))

    def start_game(self, session: GameSession) -> None:
        """Play ``session`` (a new game or a resumed one); its result goes into the profile."""
        self._watched = None
        self._push_game(session, None, self._game_over)

    def _push_game(
        self,
        session: GameSession,
        autopilot: Autopilot | None,
        done: Callable[[GameSession | None], None],
    ) -> None:
        from perpgame.tui.screens.game import GameScreen

        if isinstance(self.screen, BriefingScreen | DebriefScreen):
            self.pop_screen()
        options = {**self.game_options, "autopilot": autopilot}
        self.push_screen(GameScreen(session, **options), done)

    def continue_game(self) -> None:
        """Resume the saved mid-level game, else open the next level to play."""
        if self.store.load_resume() is not None:
            session = self.store.resume_session()
            self.show_notices()
            if session is not None:
                self.start_game(session)
                return
        level = self.first_unfinished()
        if level is not None:
            self.open_briefing(level)
        else:
            self.open_levels()

    def start_demo(self) -> None:
        level = self.demo_level()
        if level is None:
            self.notify("There are no levels to demonstrate.", severity="warning")
            return
        self.watch(lambda: GameSession(level, self.play_seed), "Demo", Autopilot)

    def watch(
        self, make: Callable[[], GameSession], label: str, autopilot: type[Autopilot] | None = None
    ) -> None:
        """Show a game that is not the player's (the demo, a replay): nothing is saved."""
        self._watching = (make, label, autopilot)
        session = make()
        self._watched = session
        self._push_game(session, autopilot() if autopilot else None, self._watch_over)

    def watch_again(self) -> None:
        if self._watching is not None:
            self.watch(*self._watching)

    def _replay_session(self) -> GameSession:
        replay = self.replay
        assert replay is not None and replay.level is not None
        session = GameSession(replay.level, replay.seed)
        session.schedule(replay.inputs)
        return session

    def demo_level(self) -> Level | None:
        ordered = [lv for lv in self.levels if lv.meta.order > 0]
        return ordered[-1] if ordered else None

    def show_help(self) -> None:
        from perpgame.session.commands import HELP as ORDER_SYNTAX
        from perpgame.tui.screens.game import GameScreen, key_help
        from perpgame.tui.screens.help import HelpScreen

        self.push_screen(
            HelpScreen(
                key_help(self, GameScreen.BINDINGS),
                title="How to play",
                lesson=HOW_IT_WORKS,
                syntax=ORDER_SYNTAX,
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
            DebriefScreen(session, next_level=self.next_level(session.level), replay=replay)
        )

    def _watch_over(self, session: GameSession | None) -> None:
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

    def show_notices(self) -> None:
        """Tell the player what the save store had to do (a damaged file set aside, ...)."""
        for notice in self.store.take_notices():
            self.notify(notice, title="Saves", severity="warning", timeout=10)

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
