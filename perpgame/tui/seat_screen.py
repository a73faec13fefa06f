"""The game screen on a seat of a shared table: the ordinary screen, less what a table cannot do.

The table's clock decides the ticks, so the screen offers no pause and no speed keys, and an
overlay (help, why?, the order line) does not stop the game: the table goes on and the seat's copy
follows it. The level's one player is not at the table, so there are no objectives to tick off:
where the Objectives panel was, the table panel shows the clock and the seat's place on the
board; the top line says the game is the table's. At the end the table debrief follows at once
(no level result, no stars: the table has none).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from time import monotonic
from types import SimpleNamespace
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType

from perpgame.session.commands import HELP as COMMAND_HELP
from perpgame.session.frame import Frame
from perpgame.session.numbers import format_price
from perpgame.table.debrief import money
from perpgame.table.telling import ordinal, table_lesson
from perpgame.tui.screens.confirm import QuitConfirm
from perpgame.tui.screens.game import STEP_BUDGET, GameScreen
from perpgame.tui.screens.help import HelpScreen
from perpgame.tui.text import key_help
from perpgame.tui.widgets.base import LinePanel, clock
from perpgame.tui.widgets.objectives import clock_line
from perpgame.tui.widgets.status_bar import Status, StatusBar

NOT_AT_A_TABLE = frozenset({"pause", "speed"})
"""The game screen's actions a seat does not have: the table's clock is the table's."""
AT_A_TABLE = {
    "help": "Show every key (the table goes on meanwhile)",
    "quit": "Leave your seat (asks first; join again with the same URL)",
    "why": "Explain the last thing that happened to you, with its numbers (the table goes on)",
}
"""What a key does at a table, where it differs from the one-player game."""
LEAVE = (
    "You leave your seat; it stays at the table with its position and orders, which can still "
    "be filled or liquidated. Join again with the same URL to come back."
)

Board = Callable[[], list[dict[str, Any]]]
"""The latest board the table sent: every seat with its name and profit, best first."""


def place_line(board: list[dict[str, Any]], seat: str) -> str:
    """``2nd of 50 · +$12.50`` for ``seat``; empty before the first board."""
    for place, row in enumerate(board, 1):
        if row["seat"] == seat:
            return f"{ordinal(place)} of {len(board)} · {money(row['pnl'])}"
    return ""


class TablePanel(LinePanel):
    """The clock, who this seat is and its place at the table (where the objectives were)."""

    PANEL_TITLE = "The table"

    def __init__(self, seat: str, name: str, board: Board, **kw: Any) -> None:
        super().__init__(**kw)
        self.seat = seat
        self.player_name = name
        self.board = board

    def build(self, width: int, height: int) -> list[Text]:
        snap: Frame = self.data
        pal = self.pal
        line = clock_line(snap, pal, width)
        who = Text("You are ", pal.muted)
        who.append(f"{self.seat} {self.player_name}".strip(), pal.strong)
        place = place_line(self.board(), self.seat)
        standing = Text("Place ", pal.muted)
        standing.append(place or "on the board every ten ticks", pal.strong if place else pal.muted)
        return [line, who, standing, Text("l shows the whole board", pal.muted)][: max(1, height)]


class SeatStatusBar(StatusBar):
    """The top line at a table: the table's game, the clock, the prices and the seat's place."""

    def __init__(self, seat: str, board: Board, **kw: Any) -> None:
        super().__init__(**kw)
        self.seat = seat
        self.board = board

    def build(self, width: int, height: int) -> list[Text]:
        status: Status = self.data
        snap = status.snapshot
        pal = self.pal
        line = Text()
        if snap.status == "playing":
            line.append(" ▶ TABLE ", pal.book + pal.cursor)
        else:
            line.append(" OVER ", pal.warn + pal.cursor)
        rest = Text(" │ time ", pal.muted)
        rest.append(f"{clock(snap.seconds)}/{clock(snap.time_limit)}", pal.strong)
        rest.append(" │ mark ", pal.muted)
        rest.append(format_price(snap.mark), pal.mark)
        place = place_line(self.board(), self.seat)
        if place:
            rest.append(f" │ {self.seat} ", pal.muted)
            rest.append(place, pal.strong)
        title = f" {snap.title}"
        if line.cell_len + len(title) + rest.cell_len <= width:  # the title goes first when narrow
            line.append(title, pal.strong)
        line.append_text(rest)
        return [line]


class SeatScreen(GameScreen):
    """:class:`GameScreen` on a seat's copy of the table's game (see the module's docstring)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("l", "app.board", "Board", tooltip="The table: every seat by profit, best first"),
    ]

    def __init__(self, session: Any, *, seat: str, name: str, board: Board) -> None:
        super().__init__(session, speed=10)  # as fast as the table announces ticks
        self.seat = seat
        self.player_name = name
        self.board = board

    def compose(self) -> ComposeResult:
        """The game screen's widgets, with the table panel and the table's top line in place of
        the objectives and the one-player status bar."""
        for widget in super().compose():
            if widget is self.objectives:
                widget = TablePanel(self.seat, self.player_name, self.board, id="objectives")
                self.objectives = widget
            elif widget is self.status_bar:
                widget = SeatStatusBar(self.seat, self.board, id="status")
                self.status_bar = widget
            yield widget

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in NOT_AT_A_TABLE:
            return False
        return super().check_action(action, parameters)

    def _on_clock(self) -> None:
        """Play every tick the table has announced, whatever the pace: the table's clock sets it,
        and an instructor may run the table faster than this screen's ten times the level's
        pace (the copy fell behind the table, and the seat traded on a past market)."""
        if self.ended:
            return
        deadline = monotonic() + STEP_BUDGET
        while self._step_once() and monotonic() < deadline:
            pass
        if self.ended:
            self._finish()

    def _set_paused(self, paused: bool) -> None:
        """Never paused: the table goes on, so the seat's copy follows it under any overlay."""
        super()._set_paused(False)

    def action_help(self) -> None:
        level = self.session.level
        self.app.push_screen(
            HelpScreen(
                key_help(self.app, self._bindings_shown()),
                title=level.title,
                lesson=table_lesson(level, len(self.session.seats) - 1),
                syntax=COMMAND_HELP,
                paused=False,
            )
        )

    def _bindings_shown(self) -> list[Binding]:
        """The game screen's keys a seat has, as a seat has them."""
        keys = []
        for b in [*GameScreen.BINDINGS, *self.BINDINGS]:
            if isinstance(b, Binding) and b.action.split("(")[0] not in NOT_AT_A_TABLE:
                keys.append(replace(b, tooltip=AT_A_TABLE.get(b.action, b.tooltip)))
        return keys

    def action_quit(self) -> None:
        if self.ended:
            self._leave()
            return
        self.app.push_screen(QuitConfirm(LEAVE), lambda quit_: quit_ and self._leave())

    def arrived(self, answered: int) -> None:
        """The table applied an input between ticks (this copy has played it): show it now, and
        the answer to the seat's own order when it was one (``answered`` > 0)."""
        self._dirty = True
        if answered:
            self._answer(SimpleNamespace(answers=self.session.frame().answers[-answered:]))

    def _finish(self) -> None:
        """The table's game is over: straight on to the table debrief (no level result)."""
        if self.ended and not self._leaving:
            self._paint()
            self._leave()
