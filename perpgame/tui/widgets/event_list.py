"""The debrief's list of events: ``m:ss  mark  text`` lines that wrap under their text."""

from __future__ import annotations

import textwrap
from typing import Any

from textual.content import Content
from textual.geometry import Size
from textual.widget import Widget

from perpgame.tui.text import MUTED


class EventList(Widget):
    """``m:ss  mark  text`` lines; long texts wrap under the text, not under the clock."""

    INDENT = 8

    def __init__(self, lines: list[tuple[str, tuple[str, str], str, str]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.lines = lines
        """(clock, (mark, mark style), text, text style) per line."""

    def _wrapped(self, width: int) -> list[Content]:
        room = max(10, width - self.INDENT)
        out: list[Content] = []
        for when, (mark, mark_style), text, style in self.lines:
            chunks = textwrap.wrap(text, room) or [""]
            out.append(
                Content.assemble(
                    (f"{when:>5} ", MUTED),
                    (f"{mark} ", mark_style),
                    (chunks[0], style),
                )
            )
            out += [Content.assemble(" " * self.INDENT, (c, style)) for c in chunks[1:]]
        return out

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._wrapped(width))

    def render(self) -> Content:
        return Content("\n").join(self._wrapped(self.size.width))
