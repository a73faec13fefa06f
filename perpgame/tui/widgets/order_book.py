"""The Order Book: a price ladder with sizes and depth bars, the player's orders and a price cursor.

The ladder is a fixed grid of prices ``step`` apart (chosen once per game, so rows never jump).
Asks are gathered up to the grid price at or above them, bids down to the grid price at or below
them, so one row never mixes the two sides. Rows above the separator are where sell orders rest,
rows below where buy orders rest. A price cursor (``▶``, reversed) picks the price of the next
limit order; clicking a row moves it there. Liquidation, backstop and ADL fills flash on the row
they hit for a moment.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.events import Click
from textual.message import Message

from perpgame.session.frame import BookLevel, Frame
from perpgame.session.numbers import format_coin, format_price
from perpgame.tui.widgets.base import LinePanel, bar, fit

NICE_STEPS = (1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000)
"""Grid steps the ladder may use, in cents."""

FLASH_TAGS = {
    "liquidation": "LIQ",
    "trade": "LIQ",
    "fill": "LIQ",
    "backstop": "VAULT",
    "deleverage": "ADL",
}


def ladder_step(price: int, tick_size: int) -> int:
    """A round grid step near 4 basis points of ``price`` and a multiple of the tick size."""
    want = max(tick_size, price * 4 // 10_000)
    for step in NICE_STEPS:
        if step >= want and step % tick_size == 0:
            return step
    return max(tick_size, (want // tick_size) * tick_size)


def floor_to(price: int, step: int) -> int:
    return price // step * step


def ceil_to(price: int, step: int) -> int:
    return -(-price // step) * step


@dataclass(frozen=True, slots=True)
class _Row:
    price: int | None
    """None for the separator."""
    qty: int = 0
    mine: int = 0
    ask: bool = False
    pinned: bool = False
    """The cursor's row, pinned to the edge because its price is outside the window."""


@dataclass(frozen=True)
class _Layout:
    """The columns of one drawing of the book, and the rows to tag."""

    price_w: int
    size_w: int
    bar_w: int
    deepest: int
    liq_row: int | None
    entry_row: int | None


