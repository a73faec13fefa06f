"""Level select: the curriculum in order, what is locked, the stars earned; Enter opens a briefing."""

from __future__ import annotations

import textwrap
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from perpgame.level import Level
from perpgame.tui import messages
from perpgame.tui.campaign import Campaign
from perpgame.tui.text import (
    MUTED,
    difficulty_text,
    lesson_text,
    objectives_text,
    seconds_clock,
    signed_cash,
    stars_text,
)

# ---------------------------------------------------------------------------------- the screen
TALL = 32
"""From this many rows the list leaves a blank line between levels."""
WIDE = 100
"""From this many columns the selected level's details show beside the list (the app's -wide)."""
DETAIL_WIDTH = 44
"""The details panel's width (``#level-detail`` in the stylesheet)."""


class LevelsScreen(Screen[None]):
    """Every level of the curriculum, in order."""

    AUTO_FOCUS = "#level-list"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Briefing", priority=True),
        Binding("escape", "back", "Back"),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("q", "app.quit", "Quit"),
    ]

    _layout: tuple[bool, int] = (False, 0)
    """(tall, list width) the options were last laid out for."""

    def __init__(self, campaign: Campaign) -> None:
        super().__init__()
        self.campaign = campaign

    def compose(self) -> ComposeResult:
        with Vertical(id="levels-page"):
            self.heading = Static(id="levels-heading", classes="page-heading")
            yield self.heading
            with Horizontal(id="levels-main"):
                self.list = OptionList(id="level-list")
                yield self.list
                with VerticalScroll(id="level-detail"):
                    self.detail = Static(id="level-detail-text")
                    yield self.detail
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_levels()

    def on_screen_resume(self) -> None:
        self.refresh_levels()

    def on_resize(self) -> None:
        if self._measure() != self._layout:
            self.refresh_levels()

    def _measure(self) -> tuple[bool, int]:
        size = self.app.size
        detail = DETAIL_WIDTH if size.width >= WIDE else 0
        return size.height >= TALL, max(20, size.width - detail - 4)

    def refresh_levels(self) -> None:
        campaign = self.campaign
        self._layout = self._measure()
        levels = campaign.levels
        done = campaign.store.profile().completed
        won, total, stars = campaign.tally()
        self.heading.update(
            Content.assemble(
                ("Levels", "bold"), (f"   {won} of {total} done · {stars}/{3 * total} ★", MUTED)
            )
        )
        width = max((len(lv.title) for lv in levels), default=10)
        width = min(max(width, 16), 34)
        keep = self.list.highlighted
        self.list.set_options(self._option(lv, done, width) for lv in levels)
        if not levels:
            self.detail.update("No levels found. Check the levels folder.")
            return
        if keep is None:
            keep = self._default_index(levels, done)
        self.list.highlighted = min(keep, len(levels) - 1)
        self._show(levels[self.list.highlighted])

    def _default_index(self, levels: list[Level], done: dict[str, Any]) -> int:
        for i, level in enumerate(levels):
            if level.id not in done and self.campaign.is_unlocked(level):
                return i
        return 0

    def _option(self, level: Level, done: dict[str, Any], width: int) -> Option:
        campaign = self.campaign
        unlocked = campaign.is_unlocked(level)
        record = done.get(level.id)
        order = f"{level.meta.order:>2}" if level.meta.order else " ·"
        title = level.title if len(level.title) <= width else level.title[: width - 1] + "…"
        if not unlocked:
            status: Content = Content.styled("locked", MUTED)
        elif record is None:
            status = stars_text(0, muted=True)
        else:
            status = stars_text(record.stars)
        head = Content.assemble(
            (f"{order}  ", MUTED if not unlocked else "bold"),
            (f"{title:<{width}}", MUTED if not unlocked else "bold"),
            "  ",
            difficulty_text(level),
            "  ",
            status,
        )
        summary = level.meta.summary or level.title
        if not unlocked:
            summary = self.campaign.unlock_hint(level)
        tall, room = self._layout
        lines = textwrap.wrap(summary, room - 4) or [""]
        text = "\n".join(f"    {line}" for line in lines)
        return Option(
            Content.assemble(head, "\n", (text, MUTED), "\n" if tall else ""), id=level.id
        )

    def _show(self, level: Level) -> None:
        campaign = self.campaign
        profile = campaign.store.profile()
        record = profile.progress(level.id)
        won = profile.is_completed(level.id)
        o = level.objectives
        lines: list[Content | str] = [
            Content.styled(level.title, "bold"),
            Content.assemble(
                (
                    f"Lesson {level.meta.order} · " if level.meta.order else "Extra · ",
                    MUTED,
                ),
                difficulty_text(level),
                (f" · {seconds_clock(o.time_limit_ms)} on the clock", MUTED),
            ),
            "",
            lesson_text(level),
            "",
            objectives_text(level),
            "",
        ]
        if record is not None:
            lines.append(
                Content.assemble(
                    ("Best: ", "bold"),
                    stars_text(record.stars) if won else Content("not won yet"),
                    f"  PnL {signed_cash(record.best_pnl)}  ·  played {record.plays}×",
                )
            )
        elif not campaign.is_unlocked(level):
            lines.append(Content.styled(f"Locked. {self.campaign.unlock_hint(level)}", MUTED))
        else:
            lines.append(Content.styled("Not played yet. Enter: read the briefing.", MUTED))
        self.detail.update(
            Content("\n").join(Content(x) if isinstance(x, str) else x for x in lines)
        )

    @on(OptionList.OptionHighlighted, "#level-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        level = self.campaign.find(event.option.id or "")
        if level is not None:
            self._show(level)

    @on(OptionList.OptionSelected, "#level-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._open(event.option.id)

    def action_open(self) -> None:
        option = self.list.highlighted_option
        if option is not None:
            self._open(option.id)

    def _open(self, level_id: str | None) -> None:
        level = self.campaign.find(level_id or "")
        if level is None:
            return
        self.app.post_message(messages.OpenBriefing(level))

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_help(self) -> None:
        self.app.post_message(messages.ShowHelp())
