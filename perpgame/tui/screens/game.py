"""The game screen: trade through a crash and watch the cash move.

The screen owns a :class:`GameSession`. A clock steps the session (one tick per ``level.tick_ms``
at 1x; 2x, 5x and 10x go faster; paused, it does not step) and a separate 10 Hz timer repaints the
panels from the latest immutable Frame, so drawing never depends on the tick rate. Keys and
buttons turn into ``PlayerInput``s sent with ``session.submit`` (they apply at the next tick) and
are acknowledged on screen at once.

When the level ends the screen says so and, after a key or a few seconds, dismisses itself with the
session; quitting mid-level also dismisses with the session (still ``playing``) so the app can keep
a resume file. Every five seconds of play the ``autosave(session)`` it was given is called.

Two ways to watch instead of play. With an ``autopilot`` (the demo) the autopilot trades and the
player's keys and buttons place nothing: the first key or click pauses and offers to take over
(``TakeOver``); taking over drops the autopilot, leaves the game paused at 1x, and posts
``TookOver(session)`` to the app so the rest is a normal game. ``read_only`` (a replay) hides and refuses
every trading control, so a replay plays back exactly what was recorded.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from time import monotonic
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Button, Footer, Input, Static

from perpgame.session import PLAYING, CommandError, GameSession, PlayerInput, parse_command
from perpgame.session.commands import HELP as COMMAND_HELP
from perpgame.session.frame import Frame
from perpgame.session.numbers import BUY, SELL
from perpgame.tui.screens.confirm import QuitConfirm
from perpgame.tui.screens.game_demo import DemoWatch
from perpgame.tui.screens.game_keys import GAME_KEYS, SPEEDS, TRADING, capped_speed
from perpgame.tui.screens.game_trading import OrderKeys
from perpgame.tui.screens.help import HelpScreen
from perpgame.tui.screens.level_end import END_SECONDS, LevelEnd
from perpgame.tui.screens.why import WhyScreen
from perpgame.tui.text import describe, key_help
from perpgame.tui.widgets import (
    Narrator,
    Objectives,
    OrderBook,
    OrderTicket,
    PilePanel,
    PositionPanel,
    PriceChart,
    QuickOrder,
    Status,
    StatusBar,
    Tape,
    Ticket,
    WaterfallPanel,
)

Autopilot = Callable[[Frame], list[PlayerInput]]

_log = logging.getLogger(__name__)
REPAINT_SECONDS = 0.09
"""Panels repaint about ten times a second (at most eleven), whatever the tick rate."""
AUTOSAVE_SECONDS = 5.0
STEP_BUDGET = 0.04
"""The most wall time one clock callback spends stepping; beyond it the game slows down."""
WIDE = (110, 32)
"""At least this many columns and rows for every panel at once; smaller shows the essentials."""
VIEWS = ("trade", "market", "tape")
READ_SECONDS = 6
"""How long (in seconds of play at the current speed) a long answer keeps the hint's room."""
ALERTS = frozenset({"liquidation", "backstop", "deleverage", "haircut", "bad_debt"})
"""Events that, when they touch the player, light the Position panel's border."""


