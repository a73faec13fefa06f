"""What would have happened to you under each ADL rule: the same game replayed under every policy.

Opened from the debrief (key ``p``). The level, the seed and the player's own inputs are played
headless under each policy by the session's lab (:func:`perpgame.session.lab.compare`) in a
background worker, so the screen stays responsive and fills in one row per policy as it goes. Each
row: accounts hit, notional closed, cash taken, the top-1 share, the max % of one winner's profit seized, the max
winner leverage after ADL, the lost upside at +10%, and what you paid; below, one bar per policy of
who paid (you, and each group).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static
from textual.worker import get_current_worker

from perpgame.level import Level
from perpgame.session import GameSession, PlayerInput
from perpgame.session.lab import compare, policy_names
from perpgame.session.numbers import format_cash
from perpgame.session.rules import rule

BAR = 24
SHADES = ("bold red", "yellow", "cyan", "green", "magenta", "blue", "white")


def _dollars(units: int) -> str:
    """Whole dollars, in thousands past $10,000."""
    sign, units = ("-" if units < 0 else ""), abs(units)
    if units >= 10_000_000_000:
        return f"{sign}${format_cash(units // 1000, places=0)}k"
    return f"{sign}${format_cash(units, places=0)}"


def who_paid_bar(paid: dict[str, int], order: list[str]) -> Text:
    """A stacked bar of each group's share of what winners paid, ``BAR`` cells wide."""
    positive = {g: v for g, v in paid.items() if v > 0}
    total = sum(positive.values())
    out = Text()
    if total <= 0:
        return out.append("nobody paid".ljust(BAR), style="dim")
    shown = [g for g in order if g in positive]
    cells = {g: positive[g] * BAR // total for g in shown}
    spare = BAR - sum(cells.values())  # cells left by the floors: to the largest remainders
    for g in sorted(shown, key=lambda g: -(positive[g] * BAR % total))[:spare]:
        cells[g] += 1
    for i, group in enumerate(order):
        if cells.get(group):
            out.append("█" * cells[group], style=SHADES[i % len(SHADES)])
    return out.append("░" * (BAR - sum(cells.values())), style="dim")


class CompareScreen(ModalScreen[None]):
    """One row per ADL policy for the game just played, filled in by a background worker."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back"),
        Binding("p", "close", "Back", show=False),
        Binding("q", "close", "Back", show=False),
    ]

    def __init__(
        self,
        session: GameSession | None = None,
        policies: list[str] | None = None,
        *,
        game: tuple[Level, int, Sequence[PlayerInput]] | None = None,
        about: str = "",
        **kw: Any,
    ):
        """The game just played (``session``), or any ``game`` as (level, seed, inputs): the title
        menu's lab; ``about`` says which game, above the table."""
        super().__init__(**kw)
        if session is not None:
            game = (session.level, session.seed, session.input_log)
        if game is None:
            raise ValueError("CompareScreen needs a session or a game")
        self.level, self.seed, inputs = game
        self.inputs = list(inputs)
        self.about = about
        self.policies = policies or policy_names("all")
        self.rows: list[dict] = []

    def compose(self) -> ComposeResult:
        with VerticalScroll() as box:
            box.border_title = "Who pays under each ADL rule"
            box.border_subtitle = "Esc: back"
            if self.about:
                yield Static(Text(self.about, style="bold"), id="compare-about")
            yield Static(id="compare-table")
            yield Static(id="compare-bars")
            yield Static(id="compare-status")

    def on_mount(self) -> None:
        self._show()
        self._replay()

    @work(thread=True, exclusive=True, group="compare")
    def _replay(self) -> None:
        worker = get_current_worker()
        for row in compare(self.level, self.seed, self.inputs, self.policies):
            if worker.is_cancelled:
                return
            self.app.call_from_thread(self._add, row)

    def _add(self, row: dict) -> None:
        self.rows.append(row)
        self._show()

    @property
    def done(self) -> bool:
        return len(self.rows) == len(self.policies)

    def _show(self) -> None:
        table = Table(box=None, pad_edge=False, padding=(0, 1), expand=False)
        for name in ("rule", "hit", "closed", "taken", "top-1", "seized", "lev", "+10%", "you"):
            table.add_column(name, justify="left" if name == "rule" else "right", no_wrap=True)
        groups: list[str] = []
        for row in self.rows:
            m = row["measures"]
            for g in m.get("paid_by_group", {}):
                if g not in groups:
                    groups.append(g)
        if "player" in groups:
            groups.remove("player")
            groups.insert(0, "player")
        for row in self.rows:
            m = row["measures"]
            seized = m["max_profit_seized"] or 0
            you = m.get("paid_by_group", {}).get("player", 0)
            after = m["max_leverage_after"]
            table.add_row(
                rule(row["policy"]).short,
                str(m["accounts_hit"]),
                _dollars(m["closed_notional"]),
                _dollars(m["cash_taken"]),
                f"{(m['top1_share'] or 0) * 100:.0f}%",
                Text(f"{seized * 100:.0f}%", style="bold red" if seized > 1 else ""),
                "inf" if after is None else f"{after:.1f}x",
                _dollars(m["lost_upside_up10"]),
                Text(_dollars(you), style="bold" if you else "dim"),
            )
        self.query_one("#compare-table", Static).update(table)
        bars = Text()
        for row in self.rows:
            bars.append(f"{rule(row['policy']).short:<16}")
            bars.append_text(who_paid_bar(row["measures"].get("paid_by_group", {}), groups))
            bars.append("\n")
        if groups:
            legend = Text("who paid: ")
            for i, g in enumerate(groups[: len(SHADES)]):
                legend.append("█ ", style=SHADES[i]).append("you" if g == "player" else g)
                legend.append("  ")
            bars.append_text(legend)
        self.query_one("#compare-bars", Static).update(bars)
        status = self._status()
        self.query_one("#compare-status", Static).update(Text(status, style="dim"))

    def _status(self) -> str:
        """How far the replays are; once done, what the columns mean."""
        if not self.done:
            return f"Replaying under each rule: {len(self.rows)}/{len(self.policies)}..."
        nobody = not any(r["measures"]["accounts_hit"] for r in self.rows)
        return (
            "No winner paid under any rule: nobody was auto-deleveraged in this game. "
            if nobody
            else ""
        ) + (
            "Same level, seed and inputs under every rule. hit = winners closed or cut; closed = "
            "notional closed; taken = cash winners gave up; seized = max % of one winner's profit "
            "(red: principal); lev = max winner leverage after."
        )

    def action_close(self) -> None:
        self.workers.cancel_group(self, "compare")
        self.app.pop_screen()
