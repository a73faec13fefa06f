"""Level select: the curriculum in order, what is locked, the stars earned; Enter opens a briefing.

Also the small helpers every screen uses to show a level the same way (stars, difficulty, clock).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from perpgame.level import Level
from perpgame.session.fmt import format_cash

if TYPE_CHECKING:
    from perpgame.tui.app import PerpGameApp


# ---------------------------------------------------------------------------------- shared helpers
def clock(tick: int, tick_ms: int) -> str:
    """Game time of ``tick`` as ``m:ss``."""
    seconds = tick * tick_ms // 1000
    return f"{seconds // 60}:{seconds % 60:02d}"


def seconds_clock(ms: int) -> str:
    seconds = ms // 1000
    return f"{seconds // 60}:{seconds % 60:02d}"


def stars_text(stars: int, *, out_of: int = 3, muted: bool = False) -> Content:
    """``★★☆``: filled stars earned, hollow ones not (readable without colour)."""
    filled = "★" * max(0, min(stars, out_of))
    empty = "☆" * (out_of - len(filled))
    return Content.assemble((filled, "$text-warning bold"), (empty, "$text-muted" if muted else ""))


def difficulty_text(level: Level) -> Content:
    n = level.meta.difficulty
    return Content.assemble(("●" * n, "$text-accent"), ("○" * (5 - n), "$text-muted"))


def lesson_text(level: Level) -> str:
    """The lesson as paragraphs: single line breaks in the file are joined, blank lines kept."""
    paragraphs = [" ".join(p.split()) for p in level.meta.lesson.strip().split("\n\n")]
    return "\n\n".join(p for p in paragraphs if p)


def signed_cash(amount: int) -> str:
    return ("+" if amount > 0 else "") + format_cash(amount)


# ---------------------------------------------------------------------------------- the screen
class LevelsScreen(Screen[None]):
    """Every level of the curriculum, in order."""

    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("q", "app.quit", "Quit"),
    ]

    app: PerpGameApp

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
        self.list.focus()

    def on_screen_resume(self) -> None:
        self.refresh_levels()

    def refresh_levels(self) -> None:
        app = self.app
        levels = app.levels
        done = app.store.profile().completed
        ids = app.curriculum_ids()
        finished = sum(1 for i in ids if i in done)
        stars = sum(done[i].stars for i in ids if i in done)
        self.heading.update(
            Content.assemble(
                ("Levels", "bold"),
                (f"   {finished} of {len(ids)} done · ", "$text-muted"),
                (f"{stars}/{3 * len(ids)} ★", "$text-muted"),
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
            if level.id not in done and self.app.is_unlocked(level):
                return i
        return 0

    def _option(self, level: Level, done: dict[str, Any], width: int) -> Option:
        app = self.app
        unlocked = app.is_unlocked(level)
        record = done.get(level.id)
        order = f"{level.meta.order:>2}" if level.meta.order else " ·"
        title = level.title if len(level.title) <= width else level.title[: width - 1] + "…"
        if not unlocked:
            status: Content = Content.styled("locked", "$text-muted")
        elif record is None:
            status = stars_text(0, muted=True)
        else:
            status = stars_text(record.stars)
        head = Content.assemble(
            (f"{order}  ", "$text-muted" if not unlocked else "bold"),
            (f"{title:<{width}}", "$text-muted" if not unlocked else "bold"),
            "  ",
            difficulty_text(level),
            "  ",
            status,
        )
        summary = level.meta.summary or level.title
        if not unlocked:
            summary = f"Finish {self._previous_title(level)} to open this level."
        return Option(
            Content.assemble(head, "\n", (f"    {summary}", "$text-muted")),
            id=level.id,
        )

    def _previous_title(self, level: Level) -> str:
        ids = self.app.curriculum_ids()
        i = ids.index(level.id) if level.id in ids else 0
        before = self.app.find(ids[i - 1]) if i > 0 else None
        return f"{before.meta.order}. {before.title}" if before else "the level before"

    def _show(self, level: Level) -> None:
        app = self.app
        record = app.store.profile().completed.get(level.id)
        o = level.objectives
        lines: list[Content | str] = [
            Content.styled(level.title, "bold"),
            Content.assemble(
                (f"Lesson {level.meta.order} · " if level.meta.order else "Extra · ", "$text-muted"),
                difficulty_text(level),
                (f" · {seconds_clock(o.time_limit_ms)} on the clock", "$text-muted"),
            ),
            "",
            lesson_text(level),
            "",
        ]
        if record is not None:
            lines.append(
                Content.assemble(
                    "Best: ",
                    stars_text(record.stars),
                    f"  PnL {signed_cash(record.best_pnl)}  ·  played {record.plays}×",
                )
            )
        elif not app.is_unlocked(level):
            lines.append(
                Content.styled(f"Locked: finish {self._previous_title(level)} first.", "$text-muted")
            )
        else:
            lines.append(Content.styled("Not played yet. Enter: read the briefing.", "$text-muted"))
        self.detail.update(Content("\n").join(Content(x) if isinstance(x, str) else x for x in lines))

    @on(OptionList.OptionHighlighted, "#level-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        level = self.app.find(event.option.id or "")
        if level is not None:
            self._show(level)

    @on(OptionList.OptionSelected, "#level-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        level = self.app.find(event.option.id or "")
        if level is None:
            return
        if not self.app.is_unlocked(level):
            self.app.notify(
                f"Finish {self._previous_title(level)} first.", title="Locked", severity="warning"
            )
            return
        self.app.open_briefing(level)

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_help(self) -> None:
        self.app.show_help()
