"""why?: the last tick that touched the player, every number of it, in a box that fits the terminal.

Drawn from the session's ``WhyView`` (numbers and labels, never the engine's sentences): what
happened, the facts behind it (equity against maintenance, the bankruptcy price, the ADL queue
rank), and the money, one line per amount, ending in a total that is exactly the change of the
player's equity over that tick. The box is never taller than the terminal: it scrolls.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from perpgame.session.frame import WhyView
from perpgame.session.numbers import CASH_SCALE, format_cash
from perpgame.session.views import cents
from perpgame.tui.widgets.base import signed_cash

NOTHING = "Nothing has happened to you yet: no fills, liquidations or deleverages."


def why_text(view: WhyView | None, width: int = 72) -> Text:
    """The explanation as text: headlines, facts, money lines and their total."""
    out = Text()
    if view is None:
        out.append(NOTHING)
        return out
    minutes, secs = divmod(int(view.seconds), 60)
    out.append(f"At {minutes}:{secs:02d} (tick {view.tick}) ", "dim")
    change = signed_cash(view.total)
    out.append(
        f"your equity went {format_cash(view.equity_before)} → "
        f"{format_cash(view.equity_after)} ({change}): every line of it is below.\n",
        "bold",
    )
    for line in view.headlines:
        out.append(f"• {line}\n")
    if view.facts:
        out.append("\nThe numbers\n", "bold")
        for fact in view.facts:
            out.append(f"  {fact.label}: ", "bold")
            out.append(f"{fact.detail}\n")
    out.append("\nYour equity, line by line\n", "bold")
    amounts = [line.amount or 0 for line in view.lines]
    shown = cents([*amounts, -view.total], CASH_SCALE // 100)
    total = -shown[-1]
    value_w = max(len(signed_cash(v)) for v in [*shown[:-1], total]) if amounts else 6
    label_w = max(10, width - value_w - 3)
    for line, value in zip(view.lines, shown, strict=False):
        label = line.label + (f" ({line.detail})" if line.detail else "")
        chunks = _wrap(label, label_w)
        for chunk in chunks[:-1]:
            out.append(f"  {chunk}\n")
        out.append(f"  {chunks[-1]:<{label_w}}")
        style = "green" if value > 0 else "red" if value < 0 else ""
        out.append(f"{signed_cash(value):>{value_w}}\n", style)
    out.append("  " + "─" * (label_w + value_w) + "\n", "dim")
    out.append(f"  {'Change in your equity':<{label_w}}", "bold")
    out.append(f"{signed_cash(total):>{value_w}}", "bold")
    return out


def _wrap(text: str, width: int) -> list[str]:
    words = text.split()
    lines: list[str] = []
    line = ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return lines


class WhyScreen(ModalScreen[None]):
    """The why? box over the paused game; w, escape or q closes it, the arrows scroll it."""

    AUTO_FOCUS = "#why-box"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,w,q", "close", "Close"),
    ]

    def __init__(self, view: WhyView | None) -> None:
        super().__init__()
        self.view = view

    def compose(self) -> ComposeResult:
        box = VerticalScroll(id="why-box")
        box.border_title = "Why?"
        box.border_subtitle = "↑↓ scroll · w/esc close"
        with box:
            yield Static(id="why-text")

    def on_mount(self) -> None:
        self._fill()

    def on_resize(self) -> None:
        self._fill()

    def _fill(self) -> None:
        width = min(84, self.app.size.width) - 4
        self.query_one("#why-text", Static).update(why_text(self.view, max(30, width)))

    def action_close(self) -> None:
        self.dismiss(None)


__all__ = ["WhyScreen", "why_text"]
