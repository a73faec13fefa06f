"""Pick the ADL rule before the crash: the briefing's Play opens this in a level that offers it.

One option per rule the level lists (``market.waterfall.adl_choices``), named in plain words with
the venue it models; the highlighted rule's "who pays" is shown below the list. Enter dismisses
with the policy's name (the app then starts the game with the pick as the player's first input),
Esc with None (back to the briefing).
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from perpgame.level import Level
from perpgame.session.policy_pick import choices
from perpgame.session.rules import rule

TITLE_WIDTH = 40


class PolicyPickScreen(ModalScreen[str | None]):
    """Which rule decides who pays when the vault is empty? Dismisses with its name, or None."""

    AUTO_FOCUS = "#pick-list"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "pick", "Play with this rule", priority=True),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, level: Level) -> None:
        super().__init__()
        self.level = level
        self.rules = choices(level)

    def compose(self) -> ComposeResult:
        box = Vertical(id="pick-box")
        box.border_title = "Pick the ADL rule for the crash"
        box.border_subtitle = "↑↓ choose · Enter: play · Esc: back"
        with box:
            yield Static(
                "When the vault is empty, winners on the other side pay for the bankrupt. "
                "Which winners is the exchange's rule. Pick the one this exchange runs:",
                id="pick-intro",
            )
            yield OptionList(
                *(
                    Option(
                        Content.assemble((f"{r.title:<{TITLE_WIDTH}}", "bold"), (r.venue, "dim")),
                        id=r.name,
                    )
                    for r in self.rules
                ),
                id="pick-list",
            )
            yield Static(id="pick-words")

    def on_mount(self) -> None:
        menu = self.query_one("#pick-list", OptionList)
        names = [r.name for r in self.rules]
        current = self.level.market.waterfall.adl_policy
        menu.highlighted = names.index(current) if current in names else 0
        self._describe(menu.highlighted_option)

    @on(OptionList.OptionHighlighted, "#pick-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._describe(event.option)

    def _describe(self, option: Option | None) -> None:
        if option is None or option.id is None:
            return
        r = rule(option.id)
        default = (
            " (the level's own rule)" if r.name == self.level.market.waterfall.adl_policy else ""
        )
        self.query_one("#pick-words", Static).update(
            Content.assemble(r.words, (f"\nIn level files: {r.name}{default}", "dim"))
        )

    @on(OptionList.OptionSelected, "#pick-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_pick(self) -> None:
        option = self.query_one("#pick-list", OptionList).highlighted_option
        if option is not None:
            self.dismiss(option.id)

    def action_back(self) -> None:
        self.dismiss(None)
