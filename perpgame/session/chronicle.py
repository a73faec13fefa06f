"""The chronicle of a game: what happened, absorbed from the engine's events tick by tick.

It counts the waterfall (in all and for the player), keeps the stories, the tape, the narration,
the chart and its markers, the groups' equity history and the cash each group paid in, and checks
the pile law once a tick. It reads the market but never changes it: the table plays, the
chronicle writes down.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from perpgame.engine.account import Account
from perpgame.engine.book import BUY
from perpgame.engine.events import Event, Fill
from perpgame.engine.market import Market
from perpgame.engine.units import format_price, format_qty
from perpgame.session.frame import ChartMarker, ChartPoint
from perpgame.session.stories import Story, Storyteller

CHART_POINTS = 720
MARKERS = 300
TAPE = 60
NARRATION = 60
STAGES = ("calm", "book", "vault", "adl")
"""The waterfall's stages, shallowest first."""
WATERFALL = ("liquidation", "backstop", "deleverage")


def trade_line(e: Fill, name: Callable[[int], str]) -> str:
    """A fill between two other accounts as the tape shows it."""
    side = "buy" if e.taker_side == BUY else "sell"
    text = f"{format_qty(e.qty, places=4)} @ {format_price(e.price)} {side} by {name(e.taker)}"
    return text + " (liquidation)" if e.liquidation else text


