"""Position: what the player holds and how close it is to liquidation and to ADL.

Size and side, entry, mark, unrealised PnL, equity, margin ratio as a bar (at 100% the position is
liquidated), leverage, the liquidation price and the distance to it, the ADL queue as five lights
with the rank, and the resting orders. Gains carry a ``+``, losses a ``-``, sides say LONG/SHORT.
"""

from __future__ import annotations

from rich.text import Text

from perpgame.session.frame import Frame, PositionView
from perpgame.session.numbers import BUY, PPM, format_cash, format_coin, format_pct, format_price
from perpgame.session.rules import queue_words
from perpgame.tui.widgets.base import LinePanel, fit, gauge, signed_cash


class PositionPanel(LinePanel):
    PANEL_TITLE = "Position"

    def __init__(self, *, base: str = "BTC", id: str | None = None, classes: str | None = None):
        super().__init__(id=id, classes=classes)
        self.base = base

    def build(self, width: int, height: int) -> list[Text]:
        snap: Frame = self.data
        p = snap.position
        pal = self.pal
        roomy = height >= 8
        lines: list[Text] = [self._side(p, width), self._mark(p), self._equity(p)]

        # 4. margin ratio bar
        lines.append(self._margin(p, width))

        # 5. liquidation and ADL
        line = self._liquidation(p, roomy)
        if roomy:
            lines.append(line)
            line = Text("ADL queue ", pal.muted)
            line.append_text(self._lights(p))
            lines.append(line)
            lines.insert(3, self._free(p, width))
            lines.append(self._orders(p, width))
            return lines[:height]
        line.append(" · ADL ", pal.muted)
        for with_rank in (True, False):  # "2/9 early out", else "early out" where it is narrow
            lights = self._lights(p, short=True, with_rank=with_rank)
            if line.cell_len + lights.cell_len <= width:
                break
        line.append_text(lights)
        lines.append(line)
        if height >= 6:
            lines.append(self._orders(p, width))
        return lines[:height]

    def _side(self, p: PositionView, width: int) -> Text:
        """LONG ▲ 0.5 BTC @ 60,000.00  actual 2.4x, or FLAT · no position  setting 5x/50x"""
        pal = self.pal
        line = Text()
        if p.size > 0:
            line.append(f"LONG ▲ {format_coin(p.size)} {self.base}", pal.bid + pal.strong)
        elif p.size < 0:
            line.append(f"SHORT ▼ {format_coin(-p.size)} {self.base}", pal.ask + pal.strong)
        else:
            line.append("FLAT · no position", pal.strong)
        if p.size and p.entry:
            line.append(f" @ {format_price(p.entry)}")
        if p.size:  # what the ADL queue and the hints mean by leverage: position value / equity
            actual = _actual(p)
            if line.cell_len + 2 + len(actual) <= width:  # else the Maint line carries it
                line.append("  actual ", pal.muted)
                line.append(actual.removeprefix("actual "), pal.accent)
            return line
        line.append("  setting ", pal.muted)  # the x you type: an order's margin is value / x
        line.append(f"{p.leverage}x", pal.accent)
        line.append(f"/{p.max_leverage}x", pal.muted)
        return line

    def _mark(self, p: PositionView) -> Text:
        """The mark, and the unrealised PnL of a position."""
        pal = self.pal
        line = Text()
        line.append("Mark ", pal.muted)
        line.append(format_price(p.mark))
        if p.size:
            line.append("  uPnL ", pal.muted)
            line.append(*_pnl(p.unrealized, pal))
        return line

    def _equity(self, p: PositionView) -> Text:
        """Equity, and the PnL against what was deposited."""
        pal = self.pal
        line = Text()
        line.append("Equity ", pal.muted)
        line.append(format_cash(p.equity), pal.strong)
        line.append("  PnL ", pal.muted)
        line.append(*_pnl(p.pnl, pal))
        return line

    def _liquidation(self, p: PositionView, roomy: bool) -> Text:
        """The liquidation price and how far it is (red under 2%, yellow under 5%)."""
        pal = self.pal
        line = Text()
        if p.liquidation_price is not None and p.size:
            arrow = "▼" if p.size > 0 else "▲"
            line.append("Liq ", pal.muted)
            line.append(format_price(p.liquidation_price), pal.liq)
            if p.distance_to_liquidation_ppm is not None:
                dist = p.distance_to_liquidation_ppm
                style = pal.loss if dist < 20_000 else pal.warn if dist < 50_000 else pal.muted
                line.append(f" {arrow}{format_pct(dist)}" + (" away" if roomy else ""), style)
        elif p.size:
            line.append("Liq none" if not roomy else "Liq none (fully margined)", pal.muted)
        else:
            line.append("Liq -", pal.muted)
        return line

    def _margin(self, p: PositionView, width: int) -> Text:
        pal = self.pal
        ratio = p.margin_ratio_ppm
        line = Text("Margin ", pal.muted)
        if p.size == 0:
            if p.order_margin > 0:  # resting orders hold margin while flat: say so
                line.append(f"{format_cash(p.order_margin)} held by your orders", pal.warn)
            else:
                line.append("not in use", pal.muted)
            return line
        label = ">100%" if ratio >= PPM * 10 else format_pct(ratio, 0)
        style = pal.loss if ratio >= 800_000 else pal.warn if ratio >= 500_000 else pal.gain
        bar_w = max(4, width - 7 - len(label) - 12)
        line.append_text(gauge(ratio / PPM, bar_w, style, pal.muted))
        line.append(f" {label}", style)
        line.append(" (100%=liq)", pal.muted)
        return line

    def _free(self, p: PositionView, width: int) -> Text:
        """Maint and free margin; then the actual leverage if the side line had no room for it,
        else the leverage setting (in whole dollars when the cents would not fit)."""
        pal = self.pal
        side_fits = len(self._side(p, 10**6).plain) <= width
        tail = f"  setting {p.leverage}x/{p.max_leverage}x" if side_fits else f"  {_actual(p)}"
        for places in (2, 0):
            line = Text("Maint ", pal.muted)
            line.append(format_cash(p.maintenance_margin, places=places))
            line.append("  free ", pal.muted)
            free = format_cash(p.free_margin, places=places)
            line.append(free, pal.loss if p.free_margin < 0 else None)
            if not p.size:
                return line
            if line.cell_len + len(tail) <= width:
                line.append(tail, pal.muted if side_fits else pal.accent)
                return line
        return line

    def _lights(self, p: PositionView, short: bool = False, with_rank: bool = True) -> Text:
        pal = self.pal
        lights = max(0, min(5, p.adl_lights))
        style = pal.loss if lights >= 4 else pal.warn if lights == 3 else pal.gain
        text = Text("●" * lights, style)
        text.append("○" * (5 - lights), pal.muted)
        if p.size:  # the words say what the lights mean under the rule in force
            policy = self.data.waterfall.policy
            said = queue_words(
                policy, p.adl_rank, p.adl_queue, lights, short=short, with_rank=with_rank
            )
            text.append(f" {said}" if said else "", pal.muted)
        return text

    def _orders(self, p: PositionView, width: int) -> Text:
        pal = self.pal
        if not p.orders:
            return Text("Orders: none resting", pal.muted)
        parts = []
        for o in p.orders[:4]:
            side = "bid" if o.side == BUY else "ask"
            where = format_price(o.price) if o.price is not None else "mkt"
            parts.append(f"{side} {format_coin(o.qty)}@{where}")
        more = f" +{len(p.orders) - 4}" if len(p.orders) > 4 else ""
        line = Text(f"◆ {len(p.orders)} order{'s' if len(p.orders) > 1 else ''}: ", pal.you)
        line.append(fit(", ".join(parts) + more, max(0, width - line.cell_len)))
        return line


def _actual(p: PositionView) -> str:
    """``actual 2.4x``: the position's value over the equity (what ADL queues rank by)."""
    return f"actual {p.effective_leverage_ppm / PPM:.1f}x"


def _pnl(amount: int, pal) -> tuple[str, object]:
    if amount > 0:
        return signed_cash(amount) + " ▲", pal.gain
    if amount < 0:
        return signed_cash(amount) + " ▼", pal.loss
    return "0.00", pal.muted
