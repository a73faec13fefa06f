"""The Pile: all the cash in the market, which only deposits and withdrawals change.

The total, split by who holds it (the player, each trader group, the vault, the house); long and
short open interest, always equal; the cash that moved this tick and between whom; and a
created/destroyed meter whose needle stays in the middle, because perps only move cash around.
"""

from __future__ import annotations

from rich.text import Text

from perpgame.session.frame import Frame, PileShare
from perpgame.session.numbers import CASH_SCALE, format_cash, format_coin
from perpgame.tui.widgets.base import LinePanel, bar, fit, group_name, signed_cash


class PilePanel(LinePanel):
    PANEL_TITLE = "The Pile"

    def build(self, width: int, height: int) -> list[Text]:
        snap: Frame = self.data
        pile = snap.pile
        pal = self.pal
        lines: list[Text] = []

        line = Text("Total ", pal.muted)
        line.append(format_cash(pile.total), pal.strong)
        line.append("  only deposits change it" if width >= 40 else "  deposits only", pal.muted)
        lines.append(line)

        line = Text("Created/destroyed ", pal.muted)
        needle_w = max(5, min(15, width - 18 - 10)) | 1
        half = needle_w // 2
        offset = 0 if pile.created == 0 else (half if pile.created > 0 else -half)
        meter = ["─"] * needle_w
        meter[half + offset] = "●"
        line.append("◀" + "".join(meter) + "▶ ", pal.muted)
        line.append(signed_cash(pile.created), pal.gain if pile.created == 0 else pal.loss)
        lines.append(line)

        ok = pile.long_oi == pile.short_oi
        line = Text("Long OI ", pal.muted)
        line.append(format_coin(pile.long_oi), pal.bid)
        line.append(" = " if ok else " ≠ ", pal.strong)
        line.append("short OI ", pal.muted)
        line.append(format_coin(pile.short_oi), pal.ask)
        line.append(
            "  ✓" if pile.law_ok else "  × LAW BROKEN", pal.muted if pile.law_ok else pal.loss
        )
        lines.append(line)

        lines.extend(self._moved(pile.shares, width, two_lines=height >= 12))

        shares = pile.shares
        room = height - len(lines)
        if room <= 0:
            return lines[:height]
        total = max(1, pile.total)
        columns = 2 if len(shares) > room and width >= 44 else 1
        col_w = width if columns == 1 else (width - 1) // 2
        cells = [self._share(s, total, col_w, columns == 1) for s in shares]
        rows = min(room, -(-len(cells) // columns))
        capacity = rows * columns
        if len(cells) > capacity:
            hidden = len(cells) - capacity + 1
            cells = [*cells[: capacity - 1], Text(f"… {hidden} more groups", pal.muted)]
        for r in range(rows):
            line = Text()
            for c in range(columns):
                i = c * rows + r
                if i >= len(cells):
                    break
                if c:
                    line.pad_right(max(0, col_w + 1 - line.cell_len))
                line.append_text(cells[i])
            lines.append(line)
        return lines[:height]

    def _share(self, share: PileShare, total: int, width: int, wide: bool) -> Text:
        pal = self.pal
        style = pal.you if share.group == "player" else pal.strong
        amount = format_cash(share.equity, places=0 if not wide or share.equity >= 10**14 else 2)
        pct = share.equity * 1000 // total
        if wide:
            pct_text = f"{pct / 10:5.1f}%"
            name_w = max(6, min(14, width - 14 - len(pct_text) - 4))
            amount = amount.rjust(14)
        else:  # two columns: whole dollars and whole percents
            pct_text = f"{pct // 10:3d}%"
            amount = amount.rjust(max(len(amount), 10))
            name_w = max(3, width - len(amount) - len(pct_text) - 1)
        line = Text(fit(group_name(share.group), name_w).ljust(name_w), style)
        line.append(amount)
        line.append(" " + pct_text, pal.muted)
        if wide:
            bar_w = max(0, width - line.cell_len - 1)
            if bar_w:
                line.append(" " + bar(pct / 1000, bar_w).rstrip(), pal.index)
        return line

    def _moved(self, shares: tuple[PileShare, ...], width: int, two_lines: bool) -> list[Text]:
        """Who lost cash this tick and who gained it (largest first)."""
        pal = self.pal
        losers = sorted((s for s in shares if s.change < 0), key=lambda s: s.change)
        gainers = sorted((s for s in shares if s.change > 0), key=lambda s: -s.change)
        if not losers and not gainers:
            return [Text("Moved this tick: nothing", pal.muted)]

        def names(group: list[PileShare], style, line: Text, short: bool = False) -> Text:
            for i, s in enumerate(group):
                name = fit(group_name(s.group), 10) if short else group_name(s.group)
                whole = short and abs(s.change) >= 1_000 * CASH_SCALE
                cash = signed_cash(s.change, places=0 if whole else 2)
                piece = f"{', ' if i else ''}{name} {cash}"
                if line.cell_len + len(piece) > width - (2 if i < len(group) - 1 else 0):
                    line.append(" …", pal.muted)
                    break
                line.append(piece, style)
            return line

        if two_lines:
            out = [Text("Moved this tick", pal.muted)]
            out.append(names(losers, pal.loss, Text(" from ", pal.muted)))
            out.append(names(gainers, pal.gain, Text("   to ", pal.muted)))
            return out
        line = Text("Moved ", pal.muted)
        names(losers[:1], pal.loss, line, short=True)
        line.append(" → ", pal.strong)
        names(gainers[:1], pal.gain, line, short=True)
        return [line]
