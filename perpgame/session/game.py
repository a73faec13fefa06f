"""A game session: a level, a seed and the player's inputs -> ``step()`` -> a Frame.

The session owns the market, the oracle, the bots and the level's timeline, runs one tick at a
time exactly as DESIGN.md describes, logs every player action with its tick (so a game replays
bit for bit), counts what the waterfall did, and judges the objectives. The TUI talks to this
object only: it reads immutable Snapshots and sends PlayerInputs.
"""

from __future__ import annotations

import hashlib
import re
from collections import deque
from collections.abc import Iterable
from dataclasses import replace

from perpgame.engine.account import BOT, PLAYER, PRESET, liquidation_price
from perpgame.engine.book import BUY, SELL, OrderType
from perpgame.engine.events import Event
from perpgame.engine.market import Market, PileReport
from perpgame.engine.rng import Rng
from perpgame.engine.units import format_cash
from perpgame.level.schema import Level
from perpgame.session import policy_pick, views
from perpgame.session import why as why_mod
from perpgame.session.frame import Frame, OrderAnswer, WhyView
from perpgame.session.inputs import SOLO_SEAT, PlayerInput
from perpgame.session.limits import MAX_ADDED_MARGIN
from perpgame.session.stories import Story, Storyteller
from perpgame.world.bots import ARCHETYPES
from perpgame.world.bots.base import Bot
from perpgame.world.desk import Desk
from perpgame.world.oracle import Oracle
from perpgame.world.state import canonical

CHART_POINTS = 720
MARKERS = 300
TAPE = 60
NARRATION = 60
PLAYING, WON, LOST = "playing", "won", "lost"
_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


