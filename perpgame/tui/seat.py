"""``perpgame join URL``: the ordinary game screen on a seat of a shared table.

The screen plays the seat's own copy of the table's game (:class:`SeatReplica`), one tick each
time the table announces one with its inputs; the seat's orders go to the table, which stamps them
with their tick, and come back in that tick's inputs like everyone's. So the book, the tape, the
waterfall, the position panel and why? are the ordinary ones, seen from this seat.
"""

from __future__ import annotations

from pathlib import Path

from textual.app import App

from perpgame.client import TableClient, TableError, action_message
from perpgame.level.actions import PlayerAction
from perpgame.table.log import TableLog, find_logged_level
from perpgame.table.replica import SeatReplica

CSS = Path(__file__).with_name("perpgame.tcss")


class SeatApp(App):
    """Joins the table, builds the seat's copy of the game, and opens the game screen on it."""

    CSS_PATH = str(CSS)
    TITLE = "perpgame · at the table"

    def __init__(self, url: str, name: str | None = None) -> None:
        super().__init__()
        self.url = url
        self.player_name = name
        self.client: TableClient | None = None
        self.replica: SeatReplica | None = None
        self.problem = ""

    def on_mount(self) -> None:
        self.run_worker(self._join(), exclusive=True)

    async def _join(self) -> None:
        from perpgame.tui.screens.game import GameScreen

        try:
            self.client = await TableClient.connect(self.url, replica=True, name=self.player_name)
            history = TableLog.model_validate(self.client.welcome["history"], strict=False)
            level = find_logged_level(history.level_id, history.level_sha256, history.level_file)
        except Exception as exc:  # unreachable, refused, or a level this copy cannot find
            self.problem = f"cannot join the table: {exc}"
            self.exit(return_code=1, message=self.problem)
            return
        replica = SeatReplica(level, history.seed, list(history.seats), self.client.seat)
        replica.feed_log(list(history.inputs), list(history.fires), history.ticks)
        replica.catch_up()
        self.replica = replica
        session = replica.session
        session.step = replica.step  # the table's clock, not the screen's, decides the ticks
        session.submit = self._send  # orders go to the table
        self.push_screen(GameScreen(session, speed=10), lambda _: self.exit())
        while not self.client.closed.is_set():
            try:
                frame = await self.client.next_frame(timeout=3600)
            except TimeoutError:
                continue
            market = frame["market"]
            try:
                inputs = [PlayerAction.from_dict(a) for a in frame.get("inputs", [])]
                replica.feed(market["tick"], inputs, list(frame.get("fires", [])))
            except ValueError as exc:
                self.notify(f"out of step with the table: {exc}", severity="error")
                return

    def _send(self, action: PlayerAction) -> None:
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
