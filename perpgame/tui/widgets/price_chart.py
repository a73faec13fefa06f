"""The Chart: index, mark and last price drawn in braille, with the player's entry and liquidation
price as lines and a letter where each liquidation (L), backstop (V) and deleverage (A) happened.

The whole game so far is squeezed into the width: each braille column covers one tick or several
(their lowest and highest mark drawn as a stroke). The mark is a solid line, the index a dotted
one, the last trade a dot: they differ by texture as well as colour.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text

from perpgame.session.frame import ChartPoint, Frame
from perpgame.tui.widgets.base import LinePanel, whole_price
from perpgame.tui.widgets.palette import Palette

# Braille dot bits: _DOTS[x][y] for the 2 x 4 dots of one cell.
_DOTS = ((0x01, 0x02, 0x04, 0x40), (0x08, 0x10, 0x20, 0x80))
MARKER_GLYPHS = {"liquidation": "L", "backstop": "V", "deleverage": "A"}
_MARKER_RANK = {"L": 1, "V": 2, "A": 3}
AXIS = 8


class PriceChart(LinePanel):
    PANEL_TITLE = "Chart"

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.border_subtitle = "L liquidation · V vault · A ADL"

    def build(self, width: int, height: int) -> list[Text]:
        snap: Frame = self.data
        pal = self.pal
        plot_w = max(4, width - AXIS - 1)
        plot_h = max(2, height - 1)
        if not snap.chart:
            return [Text("no prices yet", pal.muted)]
        pos = snap.position
        liq = pos.liquidation_price if pos.size else None
        plot = Plot.fit(snap, plot_w, plot_h, liq)
        cells = plot.cells(braille(plot, snap.chart), pal)
        entry_cell = plot.row_of(pos.entry) // 4 if pos.size and pos.entry else None
        liq_cell = plot.row_of(liq) // 4 if liq is not None and plot.lo <= liq <= plot.hi else None
        plot.rules(cells, {entry_cell: ("╌", pal.entry), liq_cell: ("┈", pal.liq)})  # liq wins
        plot.mark_events(cells, snap, pal)
        labels: dict[int, tuple[str, Style]] = {
            0: (whole_price(plot.hi), pal.muted),
            plot_h // 2: (whole_price((plot.hi + plot.lo) // 2), pal.muted),
            plot_h - 1: (whole_price(plot.lo), pal.muted),
        }
        if entry_cell is not None:
            labels[entry_cell] = ("E" + whole_price(pos.entry or 0), pal.entry)
        if liq_cell is not None:
            labels[liq_cell] = ("L" + whole_price(liq or 0), pal.liq)
        elif liq is not None:  # far off the chart: an arrow at the edge it lies beyond
            beyond = plot.beyond(liq)
            labels[0 if beyond > 0 else plot_h - 1] = (edge_label(liq, beyond), pal.liq)
        out = [axis_line(labels, y, pal.muted, cells[y]) for y in range(plot_h)]
        out.append(self._legend(snap, width, liq))
        return out

    def _legend(self, snap: Frame, width: int, liq: int | None) -> Text:
        pal = self.pal
        parts = [
            ("⣿ mark ", pal.mark, whole_price(snap.mark)),
            ("⡈ index ", pal.index, whole_price(snap.index)),
            ("• last ", pal.last, whole_price(snap.last) if snap.last is not None else "-"),
        ]
        if snap.position.size and snap.position.entry:
            parts.append(("╌ entry ", pal.entry, whole_price(snap.position.entry)))
        if liq is not None:
            parts.append(("┈ liq ", pal.liq, whole_price(liq)))
        line = Text()
        for label, style, value in parts:
            piece = f"{label}{value}  "
            if line.cell_len + len(piece) > width:
                piece = f"{label.split()[0]}{value}  "
                if line.cell_len + len(piece) > width:
                    break
            line.append(piece, style)
        return line


@dataclass(frozen=True)
class Plot:
    """Where a tick and a price land on the braille grid (2 x 4 dots per cell)."""

    plot_w: int
    plot_h: int
    n: int
    """How many chart points there are."""
    first_tick: int
    span: int
    lo: int
    hi: int

    @classmethod
    def fit(cls, snap: Frame, plot_w: int, plot_h: int, liq: int | None) -> Plot:
        """The price range: what is drawn, plus the entry and a near liquidation price, padded.

        A far liquidation price stays out of the range (the chart scales to what moves) and is
        labelled at the edge by ``build``."""
        points = snap.chart
        prices = [p.mark for p in points] + [p.index for p in points]
        prices += [p.last for p in points if p.last is not None]
        pos = snap.position
        lo, hi = min(prices), max(prices)
        if pos.size and pos.entry:
            lo, hi = min(lo, pos.entry), max(hi, pos.entry)
        least = max(1, snap.mark // 200)  # at least 0.5% of the price from top to bottom
        if hi - lo < least:
            pad = (least - (hi - lo)) // 2 + 1
            lo, hi = lo - pad, hi + pad
        if liq is not None and near(liq, lo, hi, snap.mark):
            lo, hi = min(lo, liq), max(hi, liq)
        pad = (hi - lo) // 20 + 1
        first_tick = points[0].tick
        span = max(1, points[-1].tick - first_tick)
        return cls(plot_w, plot_h, len(points), first_tick, span, lo - pad, hi + pad)

    def beyond(self, price: int) -> int:
        """1 above the plotted range, -1 below it, 0 inside."""
        return 1 if price > self.hi else -1 if price < self.lo else 0

    @property
    def cols(self) -> int:
        return self.plot_w * 2

    @property
    def rows(self) -> int:
        return self.plot_h * 4

    def col_of_index(self, i: int) -> int:
        return i if self.n <= self.cols else i * self.cols // self.n

    def col_of_tick(self, tick: int) -> int:
        cols = self.cols
        if self.n <= cols:
            return min(cols - 1, max(0, tick - self.first_tick))
        return min(cols - 1, max(0, (tick - self.first_tick) * (cols - 1) // self.span))

    def row_of(self, price: int) -> int:
        r = (self.hi - price) * (self.rows - 1) // (self.hi - self.lo)
        return min(self.rows - 1, max(0, r))

    def grid(self) -> list[list[int]]:
        return [[0] * self.plot_w for _ in range(self.plot_h)]

    def cells(self, grids: tuple[Grid, Grid, Grid], pal: Palette) -> list[list[Cell]]:
        """The braille glyph of each cell, styled by its strongest line: mark, last, index."""
        mark_bits, index_bits, last_bits = grids
        cells: list[list[Cell]] = [[(" ", None)] * self.plot_w for _ in range(self.plot_h)]
        for y in range(self.plot_h):
            for x in range(self.plot_w):
                m, i, last = mark_bits[y][x], index_bits[y][x], last_bits[y][x]
                bits = m | i | last
                if bits:
                    style = pal.mark if m else pal.last if last else pal.index
                    cells[y][x] = (chr(0x2800 + bits), style)
        return cells

    def rules(self, cells: list[list[Cell]], rules: dict[int | None, Cell]) -> None:
        """The flat entry and liquidation rules, under the lines (the liquidation's first)."""
        for y in range(self.plot_h):
            rule = rules.get(y)
            if rule is None:
                continue
            for x in range(self.plot_w):
                if cells[y][x][1] is None:
                    cells[y][x] = rule

    def mark_events(self, cells: list[list[Cell]], snap: Frame, pal: Palette) -> None:
        """A letter where each liquidation (L), backstop (V) and deleverage (A) happened, the
        worst one on top, reversed where it was the player's."""
        for marker in snap.markers:
            if marker.tick < self.first_tick:
                continue
            glyph = MARKER_GLYPHS.get(marker.kind)
            if glyph is None:
                continue
            x = self.col_of_tick(marker.tick) // 2
            y = self.row_of(marker.price) // 4
            old = cells[y][x][0]
            if _MARKER_RANK.get(old, 0) > _MARKER_RANK[glyph]:
                continue
            style = {"L": pal.liq, "V": pal.vault, "A": pal.adl}[glyph]
            if marker.player:
                style = style + Style(reverse=True)
            cells[y][x] = (glyph, style)


def near(liq: int, lo: int, hi: int, mark: int) -> bool:
    """Draw the liquidation price inside the chart: within 12% of the mark and at most twice
    the moving range's height beyond it (what moves keeps a third of the chart). Farther, it
    would squash mark and index into a flat line, so it is an arrow at the edge instead."""
    span = hi - lo
    return abs(liq - mark) * 100 <= mark * 12 and lo - 2 * span <= liq <= hi + 2 * span


def edge_label(liq: int, beyond: int) -> str:
    """``↑L64,974``: the liquidation price, past the top (or bottom) of the chart."""
    arrow = "↑" if beyond > 0 else "↓"
    label = f"{arrow}L{whole_price(liq)}"
    return label if len(label) <= AXIS else arrow + whole_price(liq)


Grid = list[list[int]]
Cell = tuple[str, "Style | None"]


def _dot(grid: Grid, x: int, y: int) -> None:
    grid[y // 4][x // 2] |= _DOTS[x % 2][y % 4]


def braille(plot: Plot, points: Sequence[ChartPoint]) -> tuple[Grid, Grid, Grid]:
    """The dots of the mark (a joined stroke per column), the index (dotted) and the last trade."""
    cols_mark: dict[int, tuple[int, int, int]] = {}  # col -> (lo row, hi row, last row)
    cols_index: dict[int, int] = {}
    cols_last: dict[int, int] = {}
    for i, p in enumerate(points):
        c = plot.col_of_index(i)
        r = plot.row_of(p.mark)
        old = cols_mark.get(c)
        cols_mark[c] = (r, r, r) if old is None else (min(old[0], r), max(old[1], r), r)
        cols_index[c] = plot.row_of(p.index)
        if p.last is not None:
            cols_last[c] = plot.row_of(p.last)
    mark_bits, index_bits, last_bits = plot.grid(), plot.grid(), plot.grid()
    prev_row: int | None = None
    for c in sorted(cols_mark):
        top, bottom, end = cols_mark[c]
        if prev_row is not None:  # join to the previous column: a continuous line
            top, bottom = min(top, prev_row), max(bottom, prev_row)
        for y in range(top, bottom + 1):
            _dot(mark_bits, c, y)
        prev_row = end
    for c, r in cols_index.items():
        if c % 2 == 0:
            _dot(index_bits, c, r)
    for c, r in cols_last.items():
        _dot(last_bits, c, r)
    return mark_bits, index_bits, last_bits


def axis_line(
    labels: dict[int, tuple[str, Style]], y: int, muted: Style, cells: list[Cell]
) -> Text:
    """One row: its axis label (top, middle, bottom, entry, liquidation), then its cells in runs."""
    label, style = labels.get(y, ("", muted))
    line = Text(label[-AXIS:].rjust(AXIS), style)
    line.append("┤" if y in labels else "│", muted)
    run_style: Style | None = None
    run = ""
    for glyph, cell_style in cells:
        if cell_style is not run_style and run:
            line.append(run, run_style)
            run = ""
        run_style = cell_style
        run += glyph
    if run:
        line.append(run, run_style)
    return line