class GameScreen(DemoWatch, OrderKeys, Screen[GameSession]):
    """Play one level of a GameSession; dismisses with the session when it ends or on quit."""

    AUTO_FOCUS = ""

    BINDINGS: ClassVar[list[BindingType]] = GAME_KEYS

    def __init__(
        self,
        session: GameSession,
        *,
        speed: int = 1,
        paused: bool = False,
        autopilot: Autopilot | None = None,
        read_only: bool = False,
        banner: str = "",
        end_seconds: float | None = None,
        autosave: Callable[[GameSession], object] | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """
        Args:
            session: the game to play (or watch).
            speed: 1, 2, 5 or 10 times the level's tick rate.
            paused: start paused (tests step a paused screen with ``advance``).
            autopilot: trades instead of the player (the demo); a key or click offers to take over.
            read_only: a replay: nothing may trade, so it plays back exactly what was recorded.
            banner: a line across the top (what is being watched, and what a key does).
            end_seconds: how long the end-of-level notice waits (default ``END_SECONDS``).
            autosave: keeps a resume point of the session (the app's save store): called every
                few seconds of play, and when the app closes under a game still running (it is
                called, not messaged, because the app's message queue is shut by then).
        """
        super().__init__(name=name, id=id, classes=classes)
        if speed not in SPEEDS:
            raise ValueError(f"speed must be one of {SPEEDS}, got {speed}")
        self.session = session
        self.speed = speed
        self.paused = paused
        self._paused_for_typing = False
        """True while the clock is stopped only because the quick-order line is open."""
        self.autopilot = autopilot
        self.read_only = read_only
        self.banner_text = banner
        self.end_seconds = end_seconds
        self.autosave = autosave
        self.view = VIEWS[0]
        self.compact = False
        self._set_up_orders(session.frame())
        self.why: str | None = None
        self._clock: Timer | None = None
        self._tick_seconds = 1.0
        self._last_time = 0.0
        self._owed = 0.0
        self._dirty = True
        self._alert_until = -1
        self._saved_tick = session.tick
        self._end_shown = False
        self._leaving = False
        self._paused_before_overlay: bool | None = None
        self._ready = False
        """Mounted: widgets exist and timers may run."""
        self._waiting_hint = False
        """The order line says "press space to start" (cleared when the clock starts)."""

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        level = self.session.level
        self.status_bar = StatusBar(id="status", classes="-stars")  # two lines when compact
        self.book = OrderBook(id="book")
        self.chart = PriceChart(id="chart")
        self.waterfall = WaterfallPanel(id="waterfall")
        self.tape = Tape(tick_ms=level.tick_ms, id="tape")
        self.position = PositionPanel(base=self.base, id="position")
        self.pile = PilePanel(id="pile")
        self.narrator = Narrator(lesson=level.meta.lesson, id="narrator")
        self.objectives = Objectives(id="objectives")
        self.ticket = OrderTicket(id="ticket")
        self.quick = QuickOrder(id="quick")
        if self.banner_text:
            yield Static(Text(self.banner_text), id="banner")
        yield self.status_bar
        with Horizontal(id="main"):
            yield self.book
            with Vertical(id="centre"):
                yield self.chart
                yield self.waterfall
                yield self.tape
            with Vertical(id="side"):
                yield self.position
                yield self.pile
        with Horizontal(id="bottom"):
            yield self.narrator
            yield self.objectives
        yield self.ticket
        yield self.quick
        yield Footer(compact=True, show_command_palette=False)

    @property
    def panels(self) -> tuple:
        """Every panel that draws from the snapshot (the bench counts their paints)."""
        return (
            self.status_bar,
            self.book,
            self.chart,
            self.waterfall,
            self.tape,
            self.position,
            self.pile,
            self.narrator,
            self.objectives,
            self.ticket.query_one("#ticket-line"),
        )

    def on_mount(self) -> None:
        self._ready = True
        self.ticket_line = self.ticket.query_one("#ticket-line")
        self.order_input = self.quick.query_one("#order-line", Input)
        self.order_input.disabled = self.watching
        if self.read_only:  # a replay shows no trade buttons at all
            for button in self.ticket.query(Button):
                button.disabled = True
                button.display = False
        self._apply_layout(self.app.size.width, self.app.size.height)
        self._paint()
        self.set_interval(REPAINT_SECONDS, self._on_repaint)
        self.set_interval(AUTOSAVE_SECONDS, self._on_autosave)
        self._restart_clock()
        if self.session.status != PLAYING:
            self.call_after_refresh(self._finish)
        elif self.paused and not self.watching:
            where = "start" if self.session.tick == 0 else "go on"
            self._feedback(f"Paused: press space to {where}; ? shows every key.", "warn")
            self._waiting_hint = True

    def on_resize(self, event: Resize) -> None:
        self._apply_layout(event.size.width, event.size.height)

    def _apply_layout(self, width: int, height: int) -> None:
        compact = width < WIDE[0] or height < WIDE[1]
        self.compact = compact
        self.set_class(compact, "-compact")
        for view in VIEWS:
            self.set_class(view == self.view, f"-view-{view}")
        self.refresh_bindings()
        self._dirty = True
        self._paint()

    @property
    def watching(self) -> bool:
        """A replay or the autopilot has the game: the player's trading controls are off."""
        return self.read_only or self.autopilot is not None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "view":
            return self.compact
        if action == "order_line" and isinstance(self.focused, Input):
            return False  # the line has the keys: a typed : or / is text (the binding is priority)
        if self.read_only and action in TRADING:
            return False  # a replay offers no trading at all
        if self.autopilot is not None and action != "help":
            return None  # shown dimmed: any key offers to take over instead
        return True

    # ------------------------------------------------------------------ clock
    @property
    def ended(self) -> bool:
        return self.session.status != PLAYING

    def _restart_clock(self) -> None:
        if self._clock is not None:
            self._clock.stop()
            self._clock = None
        if self.paused or self.ended or not self._ready:
            return
        self._tick_seconds = self.session.level.tick_ms / 1000 / self.speed
        self._last_time = monotonic()
        self._owed = 0.0
        self._clock = self.set_interval(max(self._tick_seconds, 1 / 50), self._on_clock)

    def _on_clock(self) -> None:
        if self.paused or self.ended:
            return
        now = monotonic()
        self._owed += (now - self._last_time) / self._tick_seconds
        self._last_time = now
        due = int(self._owed)
        self._owed -= due
        deadline = now + STEP_BUDGET
        for _ in range(due):
            if not self._step_once():
                break
            if monotonic() > deadline:
                self._owed = 0.0  # too slow for this speed: slow down rather than stutter
                break
        if self.ended:
            self._finish()

    def _step_once(self) -> bool:
        """Play one tick; False once the level has ended."""
        session = self.session
        if not session.step():
            return False
        self._dirty = True
        snap = session.frame()
        hold = max(2, 2 * self.speed)
        self.book.flash(snap, hold)
        if any(s.player and s.kind in ALERTS for s in snap.stories):
            self._alert_until = snap.tick + hold
        if self._leverage_sent_at is not None and snap.tick > self._leverage_sent_at:
            self.leverage = snap.position.leverage  # what the exchange accepted
            self._leverage_sent_at = None
        self._answer(snap)
        self.quick.age(snap.tick, READ_SECONDS * 1000 * self.speed // self.session.level.tick_ms)
        if session.status != PLAYING:
            return False
        if self.autopilot is not None:
            for action in self.autopilot(snap):
                session.submit(action)
                self.last_sent = describe(action, self.base)
                self._feedback(f"autopilot: {self.last_sent}", "ok")
        return True

    def _answer(self, snap: Frame) -> None:
        """Every order gets its answer where the player looks, in the tick it is decided."""
        if not snap.answers:
            return
        kinds = {"filled": "ok", "partial": "warn", "resting": "muted", "refused": "error"}
        last = snap.answers[-1]
        more = f" (+{len(snap.answers) - 1} more)" if len(snap.answers) > 1 else ""
        self._feedback(last.text + more, kinds.get(last.kind, "muted"))

    def advance(self, ticks: int) -> int:
        """Step the session ``ticks`` times now (stopping at the level's end), then repaint.

        Returns how many ticks were played. Tests drive a paused screen with this.
        """
        played = 0
        for _ in range(max(0, ticks)):
            before = self.session.tick
            alive = self._step_once()
            played += self.session.tick != before
            if not alive:
                break
        self._paint()
        if self.ended:
            self._finish()
        return played

    # ------------------------------------------------------------------ painting
    def _on_repaint(self) -> None:
        if self._dirty:
            self._paint()

    def _paint(self) -> None:
        if not self._ready:
            return
        self._dirty = False
        snap = self.session.frame()
        if self.why is not None and self.why != snap.why:  # keep the explanation current
            self._explain(snap.why)
        if self._leverage_sent_at is None:  # no change in flight: show what the exchange has
            self.leverage = snap.position.leverage
        self.status_bar.show(Status(snap, self.speed, self.paused, self.compact))
        self.book.show(snap)
        self.position.set_class(snap.tick <= self._alert_until, "-alert")
        for panel in (self.position, self.pile, self.narrator, self.objectives):
            panel.show(snap)
        if not self.compact or self.view != "trade":
            for panel in (self.chart, self.waterfall, self.tape):
                panel.show(snap)
        self._paint_ticket(snap)

    def _paint_ticket(self, snap: Frame | None = None) -> None:
        if not self._ready:
            return
        snap = snap or self.session.frame()
        self.ticket_line.show(
            Ticket(
                size=self.order_size,
                base=self.base,
                notional=self.order_size * snap.mark,
                leverage=self.leverage,
                max_leverage=snap.position.max_leverage,
                cursor=self.book.cursor,
                margin_step=self.margin_step,
            )
        )

    # ------------------------------------------------------------------ sending

    def _feedback(self, text: str, kind: str) -> None:
        if not self._ready:
            return
        pal = self.book.pal
        style = {"ok": pal.gain, "error": pal.loss, "warn": pal.warn}.get(kind, pal.muted)
        self.quick.feedback(Text(text, style), self.session.tick)

    def on_key(self) -> None:
        """A key means a long answer was read: the order line's hint gets its room back."""
        self.quick.answer_read()

    @on(Button.Pressed, "#buy")
    def _buy_button(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_market(BUY)

    @on(Button.Pressed, "#sell")
    def _sell_button(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_market(SELL)

    @on(Button.Pressed, "#close")
    def _close_button(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_close()

    @on(OrderBook.CursorMoved)
    def _cursor_clicked(self, event: OrderBook.CursorMoved) -> None:
        self._paint_ticket()

    # ------------------------------------------------------------------ quick order

    @on(Input.Blurred, "#order-line")
    def _order_line_left(self, event: Input.Blurred) -> None:
        self._resume_after_typing()

    @on(Input.Submitted, "#order-line")
    def _order_line(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            action = parse_command(event.value, self.session.tick)
        except CommandError as exc:
            # the line lets go of the keys (the next hotkey must not be typed into it); the text
            # stays, so : opens it again to fix it
            self._feedback(f"× {exc} (press : to fix it)", "error")
            self.set_focus(None)
            return
        except Exception:  # a bug must not end the game: say so, log it, play on
            _log.exception("the quick-order line failed on %r", event.value[:80])
            self._feedback("× that order could not be read (the error is in the log)", "error")
            return
        self._resume_after_typing()
        try:
            self._send(action)
        except Exception:
            _log.exception("sending %r failed", action)
            self._feedback("× that order could not be sent (the error is in the log)", "error")
            return
        self.order_input.value = ""
        self.set_focus(None)

    def action_escape(self) -> None:
        if self.focused is not None:
            self.set_focus(None)
        elif self.why is not None:
            self._explain(None)

    # ------------------------------------------------------------------ play state
    def action_pause(self) -> None:
        self._set_paused(not self.paused)

    def _set_paused(self, paused: bool) -> None:
        self.paused = paused
        if not paused and self._waiting_hint:  # the clock runs: "press space" is done
            self._waiting_hint = False
            self._feedback("", "muted")
        self._restart_clock()
        self._dirty = True
        self._paint()

    def action_speed(self, speed: int) -> None:
        if speed not in SPEEDS:
            return
        speed, capped = capped_speed(speed, self.session.level.meta.max_speed)
        if capped:
            self._feedback(capped, "warn")
        self.speed = speed
        self._restart_clock()
        self._dirty = True
        self._paint()

    def show_view(self, view: str) -> None:
        """Show the ``view`` panels (trade, market or tape) on a small terminal."""
        if view in VIEWS:
            self.view = view
            self._apply_layout(self.size.width, self.size.height)

    def action_view(self) -> None:
        self.view = VIEWS[(VIEWS.index(self.view) + 1) % len(VIEWS)]
        self._apply_layout(self.size.width, self.size.height)

    def action_why(self) -> None:
        """Pause and open the why? box: the last tick that touched the player, every number."""
        self._overlay(WhyScreen(self.session.frame().why_view), lambda _: False)

    def _explain(self, why: str | None) -> None:
        self.why = why
        self.narrator.explain(why)

    # ------------------------------------------------------------------ overlays
    def _overlay(self, screen: Screen, done: Callable) -> None:
        """Pause while an overlay is up; restore the play state when it closes."""
        self._paused_before_overlay = self.paused
        self._set_paused(True)

        def closed(result) -> None:
            before = self._paused_before_overlay
            self._paused_before_overlay = None
            if not done(result):
                self._set_paused(bool(before))

        self.app.push_screen(screen, closed)

    def action_help(self) -> None:
        level = self.session.level
        self._overlay(
            HelpScreen(
                key_help(self.app, self.BINDINGS),
                title=level.title,
                lesson=level.meta.lesson,
                syntax=COMMAND_HELP,
            ),
            lambda _: False,
        )

    def action_quit(self) -> None:
        if self.ended:
            self._leave()
            return

        def answered(quit_: bool | None) -> bool:
            if quit_:
                self._leave()
                return True
            return False

        self._overlay(QuitConfirm(), answered)

    def _leave(self) -> None:
        if self._leaving or not self.is_attached:
            return
        if self.app.screen is not self:  # an overlay is still closing: go once it has
            self.call_after_refresh(self._leave)
            return
        self._leaving = True
        if self._clock is not None:
            self._clock.stop()
        self.dismiss(self.session)

    # ------------------------------------------------------------------ the demo

    # ------------------------------------------------------------------ the end
    def _finish(self) -> None:
        if self._end_shown or not self.ended or self._leaving:
            return
        if self._clock is not None:
            self._clock.stop()
            self._clock = None
        self._paint()
        if self.app.screen is not self:
            return  # shown when this screen is back on top
        self._end_shown = True
        # the player's own game waits for a key on its end (the lesson lands there: w explains
        # it); a game being watched goes on by itself
        delay = self.end_seconds
        if delay is None:
            delay = END_SECONDS if self.watching else 0
        end = LevelEnd(self.session.frame(), delay=delay)
        self.app.push_screen(end, lambda _: self._leave())

    def on_screen_resume(self) -> None:
        if self.ended and not self._end_shown:
            self.call_after_refresh(self._finish)

    def _on_autosave(self) -> None:
        if self.paused or self.ended or self.session.tick == self._saved_tick:
            return
        self._autosave()

    def _autosave(self) -> None:
        if self.autosave is None:
            return
        self._saved_tick = self.session.tick
        try:
            self.autosave(self.session)
        except Exception as exc:  # a failed save must not end the game
            self.notify(f"Autosave failed: {exc}", severity="warning")

    def on_unmount(self) -> None:
        if self._clock is not None:
            self._clock.stop()
        if not self._leaving and not self.ended and self.session.tick != self._saved_tick:
            self._autosave()  # the app is closing under us (Ctrl+Q): keep a resume point

    # ------------------------------------------------------------------ helpers


__all__ = ["VIEWS", "GameScreen"]
