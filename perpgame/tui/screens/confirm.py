"""One modal question with a few answers, each a key and a button: quit a level? take over a demo?

``Confirm`` is the dialog; ``QuitConfirm`` and ``TakeOver`` are its two questions (their keys,
buttons and words). A question dismisses with the value of the answer chosen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Generic, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

AnswerT = TypeVar("AnswerT")


@dataclass(frozen=True)
class Answer(Generic[AnswerT]):
    """One answer: its button (label, id, variant) and what the dialog dismisses with."""

    value: AnswerT
    label: str
    id: str
    variant: str = "default"


class Confirm(ModalScreen[AnswerT]):
    """A question in a box: the text, then a row of buttons; the keys are the subclass's BINDINGS
    (``answer(value)``). ``kind`` names the box and the text (``#quit-box``, ``#quit-text``)."""

    def __init__(
        self, kind: str, title: str, text: str | Text, answers: Sequence[Answer[AnswerT]]
    ) -> None:
        super().__init__()
        self.kind = kind
        self.title_text = title
        self.text = text
        self.answers = tuple(answers)

    def compose(self) -> ComposeResult:
        box = Vertical(id=f"{self.kind}-box")
        box.border_title = self.title_text
        with box:
            yield Static(self.text, id=f"{self.kind}-text", classes="confirm-text")
            with Horizontal():
                for answer in self.answers:
                    yield Button(answer.label, id=answer.id, variant=answer.variant)  # type: ignore[arg-type]

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        for answer in self.answers:
            if answer.id == event.button.id:
                self.dismiss(answer.value)

    def action_answer(self, value: AnswerT) -> None:
        self.dismiss(value)


class QuitConfirm(Confirm[bool]):
    """Asked before leaving a level still being played: True to quit (kept for resuming)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Quit"),
        Binding("n,escape", "answer(False)", "Keep playing"),
    ]

    AUTO_FOCUS = "#stay"

    def __init__(self, message: str = "") -> None:
        text = message or (
            "The level is still running. If you quit now it is kept, so you can resume it later."
        )
        answers = (
            Answer(True, "Quit (y)", "quit", "error"),
            Answer(False, "Keep playing (n)", "stay", "primary"),
        )
        super().__init__("quit", "Quit this level?", text, answers)


TAKE, WATCH, QUIT, RESTART = "take", "watch", "quit", "restart"
"""What ``TakeOver`` dismisses with."""


class TakeOver(Confirm[str]):
    """Asked when someone touches a demo: take over (y), keep watching (n) or quit (q)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,enter", f"answer('{TAKE}')", "Take over"),
        Binding("n,escape", f"answer('{WATCH}')", "Keep watching"),
        Binding("q", f"answer('{QUIT}')", "Quit"),
        Binding("r", f"answer('{RESTART}')", "Restart the level"),
    ]

    AUTO_FOCUS = ""

    def __init__(
        self,
        title: str = "Take over this game?",
        message: str = "",
        take: str = "play from here as yourself",
        late: str = "",
    ) -> None:
        """``late``: why taking over now may be too late to win (shown, and r restarts)."""
        self.late = late
        self.message = message or (
            "The autopilot has been trading this level. Take over and the game goes on from "
            "this very tick with you at the keys, paused and at 1x: from then on it is your "
            "game, saved and scored like any other."
        )
        self.take = take
        answers = (
            Answer(TAKE, "Take over (y)", TAKE, "success"),
            Answer(RESTART, "Restart (r)", RESTART),
            Answer(WATCH, "Watch (n)", WATCH, "primary"),
            Answer(QUIT, "Quit (q)", QUIT),
        )
        super().__init__("takeover", title, self._text(), answers)

    def _text(self) -> Text:
        text = Text(self.message + "\n\n")
        if self.late:
            text.append(self.late + "\n\n", "bold")
        choices = (
            ("y", self.take),
            ("r", "start this level from the beginning, as yourself"),
            ("n", "keep watching"),
            ("q", "quit"),
        )
        for key, what in choices:
            text.append(f" {key} ", "bold reverse")
            text.append(f"  {what}\n")
        text.rstrip()
        return text


__all__ = ["QUIT", "RESTART", "TAKE", "WATCH", "Answer", "Confirm", "QuitConfirm", "TakeOver"]
