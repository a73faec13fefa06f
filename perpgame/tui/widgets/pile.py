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
        rows = min(room, -(-len(shares) // columns))
        cells = [
            self._share(s, total, col_w, columns == 1) for s in fewer_groups(shares, rows * columns)
        ]
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
        style = {"player": pal.you, OTHERS: pal.muted}.get(share.group.split(" ")[-1], pal.strong)
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
        """Where this tick's cash came from and went to: both sides add up to the same total.

        A deposit is one more source and a withdrawal one more destination, so the two sides
        always balance; the fee the house takes is a destination like any other. Amounts are
        rounded so that the ones shown add up to the total shown.
        """
        pal = self.pal
        sources = [(s.group, -s.change) for s in shares if s.change < 0]
        sinks = [(s.group, s.change) for s in shares if s.change > 0]
        lost, gained = sum(a for _, a in sources), sum(a for _, a in sinks)
        if gained > lost:
            sources.append(("deposited", gained - lost))
        elif lost > gained:
            sinks.append(("withdrawn", lost - gained))
        if not sources:
            return [Text("Moved this tick: nothing", pal.muted)]
        total = max(lost, gained)
        if not two_lines:
            return [self._one_line(sources, sinks, total, width)]
        unit = CASH_SCALE // 100
        sources, sinks = _rounded(sources, total, unit), _rounded(sinks, total, unit)
        if not sources:
            return [Text("Moved this tick: less than a cent", pal.muted)]
        head = Text("Moved this tick ", pal.muted)
        head.append(_cash(sum(a for _, a in sinks), unit), pal.strong)
        return [
            head,
            Text(" from ", pal.muted).append(_listing(sources, width - 6, unit), pal.loss),
            Text("   to ", pal.muted).append(_listing(sinks, width - 6, unit), pal.gain),
        ]

    def _one_line(
        self, sources: list[tuple[str, int]], sinks: list[tuple[str, int]], total: int, width: int
    ) -> Text:
        """``Moved 20.36 noise → makers 15.10, rest 5.26`` in ``width`` cells: in cents, or in
        whole dollars when only those leave room for amounts (the parts still add up)."""
        pal = self.pal
        dollars, cents = CASH_SCALE, CASH_SCALE // 100
        units = [dollars] if total >= 1_000 * dollars else [cents]
        if total >= 10 * dollars and units == [cents]:
            units.append(dollars)
        best: tuple[int, str, str, str] | None = None
        for unit in units:
            froms, tos = _rounded(sources, total, unit), _rounded(sinks, total, unit)
            if not froms:
                continue
            shown = _cash(sum(a for _, a in tos), unit)
            said, left, right = _sides(froms, tos, width - len(f"Moved {shown} ") - 3, unit)
            if best is None or said > best[0]:
                best = (said, shown, left, right)
        if best is None:
            return Text("Moved this tick: less than a cent", pal.muted)
        _, shown, left, right = best
        line = Text("Moved ", pal.muted)
        line.append(shown, pal.strong)
        line.append(" ")
        line.append(left, pal.loss)
        line.append(" → ", pal.strong)
        line.append(right, pal.gain)
        return line


OTHERS = "more"
PINNED = ("vault", "house", "player")
"""The groups the Pile always lists, most needed first: the vault and the house (the lesson),
and the player."""


def fewer_groups(shares: tuple[PileShare, ...], room: int) -> list[PileShare]:
    """``shares`` in at most ``room`` rows: the player, the vault and the house always; the
    largest other groups in their order; the rest summed into one ``N more`` row, so the
    list still adds up to the total."""
    if len(shares) <= room:
        return list(shares)
    pinned = [s for s in shares if s.group in PINNED]
    if room <= len(pinned):  # no room for any other: the vault and the house first
        first = sorted(pinned, key=lambda s: PINNED.index(s.group))[: max(0, room)]
        return [s for s in pinned if s in first]
    ordinary = [s for s in shares if s.group not in PINNED]
    kept = {s.group for s in sorted(ordinary, key=lambda s: -s.equity)[: room - len(pinned) - 1]}
    rest = _summed([s for s in ordinary if s.group not in kept])
    head = [s for s in pinned if s.group == "player"]
    tail = [s for s in pinned if s.group != "player"]
    return [*head, *(s for s in ordinary if s.group in kept), rest, *tail]


def _summed(shares: list[PileShare]) -> PileShare:
    """One ``N more`` row for ``shares``."""
    return PileShare(
        f"{len(shares)} {OTHERS}",
        sum(s.equity for s in shares),
        sum(s.change for s in shares),
        sum(s.accounts for s in shares),
    )


def _rounded(flows: list[tuple[str, int]], total: int, unit: int) -> list[tuple[str, int]]:
    """``flows`` in whole ``unit``s, largest first, summing to ``total`` rounded to the unit
    (largest remainders take the spare units), so what is shown adds up on its face."""
    target = (total + unit // 2) // unit
    whole = [(g, a // unit, a % unit) for g, a in flows]
    spare = target - sum(w for _, w, _ in whole)
    order = sorted(range(len(whole)), key=lambda i: -whole[i][2])
    bumped = set(order[: max(0, spare)])
    out = [(g, w + (i in bumped)) for i, (g, w, _) in enumerate(whole)]
    return sorted((f for f in out if f[1]), key=lambda f: -f[1])


def _cash(units: int, unit: int) -> str:
    return format_cash(units * unit, places=0 if unit == CASH_SCALE else 2)


def _listing(flows: list[tuple[str, int]], room: int, unit: int, short: bool = False) -> str:
    """``house 12.38, others 4.17``: as many groups as fit, the rest summed, so it adds up."""
    text = ""
    for shown in range(len(flows), -1, -1):
        pieces = [
            f"{fit(group_name(g), 9) if short else group_name(g)} {_cash(a, unit)}"
            for g, a in flows[:shown]
        ]
        rest = flows[shown:]
        if rest and shown:
            pieces.append(f"others {_cash(sum(a for _, a in rest), unit)}")
        text = ", ".join(pieces)
        if shown and len(text) <= room:
            return text
    # no amount fits beside the names: the largest by name, the others counted
    name = fit(group_name(flows[0][0]), 9) if short else group_name(flows[0][0])
    long = name + _more(len(flows))
    return long if len(long) <= room else fit(name + _more(len(flows), short=True), room)


SHORT_NAMES = {
    "player": "you",
    "market_maker": "makers",
    "degenerate": "degens",
    "arbitrageur": "arbs",
    "dip_buyer": "dips",
    "deposited": "deposit",
}
"""Names for one tight line: the long trader names cut short so amounts fit beside them."""


def short_name(group: str) -> str:
    return SHORT_NAMES.get(group) or fit(group_name(group), 7)


def _side_choices(flows: list[tuple[str, int]], unit: int) -> list[tuple[bool, str]]:
    """One side of the one-line Moved, from most to least said, each with whether it says
    amounts. A lone group needs no amount (it moved the whole total); otherwise every part
    with its amount, then the largest parts and the ``rest``, in full and in short names; last
    the largest name and a count of the rest. Whatever amounts are shown add up to the total."""
    if len(flows) == 1:
        return [(True, group_name(flows[0][0])), (True, short_name(flows[0][0]))]
    said: list[tuple[int, int, str]] = []
    for rank, namer in enumerate((group_name, short_name)):
        for shown in range(len(flows), 0, -1):
            rest = flows[shown:]
            if len(rest) == 1:
                continue  # one group left over: name it rather than call it the rest
            pieces = [f"{namer(g)} {_cash(a, unit)}" for g, a in flows[:shown]]
            if rest:
                pieces.append(f"rest {_cash(sum(a for _, a in rest), unit)}")
            said.append((-shown, rank, ", ".join(pieces)))
    first = short_name(flows[0][0])
    return [(True, text) for *_, text in sorted(said)] + [
        (False, first + _more(len(flows))),
        (False, first + _more(len(flows), short=True)),
    ]


def _sides(
    sources: list[tuple[str, int]], sinks: list[tuple[str, int]], room: int, unit: int
) -> tuple[int, str, str]:
    """The from and to sides of the one-line Moved in ``room`` cells, and on how many of the
    two the amounts show: as many as fit, then each side as fully said as fits (the less said
    of the two first)."""
    left, right = _side_choices(sources, unit), _side_choices(sinks, unit)
    pairs = [
        (-(a[0] + b[0]), max(i, j), i + j, a[1], b[1])
        for i, a in enumerate(left)
        for j, b in enumerate(right)
        if len(a[1]) + len(b[1]) <= room
    ]
    if not pairs:
        last = left[-1][1]
        return 0, last, fit(right[-1][1], max(1, room - len(last)))
    said, _, _, a, b = min(pairs)
    return -said, a, b


def _more(count: int, short: bool = False) -> str:
    """`` +6 more`` after the one group named of ``count`` (a bare ``+6`` reads as $6), or
    ``short`` ``+6`` where the words do not fit."""
    if count <= 1:
        return ""
    return f" +{count - 1}" if short else f" +{count - 1} more"
