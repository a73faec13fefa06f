"""Asked before leaving a level that is still being played: quit (kept for resuming) or stay."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class QuitConfirm(ModalScreen[bool]):
    """Dismisses with True to quit, False to keep playing."""

    DEFAULT_CSS = """
    QuitConfirm {
        align: center middle;
        background: $background 70%;
    }
    QuitConfirm > Vertical {
        width: 52;
        max-width: 100%;
        height: auto;
        border: thick $warning;
        border-title-style: bold;
        background: $surface;
        padding: 1 2;
    }
    QuitConfirm #quit-text { width: 100%; margin: 0 0 1 0; }
    QuitConfirm Horizontal { height: auto; align: center middle; }
    QuitConfirm Button { margin: 0 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Quit"),
        Binding("n,escape", "answer(False)", "Keep playing"),
    ]

    AUTO_FOCUS = "#stay"

    def __init__(self, message: str = "") -> None:
        super().__init__()
        self.message = message or (
            "The level is still running. If you quit now it is kept, so you can resume it later."
        )

    def compose(self) -> ComposeResult:
        box = Vertical(id="quit-box")
        box.border_title = "Quit this level?"
        with box:
            yield Static(self.message, id="quit-text")
            with Horizontal():
                yield Button("Quit (y)", id="quit", variant="error")
                yield Button("Keep playing (n)", id="stay", variant="primary")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "quit")

    def action_answer(self, quit_: bool) -> None:
        self.dismiss(quit_)
