"""Narrator: the lesson's voice and one plain sentence for each event that touched the player.

The newest line is at the bottom, in bold. When the player asks *why?*, the explanation takes
the top line, marked ``WHY?``, until it is dismissed.
"""

from __future__ import annotations

from rich.text import Text

from perpgame.session.frame import Frame
from perpgame.tui.widgets.base import LinePanel


class Narrator(LinePanel):
    PANEL_TITLE = "Narrator"

    def __init__(self, *, lesson: str = "", id: str | None = None, classes: str | None = None):
        super().__init__(id=id, classes=classes)
        self.lesson = " ".join(lesson.split())
        self.why: str | None = None

    def explain(self, why: str | None) -> None:
        self.why = why
        self.rebuild()

    def build(self, width: int, height: int) -> list[Text]:
        snap: Frame = self.data
        pal = self.pal
        console = self.app.console
        out: list[Text] = []
        room = height
        if self.why:
            why = Text("WHY? ", pal.accent + pal.cursor)
            why.append(" " + self.why, pal.accent)
            wrapped = list(why.wrap(console, width))
            keep = wrapped[: max(1, height - 1)] if height > 1 else wrapped[:1]
            out.extend(keep)
            room -= len(keep)
        voices = ([self.lesson] if self.lesson else []) + list(snap.narration)
        body: list[Text] = []
        for i, sentence in enumerate(reversed(voices)):
            newest = i == 0
            text = Text("› " + sentence, pal.strong if newest else pal.muted)
            lines = list(text.wrap(console, width))
            if len(body) + len(lines) > room:
                if newest and room > 0:  # the newest always shows, cut short if it must be
                    lines = lines[:room]
                    last = lines[-1]
                    last.truncate(max(1, width - 1))
                    last.append("…")
                    body = lines
                break
            body[0:0] = lines
        out.extend(body)
        return out
