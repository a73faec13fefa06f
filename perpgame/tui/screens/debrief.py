"""The debrief: what happened to you, where the money went, the stars, and where to go next.

Everything here is read from the finished GameSession: the price chart and the waterfall's markers
make the timeline, ``player_stories`` say what touched the player, and ``group_history`` (equity
of each group of accounts, every tick) shows the cash that moved between the groups.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.geometry import Size
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Footer, Static

from perpgame.level import Level
from perpgame.session import WON, GameSession, views
from perpgame.session.frame import MoneyRow
from perpgame.session.numbers import CASH_SCALE, format_cash, format_coin, format_price
from perpgame.tui import messages
from perpgame.tui.screens.briefing import KeyButton, crowd_name
from perpgame.tui.text import MUTED, clock, goal_text, signed_cash, stars_text

BLOCKS = " ▁▂▃▄▅▆▇█"
CHART_STYLE = "$text-primary"
STAGE_MARKS = {
    "liquidation": ("L", "$text-warning"),
    "backstop": ("V", "$text-primary"),
    "deleverage": ("A", "$text-error"),
}
PLAYER_STYLES = {"X": "$text-error bold", "A": "$text-error bold", "V": "$text-primary bold"}
SEVERITY = {"liquidation": 1, "backstop": 2, "deleverage": 3}
MAX_EVENTS = 200


# ------------------------------------------------------------------------------------ the data
Move = MoneyRow
"""How one group of accounts ended the level compared with how it started it."""


def group_label(group: str, accounts: int, role: str) -> str:
    if group in ("player", "vault", "house", "preset"):
        return views.group_label(group, accounts, role)
    return crowd_name(group, accounts)


def money_moves(session: GameSession) -> list[MoneyRow]:
    """What each group paid into the pile and what it holds at the end, in the pile's order:
    every group, the vault and the house included (the session's money table, also in
    ``sim --json``). Deposits and withdrawals during the level are not gains or losses."""
    return views.money_table(session, label=group_label)


@dataclass(frozen=True)
class Entry:
    tick: int
    kind: str
    text: str
    player: bool


def _merge_fills(stories: list[Entry]) -> list[Entry]:
    """Fills of one order in one tick, told once: the first, and how many more there were."""
    out: list[Entry] = []
    extra: list[int] = []
    for entry in stories:
        last = out[-1] if out else None
        if (
            last is not None
            and entry.kind == last.kind == "fill"
            and entry.tick == last.tick
            and player_mark(entry) == player_mark(last)
        ):
            extra[-1] += 1
        else:
            out.append(entry)
            extra.append(0)
    return [
        replace(e, text=f"{e.text} And {_more_fills(n)}.") if n else e
        for e, n in zip(out, extra, strict=True)
    ]


def _more_fills(n: int) -> str:
    return f"{n} more fill{'s' if n > 1 else ''} at the same moment"


def timeline_entries(session: GameSession) -> list[Entry]:
    """What happened to the player, and the first time each stage of the waterfall ran."""
    entries = _merge_fills([Entry(s.tick, s.kind, s.text, True) for s in session.player_stories])
    seen: set[str] = set()
    names = {
        "liquidation": "First liquidation",
        "backstop": "The vault steps in",
        "deleverage": "Auto-deleveraging",
    }
    for event in session.waterfall_log:
        kind = event.type
        if kind not in names or kind in seen:
            continue
        seen.add(kind)
        story = session.storyteller.tell(event)
        if story is None or story.player:
            continue
        total = session.counts.get(kind, 1)
        more = f" ({total} in all)" if total > 1 else ""
        entries.append(Entry(event.tick, kind, f"{names[kind]}{more}: {story.text}", False))
    entries.sort(key=lambda e: e.tick)
    return entries


def player_mark(entry: Entry) -> str | None:
    """The glyph the player's lane shows for one of their stories."""
    if entry.kind == "fill":
        return "▲" if entry.text.startswith("You bought") else "▼"
    if entry.kind == "backstop":
        return "X" if " your " in entry.text else "V"
    if entry.kind in ("liquidation", "bad_debt"):
        return "X"
    if entry.kind in ("deleverage", "haircut"):
        return "A"
    return None


