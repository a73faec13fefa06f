"""What the debrief timeline's marks mean."""

from __future__ import annotations

from textual.content import Content
from textual.geometry import Size
from textual.widget import Widget

from perpgame.tui.text import MUTED


class Legend(Widget):
    """What the timeline's marks mean; each entry stays whole when the legend wraps."""

    ENTRIES = (
        ("L", "$text-warning", "liquidation"),
        ("V", "$text-primary", "the vault took over"),
        ("A", "$text-error", "auto-deleveraging"),
        ("▲▼", "", "you bought/sold"),
        ("X", "$text-error", "you were hit"),
    )

    def _lines(self, width: int) -> list[Content]:
        lines: list[list[Content]] = [[]]
        used = 0
        for mark, style, text in self.ENTRIES:
            entry = Content.assemble((mark, f"{style} bold"), (f" {text}", MUTED))
            need = len(mark) + 1 + len(text) + (2 if used else 0)
            if used and used + need > width:
                lines.append([])
                used = 0
                need -= 2
            lines[-1].append(entry)
            used += need
        return [Content("  ").join(parts) for parts in lines]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._lines(width))

    def render(self) -> Content:
        return Content("\n").join(self._lines(self.size.width))
