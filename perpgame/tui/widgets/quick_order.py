"""The quick-order line: type ``b 0.5 x10``, ``s 1 @ 61000``, ``close``, ``lev 5``, ``margin +500``.

``:`` or ``/`` focuses it, Enter sends, Escape leaves. What was sent (or what was wrong with the
line), and then what became of the order, shows right beside it, with the most room when the line
is not being typed in. A long answer takes the hint's room until it has been read: the next key,
or a few seconds of play, gives the hint back.
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
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._long_since: int | None = None
        """The tick a long answer was shown at, while it has the hint's room."""

    def compose(self) -> ComposeResult:
        yield Label(":")
        yield Input(placeholder=PLACEHOLDER, id="order-line", select_on_focus=False)
        yield Static("", id="order-feedback")

    # a class, not :focus-within: Textual left the answer's :focus-within width on after a blur
    def on_descendant_focus(self) -> None:
        self.query_one("#order-line", Input).placeholder = TYPING
        self.add_class("-typing")

    def on_descendant_blur(self) -> None:
        self.query_one("#order-line", Input).placeholder = PLACEHOLDER
        self.remove_class("-typing")

    def feedback(self, text: Text | str, tick: int = 0) -> None:
        """Show ``text`` (at game tick ``tick``); a long one (a refusal and its reason) takes the
        hint's room while the line is not being typed in, so it is not cut at 80 columns."""
        long = len(str(text)) > LONG
        self._long_since = tick if long else None
        self.set_class(long, "-long")
        self.query_one("#order-feedback", Static).update(text)

    @property
    def hint_hidden(self) -> bool:
        """A long answer has the hint's room."""
        return self._long_since is not None

    def answer_read(self) -> None:
        """Give the hint its room back (the answer stays, cut to what fits beside it)."""
        self._long_since = None
        self.remove_class("-long")

    def age(self, tick: int, patience: int) -> None:
        """Give the hint back once a long answer has been up for ``patience`` ticks."""
        if self._long_since is not None and tick - self._long_since >= patience:
            self.answer_read()
