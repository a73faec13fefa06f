"""Tape: the latest trades, newest on top, with the waterfall's events loud.

Each line starts with the game clock and a tag: ``▲``/``▼`` for a buy or sell, ``LIQ``, ``VAULT``
and ``ADL`` (reversed) for the waterfall's stages, ``YOU`` for the player's own fills.
"""

from __future__ import annotations

from rich.text import Text

from perpgame.session.frame import Frame
from perpgame.session.stories import Story
from perpgame.tui.widgets.base import LinePanel, clock

TAGS = {
    "liquidation": "LIQ",
    "backstop": "VAULT",
    "deleverage": "ADL",
    "bad_debt": "DEBT",
    "haircut": "CUT",
    "funding": "FUND",
    "order_rejected": "NO",
    "order_cancelled": "CXL",
    "note": "NOTE",
}


class Tape(LinePanel):
    PANEL_TITLE = "Tape"

    def __init__(self, *, tick_ms: int = 500, id: str | None = None, classes: str | None = None):
        super().__init__(id=id, classes=classes)
        self.tick_ms = tick_ms

    def build(self, width: int, height: int) -> list[Text]:
        snap: Frame = self.data
        if not snap.tape:
            return [Text("no trades yet", self.pal.muted)]
        out = []
        shown = ""
        for story in reversed(snap.tape[-height:]):
            when = clock(story.tick * self.tick_ms / 1000)
            out.append(self._line(story, snap.tick, "" if when == shown else when))
            shown = when
        return out

    def _line(self, story: Story, now: int, when: str) -> Text:
        pal = self.pal
        fresh = now - story.tick <= 2
        line = Text(when.rjust(5) + " ", pal.muted)
        if story.kind == "trade":
            selling = " sell by " in story.text
            side = pal.ask if selling else pal.bid
            if story.loud:
                line.append("LIQ ", pal.liq + pal.strong)
            else:
                line.append("▼ " if selling else "▲ ", side)
            line.append(story.text, side if fresh else None)
            return line
        if story.player and story.kind == "fill":
            line.append("◆ ", pal.you)
            line.append(story.text, pal.you if fresh else pal.strong)
            return line
        tag = TAGS.get(story.kind, story.kind.upper()[:5])
        if story.loud:
            style = {"backstop": pal.vault, "deleverage": pal.adl}.get(story.kind, pal.liq)
            line.append(f" {tag} ", style + pal.cursor)
            line.append(" " + story.text, style if fresh else pal.strong)
        else:
            line.append(f"{tag} ", pal.muted)
            line.append(story.text)
        return line
