"""The pause/help overlay: the level's lesson, every key, and the quick-order syntax.

The key list is built from the game screen's own bindings, so it never goes stale. The game is
paused while the overlay is open; Escape, ``?``, F1 or ``q`` close it; the arrows, Page Up/Down,
Home and End scroll it (at 80x24 it is taller than the terminal).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


class HelpScreen(ModalScreen[None]):
    """Every key of the game screen, grouped, with what it does."""

    AUTO_FOCUS = "#help-box"  # so the keys scroll it

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,f1,q", "close", "Close help"),
    ]

    def __init__(
        self,
        rows: Sequence[tuple[str, str, str]],
        *,
        title: str = "",
        lesson: str = "",
        syntax: str = "",
        paused: bool = True,
    ) -> None:
        """``paused``: shown over a paused game (titled so); False elsewhere (the title screen)."""
        super().__init__()
        self.paused = paused
        self.rows = list(rows)
        self.level_title = title
        self.lesson = " ".join(lesson.split())
        self.syntax = syntax

    def compose(self) -> ComposeResult:
        box = VerticalScroll(id="help-box")
        box.border_title = "Paused · Help" if self.paused else "Help"
        box.border_subtitle = "↑↓ PgUp PgDn scroll · Esc, ? or q to go back"
        with box:
            if self.lesson:
                lesson = Text()
                if self.level_title:
                    lesson.append(self.level_title + ". ", "bold")
                lesson.append(self.lesson)
                yield Static(lesson, id="help-lesson")
            yield Static(self._table(), id="help-keys")
            if self.syntax:
                yield Static(Text("Quick-order line (: or /):  " + self.syntax), id="help-syntax")

    def _table(self) -> Table:
        table = Table(box=None, show_header=False, pad_edge=False, expand=True, padding=(0, 1))
        table.add_column("group", style="dim", no_wrap=True, width=8)
        table.add_column("keys", style="bold", no_wrap=True, width=11)
        table.add_column("what", ratio=1)
        last = None
        for group, keys, what in self.rows:
            table.add_row(group if group != last else "", keys, what)
            last = group
        return table

    def action_close(self) -> None:
        self.dismiss(None)
