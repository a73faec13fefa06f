"""The policy lab from the title menu: pick any level, see who pays under every ADL rule.

The level is played headless under each policy with the game's seed and the same inputs: the
level's solution (``levels/solutions/<stem>.toml``) if it has one, else none (nobody trades for
you). The comparison is the debrief's (:class:`~perpgame.tui.screens.compare.CompareScreen`),
filled in by its background worker; Esc there comes back to this list.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from perpgame.level import Level, LevelError
from perpgame.session import PlayerInput
from perpgame.session.inputs import load_inputs, solution_path
from perpgame.tui.screens.compare import CompareScreen
from perpgame.tui.text import MUTED

INTRO = (
    "Pick a level. It is played in the background under every ADL rule, with the same seed and "
    "the same trades (the level's solution, else none), and each rule shows who paid."
)


def lab_inputs(level: Level) -> tuple[list[PlayerInput], str]:
    """The inputs the lab plays ``level`` with, and how to say so."""
    path = solution_path(level)
    if path is None:
        return [], "no trades of yours"
    try:
        return load_inputs(path), "its solution's trades"
    except LevelError:
        return [], "no trades of yours (its solution file does not load)"


class LabScreen(Screen[None]):
    """Every level, in curriculum order; Enter compares the ADL rules on the highlighted one."""

    AUTO_FOCUS = "#lab-levels"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Compare the rules", priority=True),
        Binding("escape", "back", "Back"),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self, levels: list[Level], seed: int) -> None:
        """``levels``: the ones to offer, in order; ``seed``: the one the game plays them with."""
        super().__init__()
        self.levels = levels
        self.seed = seed

    def compose(self) -> ComposeResult:
        with Vertical(id="lab-page"):
            yield Static(
                Content.styled("Policy lab: who pays under each ADL rule?", "bold"),
                classes="page-heading",
            )
            yield Static(INTRO, id="lab-intro")
            self.menu = OptionList(
                *(self._option(i, level) for i, level in enumerate(self.levels)),
                id="lab-levels",
            )
            yield self.menu
        yield Footer()

    @staticmethod
    def _option(index: int, level: Level) -> Option:
        order = f"{level.meta.order:>2}." if level.meta.order else " -."
        tail = "plays its solution" if solution_path(level) else "nobody trades for you"
        return Option(
            Content.assemble((f"{order} {level.title:<28}", "bold"), (tail, MUTED)), id=str(index)
        )

    @on(OptionList.OptionSelected, "#lab-levels")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.open(int(event.option.id or 0))

    def action_open(self) -> None:
        if self.menu.highlighted is not None:
            self.open(self.menu.highlighted)

    def open(self, index: int) -> None:
        """The comparison of every ADL rule on level ``index``, as the lab plays it."""
        level = self.levels[index]
        inputs, how = lab_inputs(level)
        seed = self.seed
        about = f"{level.title}, seed {seed}, {how}"
        self.app.push_screen(CompareScreen(game=(level, seed, inputs), about=about))

    def action_back(self) -> None:
        self.app.pop_screen()
