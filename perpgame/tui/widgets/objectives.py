"""Objectives with the clock: how long is left, and each goal ticked off as it is met.

``☐``/``☑`` for what wins the level, ``×`` for what loses it, ``☆ star:``/``★ star:`` for the
stars (``★``: on track now).
"""

from __future__ import annotations

from rich.text import Text

from perpgame.session.frame import Frame, Goal
from perpgame.tui.widgets.base import LinePanel, clock, fit, gauge
from perpgame.tui.widgets.palette import Palette


def goal_mark(goal: Goal) -> str:
    if goal.kind == "win":
        return "☑" if goal.done else "☐"
    if goal.kind == "lose":
        return "×"
    return "★" if goal.done else "☆"


def clock_line(snap: Frame, pal: Palette, width: int) -> Text:
    """``Time 0:24 / 16:40`` and a gauge of the time gone, filling ``width``."""
    line = Text("Time ", pal.muted)
    line.append(f"{clock(snap.seconds)} / {clock(snap.time_limit)} ", pal.strong)
    fraction = snap.seconds / snap.time_limit if snap.time_limit else 0
    line.append_text(gauge(fraction, max(4, width - line.cell_len), pal.book, pal.muted))
    return line


class Objectives(LinePanel):
    PANEL_TITLE = "Objectives"

    def build(self, width: int, height: int) -> list[Text]:
        snap: Frame = self.data
        pal = self.pal
        lines = [clock_line(snap, pal, width)]
        console = self.app.console
        wrapped_total = sum(
            len(Text(f"{goal_mark(g)} avoid: {g.text}").wrap(console, width)) for g in snap.goals
        )
        wrap = 1 + wrapped_total <= height  # room to show every goal whole
        for goal in snap.goals:
            if goal.done:
                style = pal.loss if goal.kind == "lose" else pal.gain
            else:
                style = pal.muted if goal.kind == "star" else pal.strong
            prefix = {"lose": "FAILED: " if goal.done else "avoid: ", "star": "star: "}.get(
                goal.kind, ""
            )
            text = f"{goal_mark(goal)} {prefix}{goal.text}"
            if wrap:
                lines.extend(Text(text, style).wrap(console, width))
            else:
                lines.append(Text(fit(text, width), style))
        if len(lines) > height >= 2:
            # never drop goals silently: say how many more there are
            hidden = len(snap.goals) - sum(
                1 for ln in lines[1 : height - 1] if ln.plain[:1] in "☑☐×★☆"
            )
            lines = [*lines[: height - 1], Text(f"… {hidden} more goals", pal.muted)]
        return lines[:height]
