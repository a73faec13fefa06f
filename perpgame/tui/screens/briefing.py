"""The briefing: the lesson, how to win and lose, the clock, and what the player starts with."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Footer, Static

from perpgame.level import Level
from perpgame.level.schema import GAME_SPEEDS
from perpgame.session.debrief import crowd_name
from perpgame.session.numbers import format_cash, format_coin, format_pct, format_price
from perpgame.session.policy_pick import choices
from perpgame.session.rules import rule
from perpgame.tui import messages
from perpgame.tui.text import (
    MUTED,
    difficulty_text,
    goals_text,
    lesson_text,
    seconds_clock,
    stars_list,
)

CROWD_NOTES = {
    "market_maker": "quote both sides of the book",
    "noise": "trade at random",
    "momentum": "chase the trend",
    "whale": "move the market in size",
    "arbitrageur": "pull the mark back to the index",
    "dip_buyer": "bring fresh cash when it falls",
    "degenerate": "high leverage, first to go",
}


KEYS_TIP = Content.assemble(
    ("In the game: ", MUTED),
    ("v", "bold"),
    (" Chart and Waterfall (small screens) · ", MUTED),
    ("w", "bold"),
    (" why? · ", MUTED),
    ("?", "bold"),
    (" all keys", MUTED),
)
"""What the briefing tells every player about the keys that open the teaching panels."""


def speed_cap(level: Level) -> str:
    """`` · plays at most 5x: act in time`` for a timing level (``meta.max_speed``), else ``""``."""
    fastest = level.meta.max_speed
    return f" · plays at most {fastest}x: act in time" if fastest < GAME_SPEEDS[-1] else ""


class KeyButton(Button):
    """A button for the mouse; the keyboard uses the screen's keys (shown on the button)."""

    can_focus = False

    def __init__(self, label: str, key: str, *, id: str, variant: str = "default") -> None:
        super().__init__(
            Content.assemble(label, (f" {key}", "dim")), id=id, variant=variant, compact=True
        )


def starting_text(level: Level) -> Content:
    """What the player holds at tick 0, and the market they walk into."""
    m, p, v = level.market, level.player, level.vault
    lines: list[Content] = [Content.styled("You start with", "bold")]
    if level.player_is_vault:
        lines.append(Content(f"  You ARE the backstop vault: {format_cash(v.cash)} cash"))
        lines.append(Content(f"  Vault leverage up to {v.leverage}x"))
    else:
        lines.append(Content(f"  {format_cash(p.cash)} cash"))
        lines.append(Content(f"  Leverage setting {p.leverage}x (at most {p.max_leverage}x)"))
        if p.position:
            side = "long" if p.position > 0 else "short"
            lines.append(
                Content(
                    f"  {side} {format_coin(abs(p.position))} coin "
                    f"from {format_price(p.entry or m.start_price)}"
                )
            )
        else:
            lines.append(Content("  No position yet"))
    lines.append(Content(""))
    lines.append(Content.styled("The market", "bold"))
    lines.append(Content(f"  {m.symbol} at {format_price(m.start_price)}"))
    lines.append(
        Content(
            f"  Maintenance margin {format_pct(m.maintenance)}, "
            f"taker fee {format_pct(m.taker_fee, 3)}"
        )
    )
    fixed = rule(m.waterfall.adl_policy)
    adl = "yours to pick on Play" if choices(level) else f"{fixed.title} ({fixed.venue})"
    lines.append(Content(f"  Vault {format_cash(v.cash)}; ADL: {adl}"))
    counts: dict[str, int] = {}
    for pop in level.traders:
        counts[pop.archetype] = counts.get(pop.archetype, 0) + pop.count
    if counts:
        lines.append(Content(""))
        lines.append(Content.styled("The crowd", "bold"))
        lines += [
            Content.assemble(
                f"  {crowd_name(archetype, n)}",
                (
                    f": {CROWD_NOTES[archetype]}" if archetype in CROWD_NOTES else "",
                    MUTED,
                ),
            )
            for archetype, n in counts.items()
        ]
    return Content("\n").join(lines)


class BriefingScreen(Screen[None]):
    """Read before you play: Enter starts the level."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "play", "Play"),
        Binding("escape", "back", "Back"),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self, level: Level) -> None:
        super().__init__()
        self.level = level

    def compose(self) -> ComposeResult:
        level = self.level
        order = f"Lesson {level.meta.order}" if level.meta.order else "Extra level"
        with Vertical(id="briefing-page"):
            yield Static(
                Content.assemble(
                    (level.title, "bold"),
                    (f"   {order} · ", MUTED),
                    difficulty_text(level),
                    (f" · {seconds_clock(level.objectives.time_limit_ms)}", MUTED),
                    (speed_cap(level), MUTED),
                ),
                id="briefing-heading",
                classes="page-heading",
            )
            with VerticalScroll(id="briefing-body"):
                yield Static(lesson_text(level), id="briefing-lesson")
                yield Static(starting_text(level), id="briefing-start")
            with Horizontal(id="briefing-facts"):  # never scrolled away: every star shows
                yield Static(goals_text(level), id="briefing-objectives")
                yield Static(stars_list(level), id="briefing-stars")
            yield Static(KEYS_TIP, id="briefing-keys")
            with Horizontal(classes="button-row"):
                yield KeyButton("▶ Play", "enter", id="play", variant="success")
                yield KeyButton("Back", "esc", id="back")
        yield Footer()

    @on(Button.Pressed, "#play")
    def action_play(self) -> None:
        self.app.post_message(messages.PlayLevel(self.level))

    @on(Button.Pressed, "#back")
    def action_back(self) -> None:
        self.app.pop_screen()

    def action_help(self) -> None:
        self.app.post_message(messages.ShowHelp())
