"""The base of every game panel: lines of Rich Text drawn with Textual's line API.

A panel turns the latest Frame into a list of ``Text`` lines for its current size. It repaints
only when those lines change, and converts a line to a ``Strip`` only when Textual asks for it, so
a panel that did not change costs nothing. ``paints`` counts the repaints (the TUI bench reads it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.style import Style
from rich.text import Text
from textual.events import Resize
from textual.strip import Strip
from textual.widget import Widget

from perpgame.session.numbers import format_cash, format_coin, format_price
from perpgame.tui.widgets.palette import Palette, palette

EIGHTHS = " ▏▎▍▌▋▊▉█"


def _key(lines: Sequence[Text]) -> tuple[Any, ...]:
    return tuple((t.plain, tuple(t.spans), t.style) for t in lines)


class LinePanel(Widget):
    """A titled box whose content is a few lines of text rebuilt from a Frame."""

    PANEL_TITLE = ""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.border_title = self.PANEL_TITLE or None
        self.paints = 0
        """How many times the panel was drawn (counted at its first line)."""
        self.data: Any = None
        self._lines: tuple[Text, ...] = ()
        self._key: tuple[Any, ...] = ()
        self._width = -1
        self._strips: dict[int, Strip] = {}

    def on_mount(self) -> None:
        # a new theme: draw again in its colours (a paused game would keep the old ones)
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self.rebuild(force=True))

    # ------------------------------------------------------------------ content
    @property
    def pal(self) -> Palette:
        return palette(self.app)

    def build(self, width: int, height: int) -> list[Text]:
        """The panel's lines for a content area of ``width`` x ``height``."""
        raise NotImplementedError

    def show(self, data: Any) -> None:
        """Take new data (usually a Frame) and repaint if what the panel shows changed."""
        self.data = data
        self.rebuild()

    def rebuild(self, force: bool = False) -> None:
        width, height = self.size
        if width <= 0 or height <= 0 or self.data is None:
            return
        lines = self.build(width, height)
        for line in lines:  # what does not fit ends in an ellipsis, never in a cut word
            if line.cell_len > width:
                line.truncate(width, overflow="ellipsis")
        key = _key(lines)
        if not force and key == self._key and width == self._width:
            return
        self._lines = tuple(lines)
        self._key = key
        self._width = width
        self._strips = {}
        self.refresh()

    def plain_lines(self) -> list[str]:
        """What the panel shows, as plain text (for tests and the bench)."""
        return [t.plain for t in self._lines]

    def on_resize(self, event: Resize) -> None:
        self.rebuild(force=True)

    # ------------------------------------------------------------------ drawing
    def render_line(self, y: int) -> Strip:
        if y == 0:
            self.paints += 1
        strip = self._strips.get(y)
        if strip is None:
            width = self.size.width
            base = self.visual_style.rich_style
            if y < len(self._lines):
                text = self._lines[y]
                strip = Strip(list(text.render(self.app.console)), text.cell_len)
                strip = strip.adjust_cell_length(width).apply_style(base)
            else:
                strip = Strip.blank(width, base)
            self._strips[y] = strip
        return strip


# ---------------------------------------------------------------------- helpers
def clock(seconds: float) -> str:
    """Seconds as ``m:ss``."""
    whole = max(0, int(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def signed_cash(amount: int, places: int = 2) -> str:
    """``+1,234.56`` / ``-1,234.56`` / ``0.00``: a sign so gains read without colour."""
    text = format_cash(amount, places=places)
    return "+" + text if amount > 0 else text


def whole_price(price: int) -> str:
    """A price without its cents, for axes and tight columns: ``60,025``."""
    return format_price(price).rsplit(".", 1)[0]


def coin(lots: int) -> str:
    return format_coin(lots)


def bar(fraction: float, width: int) -> str:
    """A bar of ``width`` cells filled to ``fraction`` (0..1) with eighth blocks."""
    if width <= 0:
        return ""
    fraction = min(1.0, max(0.0, fraction))
    eighths = round(fraction * width * 8)
    full, part = divmod(eighths, 8)
    text = "█" * full + (EIGHTHS[part] if part and full < width else "")
    return text.ljust(width)


def gauge(fraction: float, width: int, style: Style, empty: Style) -> Text:
    """A bar with a visible empty part: ``███▌░░░░``."""
    width = max(1, width)
    fraction = min(1.0, max(0.0, fraction))
    filled = bar(fraction, width).rstrip()
    text = Text(filled, style=style)
    text.append("░" * (width - len(filled)), style=empty)
    return text


def fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` cells with an ellipsis."""
    if len(text) <= width:
        return text
    return text[: max(0, width - 1)] + "…"


def fit_each(parts: list[str], width: int, sep: str = " ") -> str:
    """``parts`` joined by ``sep`` in ``width`` cells: the longest part is cut first (with an
    ellipsis), so every part keeps its start where a plain cut would drop the last ones."""
    sizes = [len(p) for p in parts]
    room = width - len(sep) * max(0, len(parts) - 1)
    while sum(sizes) > room and max(sizes, default=0) > 2:
        sizes[sizes.index(max(sizes))] -= 1
    if sum(sizes) > room:  # too narrow even for two cells a part
        return fit(sep.join(parts), width)
    return sep.join(fit(p, n) for p, n in zip(parts, sizes, strict=True))


def group_name(group: str) -> str:
    """How a pile group is named on screen."""
    return {"player": "you", "market_maker": "market makers", "dip_buyer": "dip buyers"}.get(
        group, group.replace("_", " ")
    )
