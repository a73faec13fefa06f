"""The instructor's screen for a shared table: every seat at a glance, and the controls.

``perpgame join URL`` with the instructor's URL (``seat=host``) opens it. It shows each seat's
equity, profit, position, leverage, liquidation price and distance to it, and ADL lights, best
first (the live leaderboard); the level's timeline events, which the digit keys fire early; and
who paid whom: who was liquidated into whose bid, who was deleveraged against whom (where a seat is on either side). Space starts
and pauses the table, n plays one tick of a paused table, + and - change its speed.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.widgets import DataTable, Footer, RichLog, Static

from perpgame.client import TableClient, TableError
from perpgame.table.debrief import coin as _coin
from perpgame.table.debrief import debrief_text, who_paid_whom
from perpgame.table.debrief import money as _money
from perpgame.table.debrief import price as _price

SPEEDS = (0.5, 1, 2, 5, 10, 20, 50)
COLUMNS = (
    ("#", 3), ("seat", 20), ("equity", 13), ("P&L", 13), ("size", 10), ("lev", 6),
    ("liq price", 11), ("to liq", 7), ("ADL", 6),
)  # fmt: skip


class InstructorApp(App):
    """Connects to the table as the instructor and keeps the view of every seat live."""

    TITLE = "perpgame · instructor"
    CSS = """
    #status { height: 2; padding: 0 1; background: $boost; }
    #seats { height: 1fr; }
    #below { height: 12; }
    #events { width: 36; border: round $primary; padding: 0 1; }
    #paid { border: round $warning; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle", "start/pause"),
        Binding("n", "step", "one tick"),
        Binding("plus,equals_sign", "faster", "faster"),
        Binding("minus", "slower", "slower"),
        *[Binding(str(i), f"fire({i})", "fire", show=i == 0) for i in range(10)],
        Binding("q", "quit", "quit"),
    ]

    def __init__(self, url: str | None) -> None:
        super().__init__()
        self.url = url
        self.welcome: dict[str, Any] = {}
        self.client: TableClient | None = None
        self.running = False
        self.tps = 1.0
        self.paid: list[str] = []
        self.debriefed = False
        """Every who-paid-whom line so far (the table debrief)."""

    def compose(self) -> ComposeResult:
        yield Static("connecting to the table ...", id="status")
        yield DataTable(id="seats", cursor_type="row", zebra_stripes=True)
        with Horizontal(id="below"):
            yield Static("", id="events")
            yield RichLog(id="paid", wrap=True, markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#seats", DataTable)
        for name, width in COLUMNS:
            table.add_column(name, width=width)
        self.query_one("#paid", RichLog).write("Who paid whom (liquidations, ADL):")
        if self.url is not None:  # None: a test shows the table's messages itself
            self.run_worker(self._follow(), exclusive=True)

    async def _follow(self) -> None:
        try:
            await self._follow_table()
        except NoMatches:
            return  # the app is closing: its screen went before this worker was cancelled

    async def _follow_table(self) -> None:
        try:
            self.client = await TableClient.connect(self.url)
        except (TableError, TimeoutError) as exc:
            self.query_one("#status", Static).update(f"cannot join the table: {exc}")
            return
        self.show_welcome(self.client.welcome)
        while not self.client.closed.is_set():
            try:
                frame = await self.client.next_frame(timeout=3600)
            except TimeoutError:
                continue
            self.show_frame(frame)
        self.query_one("#status", Static).update("the table has closed the connection")

    def show_welcome(self, welcome: dict[str, Any]) -> None:
        """What the table said when the instructor joined: the level, its events, the seats."""
        self.welcome = welcome
        self.running, self.tps = welcome["running"], welcome["tps"]
        events = "\n".join(
            f"{e['index']}  {e['what']}  ({e['due']})" for e in welcome["events"][:10]
        )
        self.query_one("#events", Static).update(
            "Fire early (digit key):\n" + (events or "this level has no timeline")
        )
        self._show(welcome["market"], welcome["board"])

    def show_frame(self, frame: dict[str, Any]) -> None:
        """One tick of the table (and, after the last, its debrief)."""
        self._show(frame["market"], frame["board"])
        if "debrief" in frame and not self.debriefed:
            self.debriefed = True
            log = self.query_one("#paid", RichLog)
            for line in debrief_text(frame["debrief"]).splitlines():
                log.write(line)

    def _show(self, market: dict[str, Any], board: list[dict[str, Any]]) -> None:
        w = self.welcome
        state = "running" if self.running else "paused"
        if market["status"] != "playing":
            state = "game over, the board is final"  # a one-player verdict means nothing here
        self.query_one("#status", Static).update(
            f"{w.get('title', '')} · {len(board)} seats · tick {market['tick']}/"
            f"{w.get('tick_limit', '?')} · {state} at {self.tps:g} ticks/s\n"
            f"mark {_price(market['mark'])} · index {_price(market['index'])} · "
            f"waterfall: {market['stage']}"
        )
        table = self.query_one("#seats", DataTable)
        table.clear()
        for i, row in enumerate(board, 1):
            lev = row["leverage"]
            dist = row["liq_distance_bps"]
            table.add_row(
                str(i),
                f"{row['seat']} {row.get('name', '')}".strip(),
                _money(row["equity"]),
                _money(row["pnl"]),
                _coin(row["size"]),
                "—" if lev is None or not row["size"] else f"{lev / 100:.1f}x",
                _price(row["liq_price"]),
                "—" if dist is None else f"{dist / 100:.1f}%",
                "●" * row["adl_lights"] + "○" * (5 - row["adl_lights"]) if row["size"] else "",
            )
        lines = who_paid_whom(market, set(w.get("seats", ())))
        if lines:
            self.paid += lines
            log = self.query_one("#paid", RichLog)
            for line in lines:
                log.write(line)

    # --------------------------------------------------------------- controls
    async def _send(self, message: dict[str, Any]) -> dict[str, Any] | None:
        if self.client is None:
            return None
        try:
            answer = await self.client.send(message)
        except (TableError, TimeoutError) as exc:
            self.notify(str(exc), severity="warning")
            return None
        self.running, self.tps = answer["running"], answer["tps"]
        return answer

    async def action_toggle(self) -> None:
        await self._send({"type": "pause" if self.running else "start"})

    async def action_step(self) -> None:
        await self._send({"type": "step", "ticks": 1})

    async def action_faster(self) -> None:
        faster = [s for s in SPEEDS if s > self.tps]
        if faster:
            await self._send({"type": "speed", "ticks_per_second": faster[0]})

    async def action_slower(self) -> None:
        slower = [s for s in SPEEDS if s < self.tps]
        if slower:
            await self._send({"type": "speed", "ticks_per_second": slower[-1]})

    async def action_fire(self, index: int) -> None:
        answer = await self._send({"type": "fire", "event": index})
        if answer is not None:
            self.notify(f"Timeline entry {index} fires at tick {answer['tick']}.")

    async def on_unmount(self) -> None:
        if self.client is not None:
            await self.client.close()


def run_instructor(url: str) -> int:
    InstructorApp(url).run()
    return 0
