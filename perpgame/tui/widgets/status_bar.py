"""The top line: the level, play state and speed, the clock and the prices.

When the Objectives panel is hidden (a small terminal) the status bar carries the goals too: what
wins on the first line and, given a second line, the stars in words (which goal earns each, and
whether it is on track), so no star is a bare glyph.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text

from perpgame.session.frame import Frame
from perpgame.session.numbers import format_price, format_rate
from perpgame.tui.widgets.base import LinePanel, clock, fit_each
from perpgame.tui.widgets.objectives import goal_mark
from perpgame.tui.widgets.palette import Palette


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
        line.append_text(badge(status, pal))
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
        room = width - line.cell_len - prices.cell_len - 4
        if status.goals and room > 8:
            line.append(goals_text(snap, room, stars_below=height >= 2), pal.accent)
            line.append(" │ ", pal.muted)
        line.append_text(prices)
        tick = f"  tick {snap.tick}"
        if line.cell_len + len(tick) <= width:
            line.append(tick, pal.muted)
        if status.goals and height >= 2:
            return [line, stars_line(snap, pal, width)]
        return [line]


def goals_text(snap: Frame, room: int, *, stars_below: bool) -> str:
    """The goals in ``room`` cells: what wins and what loses, or only what wins when that is
    tight; every goal keeps its start (the longest is cut first). Without a stars line below,
    the star goals' marks follow."""
    goals = [g for g in snap.goals if g.kind != "star"]
    parts = [f"{goal_mark(g)} {g.text}" for g in goals]
    wins = [f"{goal_mark(g)} {g.text}" for g in goals if g.kind == "win"]
    if len(" ".join(parts)) > room and wins:
        parts = wins
    stars = [g for g in snap.goals if g.kind == "star"]
    if stars and not stars_below:
        parts.append("".join(goal_mark(g) for g in stars))
    return fit_each(parts, room)


def badge(status: Status, pal: Palette) -> Text:
    """`` ▶ 1x ``, `` ‖ PAUSED ``, `` WON ★★☆ `` or `` LOST ``, reversed."""
    snap = status.snapshot
    if snap.status == "won":
        return Text(f" WON {'★' * snap.stars}{'☆' * (3 - snap.stars)} ", pal.gain + pal.cursor)
    if snap.status == "lost":
        return Text(" LOST ", pal.loss + pal.cursor)
    if status.paused:
        return Text(" ‖ PAUSED ", pal.warn + pal.cursor)
    return Text(f" ▶ {status.speed}x ", pal.book + pal.cursor)


def stars_line(snap: Frame, pal: Palette, width: int) -> Text:
    """``Stars: ☆ win · ☆ End in profit · ★ Earn $800 of funding  (★ on track)``: each star
    the level awards, winning first, in words."""
    won = snap.status == "won"
    stars = [("★" if won else "☆", "win", won)]
    stars += [(goal_mark(g), g.text, g.done) for g in snap.goals if g.kind == "star"]
    line = Text(" Stars: ", pal.muted)
    for i, (mark, text, done) in enumerate(stars):
        if i:
            line.append(" · ", pal.muted)
        line.append(f"{mark} {text}", pal.gain if done else pal.strong)
    legends = {
        "playing": ("  (★ on track, ☆ not yet)", "  (★ on track)"),
        "won": ("  (★ earned, ☆ missed)", "  (★ earned)"),
    }
    for legend in legends.get(snap.status, ()):
        if line.cell_len + len(legend) <= width:
            line.append(legend, pal.muted)
            break
    return line
