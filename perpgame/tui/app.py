"""The Textual app: title -> levels -> briefing -> game -> debrief, and progress kept on the way.

``PerpGameApp`` is built from plain arguments (levels folder, saves folder, seed) so tests make one
per case, Posting-style; ``run_app`` is what ``perpgame`` and ``perpgame play LEVEL`` call.
The app owns navigation: screens ask it to open the next screen, it keeps the stack short
(title at the bottom, at most levels -> briefing or game -> debrief above it).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.app import App
from textual.binding import Binding
from textual.screen import Screen

from perpgame.level import Level, LevelError, scan_levels
from perpgame.session import PLAYING, GameSession, PlayerAction, Snapshot
from perpgame.session.fmt import BUY, SELL
from perpgame.tui.progress import open_store
from perpgame.tui.screens.briefing import BriefingScreen
from perpgame.tui.screens.debrief import DebriefScreen
from perpgame.tui.screens.levels import LevelsScreen
from perpgame.tui.screens.title import TitleScreen

__all__ = ["DEFAULT_SEED", "DemoPilot", "PerpGameApp", "run_app"]

DEFAULT_SEED = 1
"""The seed a level is played with unless one is given: the same as ``perpgame sim``'s."""


class PerpGameApp(App[int]):
    """perpgame in the terminal."""

    CSS_PATH = "perpgame.tcss"
    TITLE = "perpgame"
    SUB_TITLE = "a perpetual-futures exchange, from the inside"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]
    BINDINGS = [
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
        store: Any = None,
        game_options: dict[str, Any] | None = None,
    ) -> None:
        """
        Args:
            levels_dir: the curriculum's folder (default: ``$PERPGAME_LEVELS`` or ``levels/``).
            saves_dir: where progress goes (default: ``$PERPGAME_SAVES`` or ``./saves``).
            seed: the seed every level is played with (default: ``DEFAULT_SEED``).
            start_level: open this level's briefing straight away (``perpgame play LEVEL``).
            level_path: the file ``start_level`` came from, if it was given as a path.
            store: a ready save store (tests); overrides ``saves_dir``.
            game_options: extra keyword arguments for every GameScreen (tests: ``paused=True``).
        """
        super().__init__()
        self.levels_dir = levels_dir
        self.seed = seed
        self.start_level = start_level
        self.level_path = level_path
        self.store = store if store is not None else open_store(saves_dir)
        self.game_options = dict(game_options or {})
        self._levels: list[Level] | None = None
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
        if level.meta.order <= 0:
            return True
        return bool(self.store.is_unlocked(level.id, self.curriculum_ids()))

    def next_level(self, level: Level) -> Level | None:
        """The curriculum level after ``level`` (None after the last, or for a level off the list)."""
        ids = self.curriculum_ids()
        if level.id not in ids:
            return None
        i = ids.index(level.id)
        return self.find(ids[i + 1]) if i + 1 < len(ids) else None

    def find(self, level_id: str) -> Level | None:
        for level in self.levels:
            if level.id == level_id:
                return level
        if self.start_level is not None and self.start_level.id == level_id:
            return self.start_level
        return None

    def first_unfinished(self) -> Level | None:
        """The first unlocked curriculum level not completed yet (None when all are done)."""
        done = self.store.profile().completed
        for level in self.levels:
            if level.meta.order > 0 and level.id not in done and self.is_unlocked(level):
                return level
        return None

    def seed_for(self, level: Level) -> int:
        return DEFAULT_SEED if self.seed is None else self.seed

    # ------------------------------------------------------------- navigation
    def on_mount(self) -> None:
        self.push_screen(TitleScreen())
        if self.start_level is not None:
            self.push_screen(BriefingScreen(self.start_level))

    def _unwind(self, keep: Callable[[Screen[Any]], bool] | None = None) -> None:
        """Pop screens until the title (or a screen ``keep`` accepts) is on top."""
        while len(self.screen_stack) > 2 and not isinstance(self.screen, TitleScreen):
            if keep is not None and keep(self.screen):
                return
            self.pop_screen()

    def open_levels(self) -> None:
        self._unwind()
        self.push_screen(LevelsScreen())

    def open_briefing(self, level: Level) -> None:
        if not self.is_unlocked(level):
            self.notify("Finish the levels before it first.", title="Locked", severity="warning")
            return
        if isinstance(self.screen, DebriefScreen):
            self.pop_screen()
        self.push_screen(BriefingScreen(level))

    def play(self, level: Level) -> None:
        """Start ``level`` from its first tick."""
        self.start_game(GameSession(level, self.seed_for(level)))

    def start_game(self, session: GameSession, **options: Any) -> None:
        from perpgame.tui.screens.game import GameScreen

        if isinstance(self.screen, BriefingScreen | DebriefScreen):
            self.pop_screen()
        demo = options.pop("demo", False)
        callback = self._demo_over if demo else self._game_over
        self.push_screen(GameScreen(session, **{**self.game_options, **options}), callback)

    def continue_game(self) -> None:
        """Resume the saved mid-level game, else open the next level to play."""
        if self.store.load_resume() is not None:
            session = self._resumed()
            if session is not None:
                self.start_game(session)
                return
        level = self.first_unfinished()
        if level is not None:
            self.open_briefing(level)
        else:
            self.open_levels()

    def _resumed(self) -> GameSession | None:
        try:
            session = self.store.resume_session()
        except (LevelError, OSError, ValueError) as exc:
            session = None
            self.notify(f"The saved game cannot be resumed: {exc}", severity="warning")
        if session is None or session.status != PLAYING:
            self.store.clear_resume()
            return None
        return session

    def start_demo(self) -> None:
        level = self.demo_level()
        if level is None:
            self.notify("There are no levels to demonstrate.", severity="warning")
            return
        self.start_game(GameSession(level, self.seed_for(level)), autopilot=DemoPilot(), demo=True)

    def demo_level(self) -> Level | None:
        ordered = [lv for lv in self.levels if lv.meta.order > 0]
        return ordered[-1] if ordered else None

    def show_help(self) -> None:
        from perpgame.tui.screens.help import HelpScreen

        self.push_screen(HelpScreen())

    def _game_over(self, session: GameSession | None) -> None:
        if session is None:
            self._unwind()
            return
        if session.status == PLAYING:
            self.store.save_resume(session)
            if self.start_level is not None:
                self.exit(0)
                return
            self._unwind()
            return
        self.store.clear_resume()
        self.store.record_result(session)
        replay = self.store.save_replay(session)
        self._notify_store()
        self.push_screen(DebriefScreen(session, next_level=self.next_level(session.level), replay=replay))

    def _demo_over(self, session: GameSession | None) -> None:
        if session is None or session.status == PLAYING:
            self._unwind()
            return
        self.push_screen(DebriefScreen(session, demo=True))

    def autosave(self, session: GameSession) -> None:
        """Called by the game screen every few seconds: keep a resumable copy of the game."""
        if session.status == PLAYING and not getattr(self.screen, "demo", False):
            self.store.save_resume(session)

    def _notify_store(self) -> None:
        while self.store.notices:
            self.notify(self.store.notices.pop(0), severity="warning", timeout=8)

    async def action_quit(self) -> None:
        """Ctrl+Q: quit at once; a game in progress is kept to continue next time."""
        session = getattr(self.screen, "session", None)
        if isinstance(session, GameSession) and session.status == PLAYING:
            if getattr(self.screen, "autopilot", None) is None:
                self.store.save_resume(session)
        self.exit(0)


