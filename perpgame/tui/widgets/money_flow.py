"""The debrief's money flow: each group's change in equity over the level, as bars."""

from __future__ import annotations

from typing import Any

from textual.content import Content
from textual.geometry import Size
from textual.widget import Widget

from perpgame.session import GameSession
from perpgame.session.debrief import money_moves
from perpgame.session.numbers import CASH_SCALE, format_cash
from perpgame.session.views import pinned_cents
from perpgame.tui.text import MUTED, money_style, signed_cash


def _is_you(move) -> bool:
    return move.group == "player" or move.label.endswith("(you)")


class MoneyFlow(Widget):
    """One bar per group: the change in its equity over the level, losses left, gains right.

    The amounts are rounded to cents so that they still add up to exactly zero (the total row),
    and where the level pays funding a last row says how much of the changes was funding.
    """

    def __init__(self, session: GameSession, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.moves = money_moves(session)
        self.funding_on = session.market.config.funding_interval > 0
        self.funding_paid = -sum(v for v in session.funding_by_group.values() if v < 0)
        self.player_funding = session.funding_by_group.get(
            "vault" if session.role == "vault" else "player", 0
        )

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.moves) + 2 + (1 if self.funding_on else 0)

    def render(self) -> Content:
        width = self.size.width
        label_w = min(max((len(m.label) for m in self.moves), default=4), 24)
        you = next((i for i, m in enumerate(self.moves) if _is_you(m)), None)
        shown = pinned_cents([m.change for m in self.moves], CASH_SCALE // 100, you)
        values = [signed_cash(v) for v in shown]
        total = signed_cash(sum(shown)).lstrip("+")
        value_w = max((len(v) for v in [*values, total]), default=4)
        half = max(3, min(24, (width - label_w - value_w - 3) // 2))
        biggest = max((abs(m.change) for m in self.moves), default=0) or 1
        rows: list[Content] = []
        for move, value in zip(self.moves, values, strict=True):
            n = 0 if move.change == 0 else max(1, round(abs(move.change) * half / biggest))
            label = move.label if len(move.label) <= label_w else move.label[: label_w - 1] + "…"
            left = ("█" * n).rjust(half) if move.change < 0 else " " * half
            right = ("█" * n).ljust(half) if move.change > 0 else " " * half
            you = _is_you(move)
            rows.append(
                Content.assemble(
                    (f"{label:>{label_w}} ", "bold" if you else ""),
                    (left, "$text-error"),
                    ("│", MUTED),
                    (right, "$text-success"),
                    (f" {value:>{value_w}}", money_style(move.change)),
                )
            )
        rows.append(Content.styled(" " * (label_w + 1) + "lost".rjust(half) + "│gained", MUTED))
        rows.append(
            Content.assemble(
                (f"{'total':>{label_w}} ", "bold"),
                (" " * (2 * half + 1), ""),
                (f" {total:>{value_w}}", "bold"),
            )
        )
        if self.funding_on:
            mine = signed_cash(self.player_funding)
            # one line (the widget is one row taller for it): cut to fit, never wrapped away
            line = (
                f"{'of which funding':>{label_w}} {format_cash(self.funding_paid)} "
                f"between longs and shorts; yours {mine}"
            )
            if len(line) > width:
                line = f"{'funding':>{label_w}} {format_cash(self.funding_paid)}; yours {mine}"
            rows.append(Content.styled(line, MUTED))
        return Content("\n").join(rows)