# ---------------------------------------------------------------------------------- the widgets
class Timeline(Widget):
    """The mark price over the level, the waterfall's stages under it, and the player's moments."""

    DEFAULT_CSS = "Timeline { height: auto; }"
    LABEL = 11

    def __init__(
        self, session: GameSession, entries: list[Entry], *, chart_rows: int = 4, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.tick_ms = session.level.tick_ms
        self.end = max(1, session.tick)
        self.points = [(p.tick, p.mark) for p in session.chart]
        self.markers = [(m.tick, m.kind) for m in session.markers if m.kind in SEVERITY]
        self.mine = [(e.tick, mark) for e in entries if e.player and (mark := player_mark(e))]
        group = "vault" if session.role == "vault" else "player"
        self.equity = [(t, groups.get(group, 0)) for t, groups in session.group_history]
        self.start_equity = self.equity[0][1] if self.equity else 0
        self.chart_rows = chart_rows

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return self.chart_rows + 4

    def _column(self, tick: int, width: int) -> int:
        return min(width - 1, tick * width // (self.end + 1))

    def _bucket_last(self, series: list[tuple[int, int]], width: int) -> list[int]:
        """The last value of each column's ticks (a column without ticks repeats the one before)."""
        cols: list[int | None] = [None] * width
        for tick, value in series:
            cols[self._column(tick, width)] = value
        out: list[int] = []
        previous = series[0][1] if series else 0
        for value in cols:
            previous = previous if value is None else value
            out.append(previous)
        return out

    def render(self) -> Content:
        width = max(10, self.size.width - self.LABEL - 1)
        prices = self._bucket_last(self.points, width)
        lo, hi = min(prices), max(prices)
        rows_8 = self.chart_rows * 8
        if hi == lo:  # a flat market: one line across the middle
            eighths = [rows_8 // 2] * width
        else:
            eighths = [1 + (p - lo) * (rows_8 - 1) // (hi - lo) for p in prices]
        rows: list[Content] = []
        for r in range(self.chart_rows):
            floor = (self.chart_rows - 1 - r) * 8
            label = ""
            if r == 0:
                label = format_price(hi)
            elif r == self.chart_rows - 1 and hi != lo:
                label = format_price(lo)
            bar = "".join(BLOCKS[max(0, min(8, e - floor))] for e in eighths)
            rows.append(
                Content.assemble(
                    (f"{label:>{self.LABEL - 1}}", MUTED),
                    ("┤" if label else "│", MUTED),
                    (bar, CHART_STYLE),
                )
            )
        rows.append(self._lane("waterfall", self._stage_lane(width)))
        rows.append(self._lane("you", self._player_lane(width)))
        rows.append(self._lane("your PnL", self._pnl_lane(width)))
        rows.append(self._axis(width))
        return Content("\n").join(rows)

    def _lane(self, name: str, cells: list[tuple[str, str]]) -> Content:
        return Content.assemble((f"{name:>{self.LABEL - 1}}│", MUTED), *cells)

    def _stage_lane(self, width: int) -> list[tuple[str, str]]:
        worst: list[str] = [""] * width
        for tick, kind in self.markers:
            c = self._column(tick, width)
            if not worst[c] or SEVERITY[kind] > SEVERITY[worst[c]]:
                worst[c] = kind
        return [STAGE_MARKS[k] if k else ("·", MUTED) for k in worst]

    def _player_lane(self, width: int) -> list[tuple[str, str]]:
        rank = {"X": 3, "A": 2, "V": 1, "▲": 1, "▼": 1}
        cells: list[str] = [""] * width
        for tick, mark in self.mine:
            c = self._column(tick, width)
            if not cells[c] or rank[mark] > rank[cells[c]]:
                cells[c] = mark
        return [(m, PLAYER_STYLES.get(m, "bold")) if m else (" ", "") for m in cells]

    def _pnl_lane(self, width: int) -> list[tuple[str, str]]:
        """The player's equity against where it started: above the middle gains, below losses."""
        values = self._bucket_last(self.equity, width)
        furthest = max((abs(v - self.start_equity) for v in values), default=0) or 1
        cells = []
        for v in values:
            change = v - self.start_equity
            if change == 0:
                cells.append(("─", MUTED))
                continue
            level = 5 + 3 * change // furthest if change > 0 else 3 - 2 * -change // furthest
            style = "$text-success" if change > 0 else "$text-error"
            cells.append((BLOCKS[max(1, min(8, level))], style))
        return cells

    def _axis(self, width: int) -> Content:
        line = ["─"] * width
        for tick in (0, self.end // 2, self.end):
            text = clock(tick, self.tick_ms)
            c = self._column(tick, width)
            c = max(0, min(c - len(text) // 2, width - len(text)))
            line[c : c + len(text)] = list(text)
        return Content.assemble(
            (" " * (self.LABEL - 1) + "└", MUTED),
            ("".join(line), MUTED),
        )


class Legend(Widget):
    """What the timeline's marks mean; each entry stays whole when the legend wraps."""

    DEFAULT_CSS = "Legend { height: auto; }"
    ENTRIES = (
        ("L", "$text-warning", "liquidation"),
        ("V", "$text-primary", "the vault took over"),
        ("A", "$text-error", "auto-deleveraging"),
        ("▲▼", "", "you bought/sold"),
        ("X", "$text-error", "you were hit"),
    )

    def _lines(self, width: int) -> list[Content]:
        lines: list[list[Content]] = [[]]
        used = 0
        for mark, style, text in self.ENTRIES:
            entry = Content.assemble((mark, f"{style} bold"), (f" {text}", MUTED))
            need = len(mark) + 1 + len(text) + (2 if used else 0)
            if used and used + need > width:
                lines.append([])
                used = 0
                need -= 2
            lines[-1].append(entry)
            used += need
        return [Content("  ").join(parts) for parts in lines]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._lines(width))

    def render(self) -> Content:
        return Content("\n").join(self._lines(self.size.width))


class MoneyFlow(Widget):
    """One bar per group: the change in its equity over the level, losses left, gains right.

    The amounts are rounded to cents so that they still add up to exactly zero (the total row),
    and where the level pays funding a last row says how much of the changes was funding.
    """

    DEFAULT_CSS = "MoneyFlow { height: auto; }"

    def __init__(self, session: GameSession, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.moves = money_moves(session)
        self.funding_on = session.market.config.funding_interval > 0
        self.funding_paid = -sum(v for v in session.funding_by_group.values() if v < 0)
        self.player_funding = session.funding_by_group.get(
            "vault" if session.role == "vault" else "player", 0
        )

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.moves) + 2 + (1 if self.funding_on else 0)

    def render(self) -> Content:
        width = self.size.width
        label_w = min(max((len(m.label) for m in self.moves), default=4), 24)
        shown = views.cents([m.change for m in self.moves], CASH_SCALE // 100)
        values = [signed_cash(v) for v in shown]
        total = signed_cash(sum(shown)).lstrip("+")
        value_w = max((len(v) for v in [*values, total]), default=4)
        half = max(3, min(24, (width - label_w - value_w - 3) // 2))
        biggest = max((abs(m.change) for m in self.moves), default=0) or 1
        rows: list[Content] = []
        for move, value in zip(self.moves, values, strict=True):
            n = 0 if move.change == 0 else max(1, round(abs(move.change) * half / biggest))
            label = move.label if len(move.label) <= label_w else move.label[: label_w - 1] + "…"
            left = ("█" * n).rjust(half) if move.change < 0 else " " * half
            right = ("█" * n).ljust(half) if move.change > 0 else " " * half
            you = move.group == "player" or move.label.endswith("(you)")
            rows.append(
                Content.assemble(
                    (f"{label:>{label_w}} ", "bold" if you else ""),
                    (left, "$text-error"),
                    ("│", MUTED),
                    (right, "$text-success"),
                    (f" {value:>{value_w}}", _money_style(move.change)),
                )
            )
        rows.append(Content.styled(" " * (label_w + 1) + "lost".rjust(half) + "│gained", MUTED))
        rows.append(
            Content.assemble(
                (f"{'total':>{label_w}} ", "bold"),
                (" " * (2 * half + 1), ""),
                (f" {total:>{value_w}}", "bold"),
            )
        )
        if self.funding_on:
            mine = signed_cash(self.player_funding)
            rows.append(
                Content.styled(
                    f"{'funding':>{label_w}} longs and shorts swapped "
                    f"{format_cash(self.funding_paid)} (in the rows above; yours {mine})",
                    MUTED,
                )
            )
        return Content("\n").join(rows)


def pile_caption(session: GameSession) -> Content:
    """The pile at the start and the end: money moved, none was made."""
    history = session.group_history
    start = sum(history[0][1].values()) if history else 0
    end = sum(history[-1][1].values()) if history else 0
    fresh = end - start
    if fresh == 0:
        return Content.assemble(
            f"The pile held {format_cash(start, places=0)} at the start and at the end: ",
            ("every gain above is someone else's loss.", MUTED),
        )
    moved = (
        f"{format_cash(fresh)} of fresh cash came in (new traders, deposits)"
        if fresh > 0
        else f"{format_cash(-fresh)} was taken out (withdrawals)"
    )
    return Content.assemble(
        f"The pile went from {format_cash(start, places=0)} to {format_cash(end, places=0)}: ",
        (f"{moved}; every gain above is someone else's loss.", MUTED),
    )


class EventList(Widget):
    """``m:ss  mark  text`` lines; long texts wrap under the text, not under the clock."""

    DEFAULT_CSS = "EventList { height: auto; }"
    INDENT = 8

    def __init__(self, lines: list[tuple[str, tuple[str, str], str, str]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.lines = lines
        """(clock, (mark, mark style), text, text style) per line."""

    def _wrapped(self, width: int) -> list[Content]:
        room = max(10, width - self.INDENT)
        out: list[Content] = []
        for when, (mark, mark_style), text, style in self.lines:
            chunks = textwrap.wrap(text, room) or [""]
            out.append(
                Content.assemble(
                    (f"{when:>5} ", MUTED),
                    (f"{mark} ", mark_style),
                    (chunks[0], style),
                )
            )
            out += [Content.assemble(" " * self.INDENT, (c, style)) for c in chunks[1:]]
        return out

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._wrapped(width))

    def render(self) -> Content:
        return Content("\n").join(self._wrapped(self.size.width))


def _money_style(amount: int) -> str:
    return "$text-success bold" if amount > 0 else "$text-error bold" if amount < 0 else ""


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


# ---------------------------------------------------------------------------------- the screen
class DebriefScreen(Screen[None]):
    """After a level: the story of the game and the choices that follow it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "next", "Next level"),
        Binding("r", "retry", "Retry"),
        Binding("l", "levels", "Levels"),
        Binding("v", "watch_replay", "Watch replay"),
        Binding("p", "compare", "Who pays?", show=False),
        Binding("escape", "levels", "Levels", show=False),
        Binding("enter", "default", "Go on", show=False),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(
        self,
        session: GameSession,
        *,
        next_level: Level | None = None,
        replay: Path | None = None,
        watched: str = "",
    ) -> None:
        super().__init__(classes="-won" if session.status == WON else "-lost")
        self.session = session
        self.next_level = next_level if session.status == WON else None
        self.replay = replay
        self.entries = timeline_entries(session)
        self.watched = watched
        """"Demo" or "Replay" when the game was not the player's (not recorded); else ""."""

    def compose(self) -> ComposeResult:
        s = self.session
        with Vertical(id="debrief-page"):
            yield Static(self._banner(), id="debrief-banner")
            with VerticalScroll(id="debrief-body"):
                yield Static(self._summary(), id="debrief-summary")
                with Horizontal(id="debrief-columns"):
                    with Vertical(id="debrief-left"):
                        yield Static("What happened", classes="section-title")
                        yield Timeline(s, self.entries, id="debrief-timeline")
                        yield Legend(id="debrief-legend")
                        yield Static("Where the money went", classes="section-title")
                        yield MoneyFlow(s, id="debrief-money")
                        yield Static(pile_caption(s), id="debrief-pile")
                    with Vertical(id="debrief-right"):
                        yield Static("What happened to you", classes="section-title")
                        yield EventList(self._events(), id="debrief-events")
            with Horizontal(classes="button-row"):
                if self.watched:
                    yield KeyButton("Watch again", "r", id="retry", variant="primary")
                    yield KeyButton("Title", "esc", id="levels")
                else:
                    if self.next_level is not None:
                        label = f"Next: {self.next_level.title}"
                        yield KeyButton(label, "n", id="next", variant="success")
                    retry_variant = "default" if self.next_level is not None else "primary"
                    yield KeyButton("Retry", "r", id="retry", variant=retry_variant)
                    if self.replay is not None:
                        yield KeyButton("Watch replay", "v", id="watch-replay")
                    yield KeyButton("Levels", "l", id="levels")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#debrief-body").focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next":
            return self.next_level is not None and not self.watched
        if action == "watch_replay":
            return self.replay is not None and not self.watched
        return True

    # --------------------------------------------------------------- content
    def _banner(self) -> Content:
        s = self.session
        won = s.status == WON
        result = "LEVEL COMPLETE" if won else "LEVEL LOST"
        if self.watched:
            result = f"{self.watched.upper()}: {result}"
        return Content.assemble(
            (f" {result} ", "bold reverse $text-success" if won else "bold reverse $text-error"),
            "  ",
            stars_text(s.stars),
            ("  " + s.level.title, "bold"),
            (f"  ·  {clock(s.tick, s.level.tick_ms)} played", MUTED),
        )

    def _summary(self) -> Content:
        s = self.session
        m = s.metrics
        won = s.status == WON
        reason = goal_text(s.end_reason or ("you won" if won else "the level is over"))
        lines: list[Content] = [
            Content.assemble(
                ("Won: " if won else "Lost: ", "bold $text-success" if won else "bold $text-error"),
                reason[0].upper() + reason[1:] + ".",
            )
        ]
        pnl = m["player_pnl"]
        parts = [
            Content.assemble("PnL ", (signed_cash(pnl), _money_style(pnl))),
            Content(f"equity {format_cash(m['player_equity'])}"),
            Content(_plural(s.player_trades, "fill", "fills")),
        ]
        if s.player_filled_liquidations:
            caught = format_coin(s.player_filled_liquidations)
            parts.append(Content(f"{caught} coin bought from liquidations"))
        hits = [
            (s.player_counts["liquidation"], "liquidated"),
            (s.player_counts["backstop"], "taken over by the vault"),
            (s.player_counts["deleverage"], "auto-deleveraged"),
        ]
        parts += [Content.styled(f"{word} {n}×", "$text-error") for n, word in hits if n]
        lines.append(Content.assemble(("You: ", "bold"), Content(" · ").join(parts)))
        goals = [g for g in s.frame().goals if g.kind == "star"]
        stars = [Content.assemble(("★ " if won else "☆ ", "$text-warning"), "win")]
        stars += [
            Content.assemble(
                ("★ " if won and g.done else "☆ ", "$text-warning"),
                (goal_text(g.text), "" if won and g.done else MUTED),
            )
            for g in goals
        ]
        lines.append(Content.assemble(("Stars: ", "bold"), Content("   ").join(stars)))
        hint = s.level.objectives.hint
        if hint and (not won or s.stars < 3):
            lines.append(Content.assemble(("Hint: ", "bold $text-accent"), hint))
        if self.replay is not None:
            lines.append(Content.styled(f"Replay saved: {self.replay}", MUTED))
        return Content("\n").join(lines)

    def _events(self) -> list[tuple[str, tuple[str, str], str, str]]:
        s = self.session
        entries = self.entries
        lines: list[tuple[str, tuple[str, str], str, str]] = []
        for e in entries[:MAX_EVENTS]:
            when = clock(e.tick, s.level.tick_ms)
            if e.player:
                mark = player_mark(e) or "·"
                lines.append((when, (mark, PLAYER_STYLES.get(mark, "bold")), e.text, ""))
            else:
                mark, style = STAGE_MARKS.get(e.kind, ("·", ""))
                lines.append((when, (mark, style + " bold"), e.text, MUTED))
        if len(entries) > MAX_EVENTS:
            more = f"… and {len(entries) - MAX_EVENTS} more"
            lines.append(("", (" ", ""), more, MUTED))
        if not any(e.player for e in entries):
            lines.append(("", (" ", ""), "You did not trade: nothing touched your account.", ""))
        end = "Level complete" if s.status == WON else "Level over"
        reason = goal_text(s.end_reason)
        lines.append((clock(s.tick, s.level.tick_ms), ("■", "bold"), f"{end}: {reason}.", "bold"))
        return lines

    # --------------------------------------------------------------- actions
    def action_default(self) -> None:
        """Enter: the next level after a win, else try again."""
        if self.next_level is not None and not self.watched:
            self.action_next()
        else:
            self.action_retry()

    @on(Button.Pressed, "#next")
    def action_next(self) -> None:
        if self.next_level is not None and not self.watched:
            self.app.post_message(messages.OpenBriefing(self.next_level))

    @on(Button.Pressed, "#retry")
    def action_retry(self) -> None:
        if self.watched:
            self.app.post_message(messages.WatchAgain())
        else:
            self.app.post_message(messages.PlayLevel(self.session.level))

    @on(Button.Pressed, "#levels")
    def action_levels(self) -> None:
        if self.watched:
            self.app.pop_screen()
        else:
            self.app.post_message(messages.OpenLevels())

    @on(Button.Pressed, "#watch-replay")
    def action_watch_replay(self) -> None:
        """Watch the game just played again, from its replay file (with pause and speed)."""
        from perpgame.saves import ReplayError, read_replay, replay_session

        if self.replay is None or self.watched:
            return
        try:
            replay = read_replay(self.replay)
        except ReplayError as exc:
            self.notify(str(exc), title="Replay", severity="error")
            return
        self.app.post_message(messages.WatchReplay(lambda: replay_session(replay)))

    def action_compare(self) -> None:
        """The same game under every ADL rule (perpgame/tui/screens/compare.py)."""
        from perpgame.tui.screens.compare import CompareScreen

        self.app.push_screen(CompareScreen(self.session))

    def action_help(self) -> None:
        self.app.post_message(messages.ShowHelp())