class OrderBook(LinePanel):
    """The price ladder."""

    PANEL_TITLE = "Order Book"

    class CursorMoved(Message):
        """The price cursor moved (key or click)."""

        def __init__(self, price: int) -> None:
            super().__init__()
            self.price = price

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.step = 0
        self.cursor: int | None = None
        self.follow = True
        """Until the player moves it, the cursor follows the best bid."""
        self._rows: list[_Row] = []
        self._flashes: dict[int, tuple[str, int]] = {}
        """Grid price -> (tag, last tick it shows)."""

    # ------------------------------------------------------------------ state
    def show(self, data: Frame) -> None:
        if self.step == 0:
            self.step = ladder_step(data.mark, data.tick_size)
        if self.cursor is None or self.follow:
            start = data.best_bid if data.best_bid is not None else data.mark
            self.cursor = max(self.step, floor_to(start, self.step))
        super().show(data)

    def mid(self, snap: Frame) -> int:
        if snap.best_bid is not None and snap.best_ask is not None:
            return (snap.best_bid + snap.best_ask) // 2
        if snap.best_bid is not None:
            return snap.best_bid
        if snap.best_ask is not None:
            return snap.best_ask - 1
        return snap.mark

    def flash(self, snap: Frame, hold: int) -> None:
        """Remember this tick's waterfall fills so their rows flash for ``hold`` ticks."""
        if self.step == 0:
            return
        mid = self.mid(snap)
        for story in snap.stories:
            tag = FLASH_TAGS.get(story.kind)
            if not story.loud or tag is None or story.price is None:
                continue
            row = (
                ceil_to(story.price, self.step)
                if story.price > mid
                else floor_to(story.price, self.step)
            )
            old = self._flashes.get(row)
            if old is None or _severity(tag) >= _severity(old[0]):
                self._flashes[row] = (tag, snap.tick + hold)
        for row, (_, until) in list(self._flashes.items()):
            if until < snap.tick:
                del self._flashes[row]

    def move_cursor(self, rows: int) -> int | None:
        """Move the cursor ``rows`` grid steps up (positive) or down; returns the new price."""
        if self.cursor is None or self.step == 0:
            return None
        self.follow = False
        self.cursor = max(self.step, self.cursor + rows * self.step)
        self.rebuild()
        return self.cursor

    def set_cursor(self, price: int) -> None:
        if self.step:
            self.follow = False
            self.cursor = max(self.step, floor_to(price, self.step))
            self.rebuild()

    def recentre(self) -> int | None:
        """Put the cursor back on the best bid's row, and follow it again."""
        snap = self.data
        if snap is None or self.step == 0:
            return None
        start = snap.best_bid if snap.best_bid is not None else snap.mark
        self.set_cursor(start)
        self.follow = True
        return self.cursor

    # ------------------------------------------------------------------ layout
    def _window(self, snap: Frame, count: int) -> list[_Row]:
        """``count`` rows centred on the mid (the separator is one of them).

        The ladder follows the market. A cursor that has left the window is pinned to the edge
        row on its side, with its distance from the mid, so the book stays in view while the
        player picks a price a few percent away.
        """
        step = self.step
        mid = self.mid(snap)
        asks = _gather(snap.asks, step, up=True)
        bids = _gather(snap.bids, step, up=False)
        first_ask = floor_to(mid, step) + step  # lowest grid price above the mid
        above = (count - 1) // 2
        rows: list[_Row] = []
        price = first_ask + (above - 1) * step
        while len(rows) < count:
            if price < first_ask and not any(r.price is None for r in rows):
                rows.append(_Row(None))
                continue
            if price < step:
                break
            is_ask = price >= first_ask
            qty, mine = (asks if is_ask else bids).get(price, (0, 0))
            rows.append(_Row(price, qty, mine, is_ask))
            price -= step
        cursor = self.cursor
        prices = [r.price for r in rows if r.price is not None]
        if cursor is not None and prices and not prices[-1] <= cursor <= prices[0]:
            is_ask = cursor >= first_ask
            qty, mine = (asks if is_ask else bids).get(cursor, (0, 0))
            pinned = _Row(cursor, qty, mine, is_ask, pinned=True)
            if cursor > prices[0]:
                rows[0] = pinned
            else:
                rows[-1] = pinned
        return rows

    def build(self, width: int, height: int) -> list[Text]:
        snap: Frame = self.data
        pal = self.pal
        count = max(3, height - 1)
        rows = self._window(snap, count)
        self._rows = [_Row(None), *rows]  # line 0 is the header
        price_w = (
            max(len(format_price(r.price)) for r in rows if r.price is not None)
            if any(r.price is not None for r in rows)
            else 9
        )
        size_w = 7
        bar_w = max(0, width - 1 - price_w - 1 - size_w - 2)
        deepest = max((r.qty for r in rows), default=0) or 1
        pos = snap.position
        liq_row = _nearest(pos.liquidation_price, self.step) if pos.size else None
        entry_row = _nearest(pos.entry, self.step) if pos.size and pos.entry else None
        out = [
            Text(" " + "Price".rjust(price_w) + " " + "Size".rjust(size_w) + "  Depth", pal.muted)
        ]
        layout = _Layout(price_w, size_w, bar_w, deepest, liq_row, entry_row)
        for row in rows:
            if row.price is None:
                out.append(self._spread_line(snap, width))
            else:
                out.append(self._price_line(snap, row, width, layout))
        return out

    def _spread_line(self, snap: Frame, width: int) -> Text:
        """The line between the asks and the bids: the spread, or which side is empty."""
        if snap.spread is not None:
            label = f" ▲asks  spread {format_price(snap.spread)}  bids▼ "
        else:
            missing = "asks" if snap.best_ask is None else "bids"
            label = f" ▲asks  no {missing}!  bids▼ "
        if len(label) > width:
            label = " ▲asks  bids▼ "
        return Text(label.center(width, "─"), self.pal.muted)

    def _is_best(self, snap: Frame, row: _Row) -> bool:
        if row.ask:
            return snap.best_ask is not None and row.price == _nearest_up(snap.best_ask, self.step)
        return snap.best_bid is not None and row.price == floor_to(snap.best_bid, self.step)

    def _price_line(self, snap: Frame, row: _Row, width: int, layout: _Layout) -> Text:
        """One price row: cursor, price (bold at the best), size, the player's mark, then a tag
        (liquidation, entry, how far a pinned cursor is) or a depth bar."""
        pal = self.pal
        assert row.price is not None
        side = pal.ask if row.ask else pal.bid
        is_cursor = row.price == self.cursor
        line = Text()
        line.append("▶" if is_cursor else " ", pal.accent)
        price_style = side + pal.strong if self._is_best(snap, row) else side
        line.append(format_price(row.price).rjust(layout.price_w), price_style)
        line.append(" ")
        if row.qty:
            line.append(format_coin(row.qty).rjust(layout.size_w))
        else:
            line.append("·".rjust(layout.size_w), pal.muted)
        line.append(" ")
        line.append("◆" if row.mine else " ", pal.you)
        tag = self._tag(row.price, layout.liq_row, layout.entry_row)
        if row.pinned:
            mid = self.mid(snap)
            arrow = "↑" if row.price > mid else "↓"
            away = abs(row.price - mid) * 1000 // max(1, mid)
            tag = (f"{arrow}{away / 10:.1f}%", pal.accent)
        bar_w = layout.bar_w
        if tag is not None:
            text, style = tag
            line.append(" " + fit(text, max(0, bar_w - 1)).ljust(max(0, bar_w - 1)), style)
        elif row.qty and bar_w:
            line.append(bar(row.qty / layout.deepest, bar_w), side + pal.muted)
        if is_cursor:
            line.pad_right(max(0, width - line.cell_len))
            line.stylize(pal.row)
        return line

    def _tag(self, price: int, liq_row: int | None, entry_row: int | None):
        pal = self.pal
        flash = self._flashes.get(price)
        if flash is not None:
            return f"{flash[0]}!", pal.flash
        if price == liq_row:
            return "◀ liq", pal.liq
        if price == entry_row:
            return "◀ entry", pal.entry
        return None

    def row_price(self, line: int) -> int | None:
        """The price on content line ``line`` (None for the header and the separator)."""
        if 0 <= line < len(self._rows):
            return self._rows[line].price
        return None

    def visible_prices(self) -> list[int]:
        return [r.price for r in self._rows if r.price is not None]

    # ------------------------------------------------------------------ mouse
    def on_click(self, event: Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        price = self.row_price(offset.y)
        if price is None:
            return
        event.stop()
        self.follow = False
        self.cursor = price
        self.rebuild()
        self.post_message(self.CursorMoved(price))


def _severity(tag: str) -> int:
    return {"LIQ": 1, "VAULT": 2, "ADL": 3}.get(tag, 0)


def _gather(levels: tuple[BookLevel, ...], step: int, *, up: bool) -> dict[int, tuple[int, int]]:
    out: dict[int, tuple[int, int]] = {}
    for level in levels:
        price = ceil_to(level.price, step) if up else floor_to(level.price, step)
        qty, mine = out.get(price, (0, 0))
        out[price] = (qty + level.qty, mine + level.mine)
    return out


def _nearest(price: int | None, step: int) -> int | None:
    if price is None or step == 0:
        return None
    return (price + step // 2) // step * step


def _nearest_up(price: int, step: int) -> int:
    return ceil_to(price, step)
