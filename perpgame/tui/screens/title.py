"""The title screen: continue, levels, policy lab, demo, help, quit; and how far the player has
come."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from perpgame.tui import messages
from perpgame.tui.campaign import Campaign
from perpgame.tui.text import MUTED, clock, stars_text

LOGO = """\
█▀█ █▀▀ █▀█ █▀█   █▀▀ ▄▀█ █▀▄▀█ █▀▀
█▀▀ ██▄ █▀▄ █▀▀   █▄█ █▀█ █ ▀ █ ██▄"""

TAGLINE = "There is no coin. There is only a pile of cash."
PITCH = (
    "A perpetual-futures exchange moves that cash between traders by rules.\n"
    "Live through a crash from the inside: liquidations, the backstop vault, auto-deleveraging."
)


class TitleScreen(Screen[None]):
    """The first screen: where to go next, with the keys to get there."""

    AUTO_FOCUS = "#menu"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "Select", priority=True),
        Binding("c", "choose('continue')", "Continue"),
        Binding("l", "choose('levels')", "Levels"),
        Binding("p", "choose('lab')", "Lab"),
        Binding("d", "choose('demo')", "Demo"),
        Binding("question_mark", "choose('help')", "Help", key_display="?"),
        Binding("q", "choose('quit')", "Quit"),
    ]

    def __init__(self, campaign: Campaign) -> None:
        super().__init__()
        self.campaign = campaign

    def compose(self) -> ComposeResult:
        with Vertical(id="title-page"):
            yield Static(LOGO, id="logo")
            yield Static(TAGLINE, id="tagline")
            yield Static(PITCH, id="pitch")
            with Horizontal(id="title-main"):
                self.menu = OptionList(id="menu")
                yield self.menu
                self.progress_panel = Static(id="title-progress")
                yield self.progress_panel
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_menu()
        campaign = self.campaign
        for problem in campaign.level_problems[:3]:
            self.app.notify(problem, title="Level file", severity="warning", timeout=10)
        campaign.store.claim()  # another game on this saves folder is named in a notice
        self.app.post_message(messages.ShowSaveNotices())

    def on_screen_resume(self) -> None:
        self.refresh_menu()

    # ------------------------------------------------------------------ menu
    def refresh_menu(self) -> None:
        campaign = self.campaign
        highlighted = self.menu.highlighted_option.id if self.menu.highlighted_option else None
        entries = [("continue", "Continue", self._continue_detail())]
        entries.append(("levels", "Levels", self._levels_detail()))
        entries.append(("lab", "Lab", "the policy lab: any level under every ADL rule"))
        if campaign.demo_level() is not None:
            entries.append(("demo", "Demo", "the autopilot plays book, vault, ADL, the big one"))
        entries.append(("help", "Help", "the keys, and how the exchange works"))
        entries.append(("quit", "Quit", ""))
        self.menu.set_options(
            Option(
                Content.assemble((f"{label:<10}", "bold"), (detail, MUTED)),
                id=ident,
                disabled=ident == "continue" and not campaign.levels,
            )
            for ident, label, detail in entries
        )
        ids = [ident for ident, _, _ in entries]
        if highlighted in ids:
            self.menu.highlighted = ids.index(highlighted)
        else:
            self.menu.highlighted = 0 if campaign.levels else 1
        self.progress_panel.update(self._progress())

    def _continue_detail(self) -> str:
        campaign = self.campaign
        resume = campaign.store.load_resume()
        if resume is not None:
            level = campaign.find(resume.level_id)
            if level is None:
                return f"resume {resume.level_id} at tick {resume.tick}"
            return f"resume {level.title} at {clock(resume.tick, level.tick_ms)}"
        level = campaign.first_unfinished()
        if level is not None:
            return f"next: {level.meta.order}. {level.title}"
        return "every level is done: pick one to replay" if campaign.levels else "no levels found"

    def _levels_detail(self) -> str:
        won, total, stars = self.campaign.tally()
        return f"{won} of {total} done, {stars}/{3 * total} stars"

    def _progress(self) -> Content:
        campaign = self.campaign
        done = campaign.store.profile().completed
        lines: list[Content] = [Content.styled("The lessons", "bold")]
        ordered = [lv for lv in campaign.levels if lv.meta.order > 0]
        width = min(24, max((len(lv.title) for lv in ordered), default=0))
        for level in ordered:
            title = level.title if len(level.title) <= width else level.title[: width - 1] + "…"
            record = done.get(level.id)
            if record is not None:
                mark, style = "✓", "$success"
                tail = Content.assemble("  ", stars_text(record.stars))
            elif campaign.is_unlocked(level):
                mark, style, tail = "›", "$accent", Content("")
            else:
                mark, style, tail = "·", MUTED, Content("")
            lines.append(
                Content.assemble(
                    (f"{mark} ", style),
                    (f"{level.meta.order:>2}. {title:<{width}}", "" if record else style),
                    tail,
                )
            )
        return Content("\n").join(lines)

    # ---------------------------------------------------------------- actions
    @on(OptionList.OptionSelected, "#menu")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.action_choose(event.option.id)

    def action_select(self) -> None:
        option = self.menu.highlighted_option
        if option is not None and option.id and not option.disabled:
            self.action_choose(option.id)

    def action_choose(self, what: str) -> None:
        post = self.app.post_message
        if what == "continue":
            if self.campaign.levels:
                post(messages.ContinueGame())
        elif what == "levels":
            post(messages.OpenLevels())
        elif what == "lab":
            post(messages.OpenLab())
        elif what == "demo":
            post(messages.StartDemo())
        elif what == "help":
            post(messages.ShowHelp())
        elif what == "quit":
            self.app.exit(0)