class GameSession:
    """One game of one level. Deterministic: same level, seed and inputs -> same game."""

    def __init__(self, level: Level, seed: int = 0, *, quiet: bool = False) -> None:
        self.level = level
        self.seed = seed
        self.quiet = quiet
        """Headless sweeps (the policy lab): skip the stories (the player's too, so no ``why()``
        and no replay ``told_sha256``), the tape and the groups' equity history. The game, its
        metrics and its state hash are the same; not for games that are saved or shown."""
        self.rng = Rng(seed ^ 0x5EED_6A3E)
        self.market = Market(level.market_config(seed), start_price=level.market.start_price)
        self.bots: list[Bot] = []
        self.groups_of: dict[int, str] = {}
        self._spawned: dict[str, int] = {}
        self.status = PLAYING
        self.end_reason = ""
        self.stars = 0
        self.input_log: list[PlayerInput] = []
        self._pending: list[PlayerInput] = []
        self._scheduled: dict[int, list[PlayerInput]] = {}
        self.pile_checks = 0
        self.pile_ok = True
        self.pile_failure = ""
        self.counts = {"liquidation": 0, "backstop": 0, "deleverage": 0}
        self.player_counts = {"liquidation": 0, "backstop": 0, "deleverage": 0}
        self.bad_debt = 0
        self.player_trades = 0
        self.player_margin_added = 0
        self.player_funding = 0
        self.player_filled_liquidations = 0
        self.deepest = "calm"
        self.waterfall_log: list[Event] = []
        self.tick_events: list[Event] = []
        self.stories: list[Story] = []
        self.tape: deque[Story] = deque(maxlen=TAPE)
        self.narration: deque[str] = deque(maxlen=NARRATION)
        self.player_stories: list[Story] = []
        self.chart: deque[views.ChartPoint] = deque(maxlen=CHART_POINTS)
        self.markers: deque[views.ChartMarker] = deque(maxlen=MARKERS)
        self.group_history: list[tuple[int, dict[str, int]]] = []
        self.paid_in: dict[str, int] = {}
        """Cash each group put into the pile (deposits less withdrawals): its equity minus this
        is what its trading won or lost."""
        self._fired: set[int] = set()
        self._was_true: dict[int, bool] = {}
        self._last_fire: dict[int, int] = {}
        self._snapshot: Frame | None = None
        self.why_view: WhyView | None = None
        """The last tick that touched the player, explained with numbers that add up."""
        self.answers: list[OrderAnswer] = []
        """What became of the player's orders in the last tick played."""
        self.funding_by_group: dict[str, int] = {}
        """Funding each group received (> 0) or paid (< 0) over the level."""
        self.adl: tuple[int | None, int, int] = (None, 0, 0)
        """The player's (rank, queue length, lights) in its ADL queue, ranked once per tick."""

        m = self.market
        if level.vault.cash:
            m.deposit(m.vault.id, level.vault.cash)
        self.vault_start = level.vault.cash
        self.groups_of[m.house.id] = "house"
        self.groups_of[m.vault.id] = "vault"
        if level.player_is_vault:
            self.player = m.vault
            self.role = "vault"
        else:
            p = level.player
            self.player = m.open_account(PLAYER, "player", "you", cash=p.cash, leverage=p.leverage)
            self.role = "trader"
            self.groups_of[self.player.id] = "player"
            if p.position:
                self.player.apply_trade(p.position, p.entry)
        self.deposited = self.player.cash
        self.seats: dict[str, int] = {SOLO_SEAT: self.player.id}
        """Seat name -> account id: ``"you"`` alone, unless a table adds seats."""
        self.seat_notes: list[tuple[int, Story]] = []
        """(account id, note) for the other seats of a table: what their inputs were told."""
        self._acting = self.player.id
        self.max_leverage = (
            m.config.vault_leverage if self.role == "vault" else level.player.max_leverage
        )
        for preset in level.accounts:
            acct = m.open_account(
                BOT if preset.bot else PRESET,
                preset.group,
                preset.name,
                cash=preset.cash,
                leverage=preset.leverage,
            )
            self.groups_of[acct.id] = preset.group
            if preset.position:
                acct.apply_trade(preset.position, preset.entry)
            if preset.bot:
                self._attach(acct.id, preset.bot, preset.params)
        for population in level.traders:
            self._spawn(population)
        if level.vault.unwinder and self.role != "vault":
            self._attach(m.vault.id, "vault_unwinder", {})
        o = level.oracle
        self.oracle = Oracle(
            level.market.start_price,
            self.rng.fork(-1),
            volatility_ppm=o.volatility,
            drift_ppm=o.drift,
            keyframes=[(k.tick, k.price) for k in o.keyframes],
        )
        self.storyteller = Storyteller(self._account_name, self.player.id)
        if self.pile_report().ok is False:  # pragma: no cover - presets are validated
            raise ValueError("the level's starting state breaks the pile law")
        for acct in m.accounts.values():  # before any trade, cash is exactly what was paid in
            group = self.groups_of.get(acct.id, acct.group)
            self.paid_in[group] = self.paid_in.get(group, 0) + acct.cash
        self.adl = views.adl_spot(self)
        self.metrics = views.metrics(self)
        self.chart.append(views.ChartPoint(0, m.index, m.mark, None))
        self.group_history.append((0, views.group_equity(self)))
        self.narration.append(level.meta.summary or level.meta.title)

    # ------------------------------------------------------------------ set-up
    def _attach(self, account_id: int, archetype: str, raw_params: dict) -> Bot:
        cls = ARCHETYPES[archetype]
        bot = cls(
            Desk(self.market, account_id), cls.make_params(raw_params), self.rng.fork(account_id)
        )
        self.bots.append(bot)
        return bot

    def _spawn(self, population) -> list[int]:
        """Open ``count`` accounts with fresh cash and a bot each; returns their ids."""
        ids = []
        lo_cash, hi_cash = population.cash
        lo_lev, hi_lev = population.leverage
        group = population.group
        for _ in range(population.count):
            n = self._spawned.get(group, 0) + 1
            self._spawned[group] = n
            cash = self.rng.between(lo_cash, hi_cash)
            leverage = self.rng.between(lo_lev, hi_lev)
            acct = self.market.open_account(
                BOT, group, f"{group}-{n}", cash=cash, leverage=leverage
            )
            self.groups_of[acct.id] = group
            self._attach(acct.id, population.archetype, population.params)
            ids.append(acct.id)
        return ids

    def add_seat(self, seat: str) -> int:
        """Open an account for one more trader at a shared table (before the first tick).

        It starts as the level's player does (cash and leverage, no position) and is an
        ordinary account otherwise: it trades, is liquidated and deleveraged like any other.
        """
        if self.tick or seat in self.seats:
            raise ValueError(f"seat {seat!r} cannot be added now")
        p = self.level.player
        acct = self.market.open_account(PLAYER, "seats", seat, cash=p.cash, leverage=p.leverage)
        self.seats[seat] = acct.id
        self.groups_of[acct.id] = "seats"
        self.paid_in["seats"] = self.paid_in.get("seats", 0) + acct.cash
        return acct.id

    def fire(self, index: int) -> None:
        """Do timeline entry ``index`` now (an instructor firing it early); once, then never."""
        self._fired.add(index)
        self._do(self.level.timeline[index])

    def _account_name(self, account_id: int) -> str | None:
        acct = self.market.accounts.get(account_id)
        return None if acct is None else acct.name

    # ------------------------------------------------------------------ inputs
    def submit(self, action: PlayerInput) -> None:
        """Queue a player action for the next tick (where it is logged with that tick)."""
        if self.status == PLAYING:
            self._pending.append(action)

    def schedule(self, actions: Iterable[PlayerInput]) -> None:
        """Scripted inputs (an actions file or a replay): each is applied at its own tick."""
        for action in actions:
            self._scheduled.setdefault(action.tick, []).append(action)

    def _apply(self, action: PlayerInput, tick: int) -> None:
        if action.seat not in self.seats:
            return  # not a seat of this game: nobody's input
        self.input_log.append(replace(action, tick=tick))
        self._acting = self.seats[action.seat]
        desk = Desk(self.market, self._acting)
        kind = action.kind
        if kind == "order":
            if action.leverage is not None:
                self._set_leverage(desk, action.leverage)
            order_kind = OrderType.MARKET if action.price is None else OrderType.LIMIT
            outcome = desk.order(
                action.side, action.qty, action.price, order_kind, reduce_only=action.reduce_only
            )
            self._answer(views.order_answer(action, outcome, tick))
        elif kind == "close":
            size = desk.size
            if size == 0:
                self._say("You have no position to close.")
            elif action.price is None:
                desk.cancel_all()
                outcome = desk.close()
                if outcome is not None:
                    close = PlayerInput.order(tick, SELL if size > 0 else BUY, abs(size))
                    self._answer(views.order_answer(close, outcome, tick, closing=True))
            else:
                outcome = desk.order(
                    SELL if size > 0 else BUY, abs(size), action.price, reduce_only=True
                )
                self._answer(views.order_answer(action, outcome, tick, closing=True))
        elif kind == "cancel_all":
            desk.cancel_all()
        elif kind == "pick_policy":
            policy_pick.apply(self, action.policy or "")
        elif kind == "cancel":
            if action.order_id is None or not desk.cancel(action.order_id):
                self._say("That order is no longer in the book.")
        elif kind == "leverage":
            self._set_leverage(desk, action.leverage or 1)
        elif kind == "add_margin":
            if self.player_margin_added + action.amount > MAX_ADDED_MARGIN:
                self._say(
                    f"Refused: at most ${format_cash(MAX_ADDED_MARGIN, places=0)} of margin can be "
                    "added in one game."
                )
                return
            desk.deposit(action.amount)
            self.deposited += action.amount
            self.player_margin_added += action.amount
            self._say(f"You added {format_cash(action.amount)} of margin: fresh cash in the pile.")
        elif kind == "remove_margin":
            refused = desk.withdraw(action.amount)
            if refused is None:
                self.deposited -= action.amount
                self.player_margin_added -= action.amount
                self._say(f"You took {format_cash(action.amount)} out of the pile.")
            else:
                self._say_refusal(refused)

    def _set_leverage(self, desk: Desk, value: int) -> None:
        if value > self.max_leverage:
            self._say(f"This level caps your leverage at {self.max_leverage}x.")
        elif value != desk.leverage:
            refused = desk.set_leverage(value)
            self._say_refusal(refused)
            if refused is None:
                self._say(f"Leverage set to {value}x.")

    def _answer(self, answer: OrderAnswer) -> None:
        """The order line answers the player's own orders only; a seat's copy answers its own."""
        if self._acting == self.player.id:
            self.answers.append(answer)

    def _say(self, text: str) -> None:
        if self._acting != self.player.id:
            self.seat_notes.append(
                (self._acting, Story(self.market.tick, "note", text, True, False))
            )
            return
        story = Story(self.market.tick, "note", text, True, False)
        self.player_stories.append(story)
        self.stories.append(story)
        self.narration.append(text)

    def _say_refusal(self, reason: str | None) -> None:
        if reason:
            self._say(reason[0].upper() + reason[1:] + ".")

    # -------------------------------------------------------------------- tick
    def step(self) -> bool:
        """Play one tick. Returns False (doing nothing) once the level has ended."""
        if self.status != PLAYING:
            return False
        m = self.market
        me = self.player
        before = why_mod.Before(me.equity(m.mark), me.size, m.mark)
        self.answers = []
        m.begin_tick()
        tick = m.tick
        self.stories = []
        self._snapshot = None
        self._run_timeline(tick)
        m.set_index(self.oracle.step(tick))
        groups_before = None if self.quiet else views.group_equity(self)
        for bot in self.bots:
            bot.act()
        for action in self._scheduled.pop(tick, ()):
            self._apply(action, tick)
        pending, self._pending = self._pending, []
        for action in pending:
            self._apply(action, tick)
        events = m.end_tick()
        self.tick_events = events
        self._absorb(events)
        self._explain_tick(events, before)
        report = m.check_pile()
        self.pile_checks += 1
        if not report.ok and self.pile_ok:
            self.pile_ok = False
            self.pile_failure = f"tick {tick}: {report.explain()}"
        self.chart.append(views.ChartPoint(tick, m.index, m.mark, m.last_price))
        if groups_before is not None:
            self.groups_now = views.group_equity(self)
            self.groups_before = groups_before
            self.group_history.append((tick, self.groups_now))
        self.adl = views.adl_spot(self)
        self.metrics = views.metrics(self)
        self._judge(tick)
        return True

    def run(self, ticks: int | None = None) -> None:
        """Step until the level ends (or ``ticks`` ticks have been played)."""
        limit = self.level.tick_limit if ticks is None else ticks
        while self.market.tick < limit and self.step():
            pass

    def _absorb(self, events: list[Event]) -> None:
        pid = self.player.id
        stage_rank = ("calm", "book", "vault", "adl")
        if stage_rank.index(self.market.stage) > stage_rank.index(self.deepest):
            self.deepest = self.market.stage
        for e in events:
            kind = e.type
            if kind in self.counts:
                self.counts[kind] += 1
                self.waterfall_log.append(e)
                subject = e.account
                if subject == pid:
                    self.player_counts[kind] += 1
                price = (
                    getattr(e, "avg_price", None) or getattr(e, "price", None) or self.market.mark
                )
                self.markers.append(views.ChartMarker(e.tick, price, kind, subject == pid))
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
                group = self.groups_of.get(e.account, self.market.accounts[e.account].group)
                sign = 1 if kind == "deposit" else -1
                self.paid_in[group] = self.paid_in.get(group, 0) + sign * e.amount
            elif kind == "funding":
                self.player_funding += views.player_funding(self, e)
                for account_id, amount in self.market.last_funding.items():
                    group = self.groups_of.get(account_id, self.market.accounts[account_id].group)
                    self.funding_by_group[group] = self.funding_by_group.get(group, 0) + amount
            if self.quiet:
                continue
            story = self.storyteller.tell(e)
            if story is None:
                continue
            self.stories.append(story)
            if story.kind != "funding" or story.player:
                self.tape.append(story)
            if story.player:
                self.player_stories.append(story)
                self.narration.append(story.text)
        if self.quiet:
            return
        for e in events:
            if e.type == "fill" and pid not in (e.maker, e.taker):
                self.tape.append(
                    Story(e.tick, "trade", views.trade_line(self, e), False, e.liquidation, e.price)
                )

    def _explain_tick(self, events: list[Event], before: why_mod.Before) -> None:
        """Keep the why? of this tick when anything in it touched the player."""
        pid = self.player.id
        funding = (
            self.market.last_funding.get(pid, 0) if any(e.type == "funding" for e in events) else 0
        )
        mine = [e for e in events if why_mod.touches(e, pid)]
        # fills and the player's liquidation are told line by line with their own numbers
        notes = [
            s.text
            for s in self.stories
            if s.player and s.kind != "fill" and not (s.kind == "liquidation" and s.subject)
        ]
        if not mine and not funding and not notes:
            return
        m = self.market
        self.why_view = why_mod.explain(
            events,
            pid=pid,
            before=before,
            equity_after=self.player.equity(m.mark),
            mark=m.mark,
            funding=funding,
            name=self.storyteller.name,
            tick=m.tick,
            seconds=self.seconds,
            headlines=tuple(notes),
        )

    # ----------------------------------------------------------------- timeline
    def _run_timeline(self, tick: int) -> None:
        for i, entry in enumerate(self.level.timeline):
            if self._due(i, entry, tick):
                self._do(entry)

    def _due(self, i: int, entry, tick: int) -> bool:
        if i in self._fired:
            return False
        every = entry.every
        if entry.at is not None:
            start = max(1, entry.at)
            if every is None:
                hit = tick == start
                if hit:
                    self._fired.add(i)
                return hit
            return tick >= start and (tick - start) % every == 0
        holds = entry.when.holds(self.metrics)
        if entry.once:
            if holds:
                self._fired.add(i)
            return holds
        if every is not None:
            last = self._last_fire.get(i)
            if holds and (last is None or tick - last >= every):
                self._last_fire[i] = tick
                return True
            return False
        rising = holds and not self._was_true.get(i, False)
        self._was_true[i] = holds
        return rising

    def _do(self, entry) -> None:
        kind = entry.do
        m = self.market
        if kind == "narrate":
            self.narration.append(self.render(entry.text))
        elif kind == "gap":
            self.oracle.gap(entry.change)
        elif kind == "move":
            self.oracle.move(entry.change, entry.ticks)
        elif kind == "move_to":
            self.oracle.move_to(entry.price, entry.ticks)
        elif kind == "volatility":
            self.oracle.set_volatility(entry.value)
        elif kind in ("pull_liquidity", "restore_liquidity"):
            for bot in self._bots_in(entry.group, default="market_maker"):
                bot.pull(kind == "pull_liquidity")
        elif kind == "spawn":
            self._spawn(entry)
        elif kind == "command":
            for bot in self._bots_in(entry.group):
                bot.command(entry.name, **entry.args)
        elif kind == "set":
            m.reconfigure(m.config.with_changes(**{entry.config_field: entry.value}))
        elif kind == "vault_deposit":
            m.deposit(m.vault.id, entry.cash)
        elif kind == "end":
            self._end(WON if entry.result == "win" else LOST, self.render(entry.text) or "")

    def _bots_in(self, group: str | None, default: str | None = None) -> list[Bot]:
        if group is None:
            return [b for b in self.bots if b.archetype == default] if default else []
        return [b for b in self.bots if self.groups_of.get(b.desk.account_id) == group]

    def render(self, text: str) -> str:
        """Fill ``{placeholders}`` in narration from the game's numbers, formatted for people."""
        values = views.placeholder_values(self)
        return _PLACEHOLDER.sub(lambda mt: values.get(mt.group(1), mt.group(0)), text)

    # --------------------------------------------------------------- objectives
    def _judge(self, tick: int) -> None:
        if self.status != PLAYING:
            return
        o = self.level.objectives
        metrics = self.metrics
        for goal in o.lose:
            if goal.when.holds(metrics):
                self._end(LOST, views.lose_reason(self, goal.label))
                return
        if o.win and all(goal.when.holds(metrics) for goal in o.win):
            self._end(WON, "; ".join(goal.label for goal in o.win))
            return
        if tick >= self.level.tick_limit:
            if o.survive:
                self._end(WON, "you survived to the end")
            else:
                self._end(LOST, views.time_out_reason(self))

    def _end(self, status: str, reason: str) -> None:
        self.status = status
        self.end_reason = reason
        if status == WON:
            self.stars = 1 + sum(
                1 for goal in self.level.objectives.stars if goal.when.holds(self.metrics)
            )
            self.narration.append(f"Level complete: {reason}. Stars: {self.stars}/3.")
        else:
            hint = self.level.objectives.hint
            self.narration.append(f"Level over: {reason}." + (f" Hint: {hint}" if hint else ""))
        self._snapshot = None

    # ----------------------------------------------------------------- reading
    def pile_report(self) -> PileReport:
        return self.market.check_pile()

    def frame(self) -> Frame:
        """The current frame (built once per tick, on demand)."""
        if self._snapshot is None:
            self._snapshot = views.build_snapshot(self)
        return self._snapshot

    @property
    def tick(self) -> int:
        return self.market.tick

    @property
    def seconds(self) -> float:
        return self.market.tick * self.level.tick_ms / 1000

    def state_text(self) -> str:
        """The whole game as canonical text: the market, the oracle, every bot, the timeline.

        Two games that differ anywhere (a bot's memory, an rng stream, the oracle's pending glide,
        which timeline entries have fired) give different text, so a replay that diverges is caught.
        """
        timeline = {
            "rng": self.rng,
            "spawned": self._spawned,
            "fired": self._fired,
            "was_true": self._was_true,
            "last_fire": self._last_fire,
            "status": self.status,
            "stars": self.stars,
        }
        parts = [self.market.to_text(), self.oracle.state_form()]
        parts.extend(bot.state_form() for bot in self.bots)
        parts.append("timeline:" + canonical(timeline))
        return "\n".join(parts)

    def state_hash(self) -> str:
        """SHA-256 of :meth:`state_text`."""
        return hashlib.sha256(self.state_text().encode()).hexdigest()

    def why(self) -> str:
        """The last event that touched the player, explained with its numbers.

        When the player was liquidated, taken over or deleveraged, that is the answer (all of it,
        from that tick), even if fills or other accounts' bad debt were told after it.
        """
        if not self.player_stories:
            return "Nothing has happened to you yet: no fills, liquidations or deleverages."
        last_tick = self.player_stories[-1].tick
        mine = [s for s in self.player_stories if s.tick == last_tick and s.subject]
        if mine:
            return " ".join(s.text for s in mine)
        return self.player_stories[-1].text

    def player_liq_price(self) -> int | None:
        return liquidation_price(self.player, self.market.config.maintenance_ppm)


__all__ = ["LOST", "PLAYING", "WON", "GameSession"]
