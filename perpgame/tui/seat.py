"""``perpgame join URL``: the ordinary game screen on a seat of a shared table.

The screen plays the seat's own copy of the table's game (:class:`SeatReplica`), one tick each
time the table announces one with its inputs; the seat's orders go to the table, which stamps them
with their tick (or applied on arrival, between two ticks), and come back like everyone's. So the book, the tape, the
waterfall, the position panel and why? are the ordinary ones, seen from this seat.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.events import Key
from textual.screen import ModalScreen
from textual.widgets import Static

from perpgame.client import TableClient, TableError, action_message
from perpgame.session.inputs import PlayerInput
from perpgame.table.debrief import debrief_text, money
from perpgame.table.log import find_logged_level, parse_log
from perpgame.table.replica import SeatReplica
from perpgame.table.telling import standing_line
from perpgame.table.views import standings
from perpgame.tui import STYLESHEET

SCROLL_KEYS = {
    "up": "scroll_up",
    "down": "scroll_down",
    "pageup": "scroll_page_up",
    "pagedown": "scroll_page_down",
    "home": "scroll_home",
    "end": "scroll_end",
}
"""Keys that scroll a long board or debrief (at 80x24 the debrief is taller than the screen)."""


class TableText(ModalScreen[None]):
    """The table's board (any time, ``l``) or its debrief (at the end), as text that scrolls;
    any other key closes it."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static("↑↓ PgUp PgDn scroll · any other key closes this\n\n" + self.text)

    def on_key(self, event: Key) -> None:
        event.stop()
        scroll = SCROLL_KEYS.get(event.key)
        if scroll is None:
            self.dismiss()
        else:
            getattr(self.query_one(VerticalScroll), scroll)(animate=False)


def board_text(board: list[dict[str, Any]], seat: str) -> str:
    """The live leaderboard: place, seat (and name), profit; this seat marked."""
    lines = ["The table, best first (profit since the start):", ""]
    for i, row in enumerate(board, 1):
        who = f"{row['seat']} {row.get('name', '')}".strip()
        mark = "  ◀ you" if row["seat"] == seat else ""
        lines.append(f"{i:>3}. {who:<32} {money(row['pnl']):>14}{mark}")
    return "\n".join(lines) if board else "The board comes every ten ticks."


class SeatApp(App):
    """Joins the table, builds the seat's copy of the game, and opens the game screen on it."""

    CSS_PATH = STYLESHEET
    CSS = "Screen { background: $background; }"
    """The one style kept here (it wins over the stylesheet's rules of the same weight): every
    screen, the dialogs too, on an opaque background, as the game has always looked (see PerpGameApp.CSS)."""
    TITLE = "perpgame · at the table"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("l", "board", "Board", show=False)]

    def __init__(self, url: str, name: str | None = None) -> None:
        super().__init__()
        self.url = url
        self.player_name = name
        self.client: TableClient | None = None
        self.replica: SeatReplica | None = None
        self.problem = ""
        self._board: tuple[tuple[int, int], list[dict[str, Any]]] = ((-1, -1), [])

    def on_mount(self) -> None:
        self.run_worker(self._join(), exclusive=True)

    async def _join(self) -> None:
        from perpgame.tui.seat_screen import SeatScreen

        try:
            self.client = await TableClient.connect(self.url, replica=True, name=self.player_name)
            history = parse_log(self.client.welcome["history"], "The table's log")
            level = find_logged_level(history.level_id, history.level_sha256, history.level_file)
        except Exception as exc:  # unreachable, refused, or a level this copy cannot find
            self.problem = f"cannot join the table: {exc}"
            self.exit(return_code=1, message=self.problem)
            return
        replica = SeatReplica(level, history.seed, list(history.seats), self.client.seat)
        replica.feed_log(
            list(history.inputs), list(history.fires), history.ticks, list(history.arrivals)
        )
        replica.catch_up()
        self.replica = replica
        session = replica.session
        session.step = replica.step  # the table's clock, not the screen's, decides the ticks
        session.submit = self._send  # orders go to the table
        client = self.client
        screen = SeatScreen(
            session, seat=client.seat, name=self.player_name or "", board=self.board
        )
        self.push_screen(screen, lambda _: self._debrief())
        while not self.client.closed.is_set():
            try:
                frame = await self.client.next_frame(timeout=3600)
            except TimeoutError:
                continue
            try:
                if frame["type"] == "arrival":
                    answered = replica.arrive(PlayerInput.from_dict(frame["input"]))
                    if isinstance(self.screen, SeatScreen):
                        self.screen.arrived(answered)
                    continue
                if "arrived" in frame:  # our own input, which the arrival plays here too
                    continue
                inputs = [PlayerInput.from_dict(a) for a in frame.get("inputs", [])]
                market = frame["market"]
                fires = list(frame.get("fires", []))
                replica.feed(market["tick"], inputs, fires, market.get("arrivals"))
            except ValueError as exc:
                self.notify(f"out of step with the table: {exc}", severity="error")
                return

    def board(self) -> list[dict[str, Any]]:
        """The seats by profit, best first, as this seat's copy of the game has them now (the
        table sends its board only every ten ticks; the copy is the table's game, so it knows
        every seat's profit each tick); the names from the table's board."""
        if self.replica is None or self.client is None:
            return []
        session = self.replica.session
        key = (session.tick, self.replica.arrived)
        if self._board[0] != key:
            names = {row["seat"]: row.get("name", "") for row in self.client.board}
            self._board = (key, standings(session, self.replica.table.seats, names))
        return self._board[1]

    def action_board(self) -> None:
        if self.client is not None and not isinstance(self.screen, TableText):
            self.push_screen(TableText(board_text(self.board(), self.client.seat)))

    def _debrief(self) -> None:
        """After the game screen: the table debrief when the game is over, then goodbye."""
        frame = self.client.frame if self.client is not None else None
        if frame is None or "debrief" not in frame:
            self.exit()
            return
        seat = self.client.seat
        board = frame["debrief"]["board"]
        mine = [
            standing_line(i, len(board), r["pnl"])
            for i, r in enumerate(board, 1)
            if r["seat"] == seat
        ]
        head = " ".join(["The table's game is over.", *mine])  # the seat's place and profit first
        text = head + "\n\n" + debrief_text(frame["debrief"], seat)
        self.push_screen(TableText(text), lambda _: self.exit())

    def _send(self, action: PlayerInput) -> None:
        if self.client is None:
            return

        async def send() -> None:
            try:
                await self.client.send(action_message(action))
            except (TableError, TimeoutError) as exc:
                self.notify(f"The table refused that: {exc}", severity="warning")

        self.run_worker(send(), group="orders")

    async def on_unmount(self) -> None:
        if self.client is not None:
            await self.client.close()


def run_seat(url: str, name: str | None = None) -> int:
    app = SeatApp(url, name)
    app.run()
    return app.return_code or 0
