"""The quick-order line: type ``b 0.5 x10``, ``s 1 @ 61000``, ``close``, ``lev 5``, ``margin +500``.

``:`` or ``/`` focuses it, Enter sends, Escape leaves. What was sent (or what was wrong with the
line), and then what became of the order, shows right beside it, with the most room when the line
is not being typed in.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Label, Static

LONG = 44
"""Feedback longer than this (in cells) squeezes the hint to make room."""
PLACEHOLDER = "press : then  b 0.5 x10 · s 1 @ 61000 · close · lev 5 · margin +500"
TYPING = "type an order, Enter sends, Esc leaves:  b 0.5 x10 · s 1 @ 61000 · close"
"""The hint while the line has the keys, so the player sees that keys go to the line now."""


class QuickOrder(Horizontal):
    def compose(self) -> ComposeResult:
        yield Label(":")
        yield Input(placeholder=PLACEHOLDER, id="order-line", select_on_focus=False)
        yield Static("", id="order-feedback")

    def on_descendant_focus(self) -> None:
        self.query_one("#order-line", Input).placeholder = TYPING

    def on_descendant_blur(self) -> None:
        self.query_one("#order-line", Input).placeholder = PLACEHOLDER

    def feedback(self, text: Text | str) -> None:
        """Show ``text``; a long one (a refusal and its reason) takes the hint's room while the
        line is not being typed in, so it is not cut at 80 columns."""
        self.set_class(len(str(text)) > LONG, "-long")
        self.query_one("#order-feedback", Static).update(text)