class Chronicle:
    """Counts, stories and histories of one game (``quiet`` keeps the counts only)."""

    def __init__(
        self, market: Market, groups_of: dict[int, str], storyteller: Storyteller, quiet: bool
    ) -> None:
        self.market = market
        self.groups_of = groups_of
        """Account id -> group, shared with the table (which adds accounts as they open)."""
        self.storyteller = storyteller
        self.quiet = quiet
        self.counts = dict.fromkeys(WATERFALL, 0)
        self.player_counts = dict.fromkeys(WATERFALL, 0)
        self.bad_debt = 0
        self.player_trades = 0
        self.player_funding = 0
        self.player_filled_liquidations = 0
        self.deepest = "calm"
        self.waterfall_log: list[Event] = []
        self.tick_events: list[Event] = []
        self.stories: list[Story] = []
        self.tape: deque[Story] = deque(maxlen=TAPE)
        self.narration: deque[str] = deque(maxlen=NARRATION)
        self.narration_ticks: deque[int] = deque(maxlen=NARRATION)
        """The tick each line of ``narration`` was said at (its numbers are of that moment)."""
        self.player_stories: list[Story] = []
        self.chart: deque[ChartPoint] = deque(maxlen=CHART_POINTS)
        self.markers: deque[ChartMarker] = deque(maxlen=MARKERS)
        self.group_history: list[tuple[int, dict[str, int]]] = []
        """(tick, equity of each group) at the start and after every tick (not when quiet)."""
        self.groups_before: dict[str, int] | None = None
        self.groups_now: dict[str, int] | None = None
        """Each group's equity before and after the last tick played (None before the first)."""
        self.paid_in: dict[str, int] = {}
        """Cash each group put into the pile (deposits less withdrawals): its equity minus this
        is what its trading won or lost."""
        self.funding_by_group: dict[str, int] = {}
        """Funding each group received (> 0) or paid (< 0) over the level."""
        self.pile_checks = 0
        self.pile_ok = True
        self.pile_failure = ""
        self._members: tuple[int, list[tuple[str, list[Account]]]] | None = None

    def group(self, account_id: int) -> str:
        """The group an account counts in (its own group unless the table named another)."""
        return self.groups_of.get(account_id, self.market.accounts[account_id].group)

    def members_by_group(self) -> list[tuple[str, list[Account]]]:
        """Accounts by group, groups in order of first account; rebuilt when accounts are opened.

        Read twice a tick (the groups' equity), so the lists are kept while the number of
        accounts stays the same.
        """
        accounts = self.market.accounts
        if self._members is not None and self._members[0] == len(accounts):
            return self._members[1]
        by_group: dict[str, list[Account]] = {}
        for acct in accounts.values():
            by_group.setdefault(self.groups_of.get(acct.id, acct.group), []).append(acct)
        members = list(by_group.items())
        self._members = (len(accounts), members)
        return members

    def say(self, text: str) -> None:
        """A line for the narrator, stamped with the tick it is said at."""
        self.narration.append(text)
        self.narration_ticks.append(self.market.tick)

    def note(self, text: str) -> Story:
        """A line told to the player (a refusal, an answer to an input): story and narration."""
        story = Story(self.market.tick, "note", text, True, False)
        self.player_stories.append(story)
        self.stories.append(story)
        self.say(text)
        return story

    def absorb(self, events: list[Event], pid: int) -> None:
        """Take in one tick's events; ``pid`` is the player's account."""
        self.tick_events = events
        stage = self.market.stage
        if stage != self.deepest and STAGES.index(stage) > STAGES.index(self.deepest):
            self.deepest = stage
        if self.quiet:
            for e in events:
                if e.type != "order_cancelled":  # the commonest event: nothing to count
                    self._count(e, pid)
            return
        for e in events:
            self._count(e, pid)
            self._tell(e)
        name = self.storyteller.name
        for e in events:
            if e.type == "fill" and pid not in (e.maker, e.taker):
                self.tape.append(
                    Story(e.tick, "trade", trade_line(e, name), False, e.liquidation, e.price)
                )

    def _count(self, e: Event, pid: int) -> None:
        kind = e.type
        if kind in self.counts:
            self.counts[kind] += 1
            self.waterfall_log.append(e)
            if e.account == pid:
                self.player_counts[kind] += 1
            price = getattr(e, "avg_price", None) or getattr(e, "price", None) or self.market.mark
            self.markers.append(ChartMarker(e.tick, price, kind, e.account == pid))
        elif kind in ("bad_debt", "haircut"):
            self.waterfall_log.append(e)
            if kind == "bad_debt":
                self.bad_debt += e.amount
        elif kind == "fill":
            if pid in (e.maker, e.taker):
                self.player_trades += 1
                if e.liquidation and e.maker == pid:
                    self.player_filled_liquidations += e.qty
        elif kind in ("deposit", "withdrawal"):
            group = self.group(e.account)
            sign = 1 if kind == "deposit" else -1
            self.paid_in[group] = self.paid_in.get(group, 0) + sign * e.amount
        elif kind == "funding":
            self._count_funding(pid)

    def _count_funding(self, pid: int) -> None:
        last = self.market.last_funding
        self.player_funding += last.get(pid, 0)
        for account_id, amount in last.items():
            group = self.group(account_id)
            self.funding_by_group[group] = self.funding_by_group.get(group, 0) + amount

    def _tell(self, e: Event) -> None:
        story = self.storyteller.tell(e)
        if story is None:
            return
        self.stories.append(story)
        if story.kind != "funding" or story.player:
            self.tape.append(story)
        if story.player:
            self.player_stories.append(story)
            self.say(story.text)

    def check_pile(self) -> None:
        """Check the pile law once (the first failure is kept, with its tick)."""
        report = self.market.check_pile()
        self.pile_checks += 1
        if not report.ok and self.pile_ok:
            self.pile_ok = False
            self.pile_failure = f"tick {self.market.tick}: {report.explain()}"

    def groups_moved(self, tick: int, before: dict[str, int], now: dict[str, int]) -> None:
        """Each group's equity before and after ``tick``, kept for the pile's view and history."""
        self.groups_before = before
        self.groups_now = now
        self.group_history.append((tick, now))

    def chart_tick(self) -> None:
        """One point of the price chart for the tick just played."""
        m = self.market
        self.chart.append(ChartPoint(m.tick, m.index, m.mark, m.last_price))