class DemoPilot:
    """The demo's player: rests bids under the market, sells the bounce, flattens at the end.

    Called with each new Snapshot; returns the actions to submit (often none). It reads only what
    the screen shows, so what it does is what a player could have done.
    """

    def __init__(self, ladder: tuple[int, ...] = (15_000, 30_000, 50_000)) -> None:
        self.ladder = ladder
        """How far under the mark each bid rests, in ppm of the mark."""
        self._placed = False
        self._took_profit = False
        self._closed = False

    def __call__(self, snap: Snapshot) -> list[PlayerAction]:
        tick, pos = snap.tick, snap.position
        ticks_left = int((snap.time_limit - snap.seconds) * 1000) // max(1, self._tick_ms(snap))
        if not self._placed and tick >= 3:
            self._placed = True
            return self._bids(snap)
        if pos.size and not self._took_profit and pos.entry and snap.mark > pos.entry:
            self._took_profit = True
            side = SELL if pos.size > 0 else BUY
            target = pos.entry + (pos.entry * 20_000 // 1_000_000) * (1 if pos.size > 0 else -1)
            return [
                PlayerAction.order(
                    tick, side, abs(pos.size), self._round(target, snap), reduce_only=True
                )
            ]
        if not self._closed and ticks_left <= 10 and (pos.size or pos.orders):
            self._closed = True
            return [PlayerAction(tick, "cancel_all"), PlayerAction(tick, "close")]
        return []

    def _bids(self, snap: Snapshot) -> list[PlayerAction]:
        pos = snap.position
        budget = max(pos.equity, 0) * max(1, min(pos.leverage, 3)) // 2
        actions = []
        for depth in self.ladder:
            price = self._round(snap.mark - snap.mark * depth // 1_000_000, snap)
            if price <= 0:
                continue
            lots = budget // len(self.ladder) // price
            lots -= lots % max(1, snap.lot_size)
            if lots > 0:
                actions.append(PlayerAction.order(snap.tick, BUY, lots, price))
        return actions

    @staticmethod
    def _round(price: int, snap: Snapshot) -> int:
        step = max(1, snap.tick_size)
        return max(step, price - price % step)

    @staticmethod
    def _tick_ms(snap: Snapshot) -> int:
        return int(snap.seconds * 1000) // snap.tick if snap.tick else 500


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
