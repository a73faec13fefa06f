"""Narrator: the lesson's voice and one plain sentence for each event that touched the player.

The newest line is at the bottom, in bold. Each line is stamped with the game clock of the
moment it was said: its numbers are of that moment, the panels above show the numbers of now. When the player asks *why?*, the explanation takes
the top line, marked ``WHY?``, until it is dismissed.
"""

from __future__ import annotations

from rich.text import Text

from perpgame.session.frame import Frame
from perpgame.tui.text import seconds_clock
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
        said = list(zip(snap.narration_ms, snap.narration, strict=False))
        if len(said) < len(snap.narration):  # a frame without the times: no stamps
            said = [(None, line) for line in snap.narration]
        voices = ([(None, self.lesson)] if self.lesson else []) + said
        body: list[Text] = []
        for i, (ms, sentence) in enumerate(reversed(voices)):
            newest = i == 0
            text = Text("› ", pal.strong if newest else pal.muted)
            if ms is not None:  # its numbers are of that moment: say which
                text.append(f"{seconds_clock(ms)} ", pal.muted)
            text.append(sentence, pal.strong if newest else pal.muted)
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
