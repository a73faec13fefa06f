"""The top line: the level, play state and speed, the clock and the prices.

When the Objectives panel is hidden (a small terminal) the status bar carries the goals too.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text

from perpgame.session.frame import Frame
from perpgame.session.numbers import format_price, format_rate
from perpgame.tui.widgets.base import LinePanel, clock, fit
from perpgame.tui.widgets.objectives import goal_mark


@dataclass(frozen=True, slots=True)
class Status:
    snapshot: Frame
    speed: int
    paused: bool
    goals: bool
    """Show the goals here (the Objectives panel is hidden)."""


class StatusBar(LinePanel):
    def build(self, width: int, height: int) -> list[Text]:
        status: Status = self.data
        snap = status.snapshot
        pal = self.pal
        line = Text()
        if snap.status == "won":
            line.append(f" WON {'★' * snap.stars}{'☆' * (3 - snap.stars)} ", pal.gain + pal.cursor)
        elif snap.status == "lost":
            line.append(" LOST ", pal.loss + pal.cursor)
        elif status.paused:
            line.append(" ‖ PAUSED ", pal.warn + pal.cursor)
        else:
            line.append(f" ▶ {status.speed}x ", pal.book + pal.cursor)
        line.append(" ")
        if not status.goals:
            line.append(snap.title, pal.strong)
            line.append(" │ ", pal.muted)
        line.append("time ", pal.muted)
        line.append(f"{clock(snap.seconds)}/{clock(snap.time_limit)}", pal.strong)
        line.append(" │ ", pal.muted)
        prices = Text()
        prices.append("mark ", pal.muted)
        prices.append(format_price(snap.mark), pal.mark)
        if not status.goals or width >= 100:
            prices.append(" idx ", pal.muted)
            prices.append(format_price(snap.index), pal.index)
        if snap.funding_rate_ppm and width >= 110:
            prices.append(" fund ", pal.muted)
            prices.append(format_rate(snap.funding_rate_ppm), pal.muted)
        if status.goals:
            room = width - line.cell_len - prices.cell_len - 4
            goals = [g for g in snap.goals if g.kind != "star"]
            stars = [g for g in snap.goals if g.kind == "star"]
            text = " ".join(f"{goal_mark(g)} {g.text}" for g in goals)
            if stars:
                text += " " + "".join(goal_mark(g) for g in stars)
            if room > 8:
                line.append(fit(text, room), pal.accent)
                line.append(" │ ", pal.muted)
        line.append_text(prices)
        tick = f"  tick {snap.tick}"
        if line.cell_len + len(tick) <= width:
            line.append(tick, pal.muted)
        return [line]
