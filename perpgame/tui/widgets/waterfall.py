"""Waterfall: where liquidations are going right now: 1 book -> 2 vault -> 3 ADL.

The stage in use is lit (``●`` and its colour), the deepest stage reached so far is marked, the
backstop vault's equity is a gauge against what it started with, and its cash and position follow.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

from perpgame.session.frame import Frame, WaterfallView
from perpgame.session.numbers import format_cash, format_coin, format_price
from perpgame.session.rules import rule
from perpgame.tui.widgets.base import LinePanel, fit, gauge

STAGES = (("book", "1 BOOK"), ("vault", "2 VAULT"), ("adl", "3 ADL"))
NOW = {
    "calm": "calm · no liquidations",
    "book": "the book takes liquidations",
    "vault": "the vault takes them over",
    "adl": "ADL closes winners",
}
_RANK = {"calm": 0, "book": 1, "vault": 2, "adl": 3}


class WaterfallPanel(LinePanel):
    PANEL_TITLE = "Waterfall"

    def build(self, width: int, height: int) -> list[Text]:
        snap: Frame = self.data
        w = snap.waterfall
        pal = self.pal
        styles = {"book": pal.book, "vault": pal.vault, "adl": pal.adl}
        lines = [
            self._stages(w, width, styles),
            self._now(w, width, styles),
            self._vault(w, width),
            self._cash(w, width),
            self._counts(w, width),
        ]
        if height > len(lines):
            named = rule(w.policy)
            text = f"ADL rule: {named.short}. {w.policy_text}"
            lines.append(Text(fit(text, width), pal.muted))
        return lines[:height]

    def _stages(self, w: WaterfallView, width: int, styles: dict[str, Style]) -> Text:
        """book ━▶ vault ━▶ ADL: the stage running now lit, the ones reached filled."""
        pal = self.pal
        line = Text()
        for i, (stage, label) in enumerate(STAGES):
            if i:
                line.append(" → " if width < 40 else " ━▶ ", pal.muted)
            if w.stage == stage:
                line.append(f"● {label}", styles[stage] + pal.cursor)
            elif _RANK[w.deepest] >= _RANK[stage]:
                line.append(f"◉ {label}", styles[stage])
            else:
                line.append(f"○ {label}", pal.muted)
        return line

    def _now(self, w: WaterfallView, width: int, styles: dict[str, Style]) -> Text:
        pal = self.pal
        line = Text("Now ", pal.muted)
        now = NOW.get(w.stage, w.stage)
        deepest = f" · deepest: {w.deepest}" if _RANK[w.deepest] > _RANK[w.stage] else ""
        if 4 + len(now) + len(deepest) > width:
            now = w.stage  # the short form, so the deepest stage still shows
        line.append(now, styles.get(w.stage, pal.muted))
        line.append(deepest, pal.muted)
        return line

    def _vault(self, w: WaterfallView, width: int) -> Text:
        """The gauge is the vault's equity against its start, and says so; its cash is another
        number (a vault holding a position has cash far from its equity)."""
        pal = self.pal
        line = Text("Vault equity ", pal.muted)
        start = max(1, w.vault_start)
        fraction = max(0, w.vault_equity) / start
        style = pal.gain if fraction >= 0.75 else pal.warn if fraction >= 0.35 else pal.loss
        amount = f" {format_cash(w.vault_equity, places=0)}"
        of = f" of {format_cash(w.vault_start, places=0)}"
        gauge_w = max(4, min(20, width - line.cell_len - len(amount) - len(of) - 1))
        line.append_text(gauge(fraction, gauge_w, style, pal.muted))
        line.append(amount, pal.strong)
        if line.cell_len + len(of) <= width:
            line.append(of, pal.muted)
        return line

    def _cash(self, w: WaterfallView, width: int) -> Text:
        pal = self.pal
        line = Text("Cash ", pal.muted)
        line.append(format_cash(w.vault_cash, places=0))
        if w.vault_size:
            side = "long" if w.vault_size > 0 else "short"
            holds = f" · holds {format_coin(abs(w.vault_size))} {side}"
            entry = f" @{format_price(w.vault_entry)}" if w.vault_entry else ""
            if line.cell_len + len(holds) + len(entry) <= width:
                holds += entry
            line.append(holds, pal.vault)
        else:
            line.append(" · no position", pal.muted)
        return line

    def _counts(self, w: WaterfallView, width: int) -> Text:
        pal = self.pal
        line = Text()
        line.append(f"Liq {w.liquidations}", pal.book)
        line.append(" · ", pal.muted)
        line.append(f"vault {w.backstops}", pal.vault)
        line.append(" · ", pal.muted)
        line.append(f"ADL {w.deleverages}", pal.adl)
        debt = format_cash(w.bad_debt, places=0)
        label = " · bad debt " if line.cell_len + 12 + len(debt) <= width else " · debt "
        line.append(label, pal.muted)
        line.append(debt, pal.loss if w.bad_debt else pal.muted)
        return line
