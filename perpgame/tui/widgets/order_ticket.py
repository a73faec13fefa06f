"""The order ticket: the size and leverage the next order uses, the cursor's price, and buttons.

``b``/``s`` send a market order of this size; ``B``/``S`` a limit order at the cursor's price.
The buttons do the same for the mouse.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button

from perpgame.session.numbers import format_cash, format_coin, format_price
from perpgame.tui.widgets.base import LinePanel


@dataclass(frozen=True, slots=True)
class Ticket:
    size: int
    """Lots the next order uses."""
    base: str
    notional: int
    """Cash value of ``size`` at the mark."""
    leverage: int
    max_leverage: int
    cursor: int | None
    margin_step: int


class TicketLine(LinePanel):
    def build(self, width: int, height: int) -> list[Text]:
        t: Ticket = self.data
        pal = self.pal
        line = Text("Size ", pal.muted)
        line.append(f"{format_coin(t.size)} {t.base}", pal.accent)
        if width >= 70:
            line.append(f" ≈{format_cash(t.notional, places=0)}", pal.muted)
        line.append(" │ Lev setting " if width >= 60 else " │ Lev ", pal.muted)
        line.append(f"{t.leverage}x", pal.accent)
        line.append(f"/{t.max_leverage}x", pal.muted)
        line.append(" │ Cursor ", pal.muted)
        line.append(format_price(t.cursor) if t.cursor is not None else "-", pal.accent)
        if width >= 76:
            line.append(" │ Margin step ", pal.muted)
            line.append(format_cash(t.margin_step, places=0), pal.muted)
        return [line]


class OrderTicket(Horizontal):
    def compose(self) -> ComposeResult:
        yield TicketLine(id="ticket-line")
        for ident, label in (("buy", "▲ Buy"), ("sell", "▼ Sell"), ("close", "× Close")):
            button = Button(label, id=ident, compact=True)
            button.can_focus = False
            yield button
