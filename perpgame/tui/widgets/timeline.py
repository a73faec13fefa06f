"""The debrief's timeline: the mark price over the level, the waterfall's stages, the player."""

from __future__ import annotations

from typing import Any

from textual.content import Content
from textual.geometry import Size
from textual.widget import Widget

from perpgame.session import GameSession
from perpgame.session.debrief import Entry, player_mark
from perpgame.session.numbers import format_price
from perpgame.tui.text import MUTED, clock

BLOCKS = " ▁▂▃▄▅▆▇█"
CHART_STYLE = "$text-primary"
STAGE_MARKS = {
    "liquidation": ("L", "$text-warning"),
    "backstop": ("V", "$text-primary"),
    "deleverage": ("A", "$text-error"),
}
PLAYER_STYLES = {"X": "$text-error bold", "A": "$text-error bold", "V": "$text-primary bold"}
SEVERITY = {"liquidation": 1, "backstop": 2, "deleverage": 3}


class Timeline(Widget):
    """The mark price over the level, the waterfall's stages under it, and the player's moments."""

    LABEL = 11

    def __init__(
        self, session: GameSession, entries: list[Entry], *, chart_rows: int = 4, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.tick_ms = session.level.tick_ms
        self.end = max(1, session.tick)
        self.points = [(p.tick, p.mark) for p in session.chart]
        self.markers = [(m.tick, m.kind) for m in session.markers if m.kind in SEVERITY]
        self.mine = [(e.tick, mark) for e in entries if e.player and (mark := player_mark(e))]
        group = "vault" if session.role == "vault" else "player"
        self.equity = [(t, groups.get(group, 0)) for t, groups in session.group_history]
        self.start_equity = self.equity[0][1] if self.equity else 0
        self.chart_rows = chart_rows

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return self.chart_rows + 4

    def _column(self, tick: int, width: int) -> int:
        return min(width - 1, tick * width // (self.end + 1))

    def _bucket_last(self, series: list[tuple[int, int]], width: int) -> list[int]:
        """The last value of each column's ticks (a column without ticks repeats the one before)."""
        cols: list[int | None] = [None] * width
        for tick, value in series:
            cols[self._column(tick, width)] = value
        out: list[int] = []
        previous = series[0][1] if series else 0
        for value in cols:
            previous = previous if value is None else value
            out.append(previous)
        return out

    def render(self) -> Content:
        width = max(10, self.size.width - self.LABEL - 1)
        prices = self._bucket_last(self.points, width)
        lo, hi = min(prices), max(prices)
        rows_8 = self.chart_rows * 8
        if hi == lo:  # a flat market: one line across the middle
            eighths = [rows_8 // 2] * width
        else:
            eighths = [1 + (p - lo) * (rows_8 - 1) // (hi - lo) for p in prices]
        rows: list[Content] = []
        for r in range(self.chart_rows):
            floor = (self.chart_rows - 1 - r) * 8
            label = ""
            if r == 0:
                label = format_price(hi)
            elif r == self.chart_rows - 1 and hi != lo:
                label = format_price(lo)
            bar = "".join(BLOCKS[max(0, min(8, e - floor))] for e in eighths)
            rows.append(
                Content.assemble(
                    (f"{label:>{self.LABEL - 1}}", MUTED),
                    ("┤" if label else "│", MUTED),
                    (bar, CHART_STYLE),
                )
            )
        rows.append(self._lane("waterfall", self._stage_lane(width)))
        rows.append(self._lane("you", self._player_lane(width)))
        rows.append(self._lane("your PnL", self._pnl_lane(width)))
        rows.append(self._axis(width))
        return Content("\n").join(rows)

    def _lane(self, name: str, cells: list[tuple[str, str]]) -> Content:
        return Content.assemble((f"{name:>{self.LABEL - 1}}│", MUTED), *cells)

    def _stage_lane(self, width: int) -> list[tuple[str, str]]:
        worst: list[str] = [""] * width
        for tick, kind in self.markers:
            c = self._column(tick, width)
            if not worst[c] or SEVERITY[kind] > SEVERITY[worst[c]]:
                worst[c] = kind
        return [STAGE_MARKS[k] if k else ("·", MUTED) for k in worst]

    def _player_lane(self, width: int) -> list[tuple[str, str]]:
        rank = {"X": 3, "A": 2, "V": 1, "▲": 1, "▼": 1}
        cells: list[str] = [""] * width
        for tick, mark in self.mine:
            c = self._column(tick, width)
            if not cells[c] or rank[mark] > rank[cells[c]]:
                cells[c] = mark
        return [(m, PLAYER_STYLES.get(m, "bold")) if m else (" ", "") for m in cells]

    def _pnl_lane(self, width: int) -> list[tuple[str, str]]:
        """The player's equity against where it started: above the middle gains, below losses."""
        values = self._bucket_last(self.equity, width)
        furthest = max((abs(v - self.start_equity) for v in values), default=0) or 1
        cells = []
        for v in values:
            change = v - self.start_equity
            if change == 0:
                cells.append(("─", MUTED))
                continue
            level = 5 + 3 * change // furthest if change > 0 else 3 - 2 * -change // furthest
            style = "$text-success" if change > 0 else "$text-error"
            cells.append((BLOCKS[max(1, min(8, level))], style))
        return cells

    def _axis(self, width: int) -> Content:
        line = ["─"] * width
        for tick in (0, self.end // 2, self.end):
            text = clock(tick, self.tick_ms)
            c = self._column(tick, width)
            c = max(0, min(c - len(text) // 2, width - len(text)))
            line[c : c + len(text)] = list(text)
        return Content.assemble(
            (" " * (self.LABEL - 1) + "└", MUTED),
            ("".join(line), MUTED),
        )
