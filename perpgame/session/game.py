"""A game session: a level, a seed and the player's inputs -> ``step()`` -> a Frame.

The session is the table of one game: it owns the market, the oracle, the bots and the seats,
applies the player's inputs and runs one tick at a time exactly as DESIGN.md describes, logging
every input with its tick (so a game replays bit for bit). Its cast (:mod:`perpgame.session.cast`)
opens the level's accounts and bots, its chronicle (:mod:`perpgame.session.chronicle`) writes
down what happened and its director (:mod:`perpgame.session.director`) runs the level's timeline
and judges the objectives. The TUI talks to this object only: it reads immutable Frames and sends
PlayerInputs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import replace

from perpgame.engine.account import PLAYER
from perpgame.engine.book import BUY, SELL, OrderType
from perpgame.engine.market import Market, PileReport
from perpgame.engine.risk import MARGIN, Refusal, liquidation_price
from perpgame.engine.rng import Rng
from perpgame.engine.units import format_cash
from perpgame.level.schema import Level
from perpgame.session import order_margin, policy_pick, views
from perpgame.session import why as why_mod
from perpgame.session.cast import Cast
from perpgame.session.chronicle import Chronicle
from perpgame.session.director import LOST, PLAYING, WON, Director, render
from perpgame.session.frame import ChartPoint, Frame, OrderAnswer, WhyView
from perpgame.session.inputs import SOLO_SEAT, PlayerInput
from perpgame.session.limits import MAX_ADDED_MARGIN
from perpgame.session.stories import Story, Storyteller, refusal_words
from perpgame.world.desk import Desk
from perpgame.world.oracle import Oracle
from perpgame.world.state import canonical


class _Chronicled:
    """A session attribute the chronicle keeps (read and written through the session)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, session: GameSession | None, owner: type | None = None):
        return self if session is None else getattr(session.chronicle, self.name)

    def __set__(self, session: GameSession, value) -> None:
        setattr(session.chronicle, self.name, value)


class GameSession:
    """One game of one level. Deterministic: same level, seed and inputs -> same game."""

    # what happened, as the chronicle has it
    counts = _Chronicled()
    player_counts = _Chronicled()
    bad_debt = _Chronicled()
    player_trades = _Chronicled()
    player_funding = _Chronicled()
    player_filled_liquidations = _Chronicled()
    deepest = _Chronicled()
    waterfall_log = _Chronicled()
    tick_events = _Chronicled()
    stories = _Chronicled()
    tape = _Chronicled()
    narration = _Chronicled()
    player_stories = _Chronicled()
    chart = _Chronicled()
    markers = _Chronicled()
    group_history = _Chronicled()
    paid_in = _Chronicled()
    funding_by_group = _Chronicled()
    pile_checks = _Chronicled()
    pile_ok = _Chronicled()
    pile_failure = _Chronicled()

    def __init__(self, level: Level, seed: int = 0, *, quiet: bool = False) -> None:
        self.level = level
        self.seed = seed
        self.quiet = quiet
        """Headless sweeps (the policy lab): skip the stories (the player's too, so no ``why()``
        and no replay ``told_sha256``), the tape and the groups' equity history. The game, its
        metrics and its state hash are the same; not for games that are saved or shown."""
        self.rng = Rng(seed ^ 0x5EED_6A3E)
        self.market = Market(level.market_config(seed), start_price=level.market.start_price)
        self.cast = Cast(self.market, self.rng)
        self.bots = self.cast.bots
        self.groups_of = self.cast.groups_of
        self.status = PLAYING
        self.end_reason = ""
        self.stars = 0
        self.input_log: list[PlayerInput] = []
        self._pending: list[PlayerInput] = []
        self._scheduled: dict[int, list[PlayerInput]] = {}
        self.player_margin_added = 0
        self.margin_added: dict[int, int] = {}
        """Margin each account added less what it took out, by account id (the player's and,
        at a table, each seat's): the cap on adding margin is per account."""
        self.director = Director(level)
        self._snapshot: Frame | None = None
        self.why_view: WhyView | None = None
        """The last tick that touched the player, explained with numbers that add up."""
        self.answers: list[OrderAnswer] = []
        """What became of the player's orders in the last tick played."""
        self.adl: tuple[int | None, int, int] = (None, 0, 0)
        """The player's (rank, queue length, lights) in its ADL queue, ranked once per tick."""
        self._open_accounts()
        self.seats: dict[str, int] = {SOLO_SEAT: self.player.id}
        """Seat name -> account id: ``"you"`` alone, unless a table adds seats."""
        self.seat_notes: list[tuple[int, Story]] = []
        """(account id, note) for the other seats of a table: what their inputs were told."""
        self._acting = self.player.id
        o = level.oracle
        self.oracle = Oracle(
            level.market.start_price,
            self.rng.fork(-1),
            volatility_ppm=o.volatility,
            drift_ppm=o.drift,
            keyframes=[(k.tick, k.price) for k in o.keyframes],
        )
        self.storyteller = Storyteller(self._account_name, self.player.id)
        self.chronicle = Chronicle(self.market, self.groups_of, self.storyteller, quiet)
        self._first_page()

    # ------------------------------------------------------------------ set-up
    def _open_accounts(self) -> None:
        """The vault's cash, the player, the level's preset accounts and its trader populations."""
        level = self.level
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
        self.max_leverage = (
            m.config.vault_leverage if self.role == "vault" else level.player.max_leverage
        )
        self.cast.open_presets(level.accounts)
        for population in level.traders:
            self.cast.spawn(population)
        if level.vault.unwinder and self.role != "vault":
            self.cast.attach(m.vault.id, "vault_unwinder", {})

    def _first_page(self) -> None:
        """The chronicle at tick 0: who paid in what, the first chart point, the level's summary."""
        m = self.market
        if self.pile_report().ok is False:  # pragma: no cover - presets are validated
            raise ValueError("the level's starting state breaks the pile law")
        paid_in = self.chronicle.paid_in
        for acct in m.accounts.values():  # before any trade, cash is exactly what was paid in
            group = self.groups_of.get(acct.id, acct.group)
            paid_in[group] = paid_in.get(group, 0) + acct.cash
        self.adl = views.adl_spot(self)
        self.metrics = views.metrics(self)
        self.chronicle.chart.append(ChartPoint(0, m.index, m.mark, None))
        self.chronicle.group_history.append((0, views.group_equity(self)))
        self.chronicle.say(self.level.meta.summary or self.level.meta.title)

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
        self.director.fired.add(index)
        self._do(self.level.timeline[index])

    @property
    def fired(self) -> frozenset[int]:
        """The timeline entries that fired once and will not fire again."""
        return frozenset(self.director.fired)

    def _account_name(self, account_id: int) -> str | None:
        acct = self.market.accounts.get(account_id)
        return None if acct is None else acct.name

    # ------------------------------------------------------------------ inputs
    def submit(self, action: PlayerInput) -> None:
        """Queue a player action for the next tick (where it is logged with that tick)."""
        if self.status == PLAYING:
            self._pending.append(action)

    @property
    def queued(self) -> tuple[PlayerInput, ...]:
        """The inputs the next ``step()`` applies, in the order it applies them (scheduled for the
        next tick, then submitted), each at the tick it will be applied at."""
        nxt = self.tick + 1
        submitted = (replace(action, tick=nxt) for action in self._pending)
        return (*self._scheduled.get(nxt, ()), *submitted)

    def schedule(self, actions: Iterable[PlayerInput]) -> None:
        """Scripted inputs (an actions file or a replay): each is applied at its own tick."""
        for action in actions:
            self._scheduled.setdefault(action.tick, []).append(action)

    def _apply(self, action: PlayerInput, tick: int) -> None:
        """Log one input with its tick and do it at its seat's desk (see ``_INPUTS``)."""
        if action.seat not in self.seats:
            return  # not a seat of this game: nobody's input
        self.input_log.append(replace(action, tick=tick))
        self._at_desk(action, tick)

    def _at_desk(self, action: PlayerInput, tick: int) -> None:
        """Do one input at its seat's desk (see ``_INPUTS``), unlogged."""
        self._acting = self.seats[action.seat]
        _INPUTS[action.kind](self, action, Desk(self.market, self._acting), tick)

    def apply_now(self, action: PlayerInput) -> list:
        """Do one seat's input at once, between two ticks, at the tick just played: a shared
        table matching an order on arrival, as a venue does. It is not in ``input_log`` (whose
        inputs apply inside their tick): the table logs it, and a replay that applies it after
        the same tick plays the same game. Returns its events, already told to the chronicle."""
        if self.status != PLAYING or action.seat not in self.seats:
            return []
        m = self.market
        first = len(m.events)
        self._at_desk(action, m.tick)
        events = m.events[first:]
        self.chronicle.absorb(events, self.player.id)
        self.chronicle.check_pile()
        self._snapshot = None
        return events

    def _input_order(self, action: PlayerInput, desk: Desk, tick: int) -> None:
        if action.leverage is not None:
            self._set_leverage(desk, action.leverage)
        order_kind = OrderType.MARKET if action.price is None else OrderType.LIMIT
        m = self.market
        acct = m.accounts[desk.account_id]
        held_before = order_margin.held_by_orders(m, acct)
        outcome = desk.order(
            action.side, action.qty, action.price, order_kind, reduce_only=action.reduce_only
        )
        held = order_margin.held_by_orders(m, acct)
        answer = views.order_answer(action, outcome, tick)
        if outcome.resting and held > held_before:
            answer = order_margin.with_held(answer, held - held_before)
            free = acct.equity(m.mark) - m.margin_in_use(acct)
            self._narrate(order_margin.resting_note(action.side, held - held_before, free))
        elif outcome.rejected == MARGIN and held > 0:
            answer = order_margin.refused_answer(answer, held)
            self._say(order_margin.refused_note(held))
        self._answer(answer)

    def _input_close(self, action: PlayerInput, desk: Desk, tick: int) -> None:
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

    def _input_cancel_all(self, action: PlayerInput, desk: Desk, tick: int) -> None:
        desk.cancel_all()

    def _input_cancel(self, action: PlayerInput, desk: Desk, tick: int) -> None:
        if action.order_id is None or not desk.cancel(action.order_id):
            self._say("That order is no longer in the book.")

    def _input_leverage(self, action: PlayerInput, desk: Desk, tick: int) -> None:
        self._set_leverage(desk, action.leverage or 1)

    def _input_add_margin(self, action: PlayerInput, desk: Desk, tick: int) -> None:
        if self.margin_added.get(self._acting, 0) + action.amount > MAX_ADDED_MARGIN:
            self._say(
                f"Refused: at most ${format_cash(MAX_ADDED_MARGIN, places=0)} of margin can be "
                "added in one game."
            )
            return
        desk.deposit(action.amount)
        self._margin_moved(action.amount)
        self._say(f"You added {format_cash(action.amount)} of margin: fresh cash in the pile.")

    def _input_remove_margin(self, action: PlayerInput, desk: Desk, tick: int) -> None:
        refused = desk.withdraw(action.amount)
        if refused is None:
            self._margin_moved(-action.amount)
            self._say(f"You took {format_cash(action.amount)} out of the pile.")
        else:
            self._say_refusal(refused)

    def _margin_moved(self, amount: int) -> None:
        """Count margin the acting seat added (> 0) or took out (< 0): the player's own figures
        for the player, and each seat's at a table."""
        acting = self._acting
        self.margin_added[acting] = self.margin_added.get(acting, 0) + amount
        if acting == self.player.id:
            self.deposited += amount
            self.player_margin_added += amount

    def _input_pick_policy(self, action: PlayerInput, desk: Desk, tick: int) -> None:
        told = policy_pick.apply(self.level, self.market, self.waterfall_log, action.policy or "")
        self._say(told)

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
        self.chronicle.note(text)

    def _narrate(self, text: str) -> None:
        """A line for the narrator only: not a story of the debrief's timeline or of why?."""
        if self._acting == self.player.id:
            self.chronicle.say(text)
        else:
            self._say(text)

    def _say_refusal(self, refusal: Refusal | None) -> None:
        if refusal is not None:
            reason = refusal_words(refusal)
            self._say(reason[0].upper() + reason[1:] + ".")

    # -------------------------------------------------------------------- tick
    def step(self) -> bool:
        """Play one tick. Returns False (doing nothing) once the level has ended."""
        if self.status != PLAYING:
            return False
        m = self.market
        me = self.player
        chronicle = self.chronicle
        before = why_mod.Before(me.equity(m.mark), me.size, m.mark)
        self.answers = []
        m.begin_tick()
        tick = m.tick
        chronicle.stories = []
        self._snapshot = None
        for entry in self.director.due(tick, self.metrics):
            self._do(entry)
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
        chronicle.absorb(events, me.id)
        self._explain_tick(events, before)
        chronicle.check_pile()
        chronicle.chart_tick()
        if groups_before is not None:
            chronicle.groups_moved(tick, groups_before, views.group_equity(self))
        self.adl = views.adl_spot(self)
        self.metrics = views.metrics(self)
        self._judge(tick)
        return True

    def run(self, ticks: int | None = None) -> None:
        """Step until the level ends (or ``ticks`` ticks have been played)."""
        limit = self.level.tick_limit if ticks is None else ticks
        while self.market.tick < limit and self.step():
            pass

    def _explain_tick(self, events: list, before: why_mod.Before) -> None:
        """Keep the why? of this tick when anything in it touched the player."""
        pid = self.player.id
        mine, funded = why_mod.scan(events, pid)
        funding = self.market.last_funding.get(pid, 0) if funded else 0
        # fills and the player's liquidation are told line by line with their own numbers
        notes = [
            s.text
            for s in self.chronicle.stories
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
    def _do(self, entry) -> None:
        """Do one timeline entry: the director says when, the table does it."""
        kind = entry.do
        m = self.market
        if kind == "narrate":
            self.chronicle.say(self.render(entry.text))
        elif kind == "gap":
            self.oracle.gap(entry.change)
        elif kind == "move":
            self.oracle.move(entry.change, entry.ticks)
        elif kind == "move_to":
            self.oracle.move_to(entry.price, entry.ticks)
        elif kind == "volatility":
            self.oracle.set_volatility(entry.value)
        elif kind in ("pull_liquidity", "restore_liquidity"):
            for bot in self.cast.bots_in(entry.group, default="market_maker"):
                bot.pull(kind == "pull_liquidity")
        elif kind == "spawn":
            self.cast.spawn(entry)
        elif kind == "command":
            for bot in self.cast.bots_in(entry.group):
                bot.command(entry.name, **entry.args)
        elif kind == "set":
            m.reconfigure(m.config.with_changes(**{entry.config_field: entry.value}))
        elif kind == "vault_deposit":
            m.deposit(m.vault.id, entry.cash)
        elif kind == "end":
            self._end(WON if entry.result == "win" else LOST, self.render(entry.text) or "")

    def render(self, text: str) -> str:
        """Fill ``{placeholders}`` in narration from the game's numbers, formatted for people."""
        return render(text, views.placeholder_values(self))

    # --------------------------------------------------------------- objectives
    def _judge(self, tick: int) -> None:
        if self.status != PLAYING:
            return
        verdict = self.director.judge(
            tick,
            self.metrics,
            lose_reason=lambda label: views.lose_reason(self, label),
            time_out_reason=lambda: views.time_out_reason(self),
        )
        if verdict is not None:
            self._end(*verdict)

    def _end(self, status: str, reason: str) -> None:
        self.status = status
        self.end_reason = reason
        stars, line = self.director.ending(status, reason, self.metrics)
        if status == WON:
            self.stars = stars
        self.chronicle.say(line)
        self._snapshot = None

    # ----------------------------------------------------------------- reading
    def pile_report(self) -> PileReport:
        return self.market.check_pile()

    def frame(self) -> Frame:
        """The current frame (built once per tick, on demand)."""
        if self._snapshot is None:
            self._snapshot = views.build_frame(self)
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
        director = self.director
        timeline = {
            "rng": self.rng,
            "spawned": self.cast.spawned,
            "fired": director.fired,
            "was_true": director.was_true,
            "last_fire": director.last_fire,
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
        player_stories = self.chronicle.player_stories
        if not player_stories:
            return "Nothing has happened to you yet: no fills, liquidations or deleverages."
        last_tick = player_stories[-1].tick
        mine = [s for s in player_stories if s.tick == last_tick and s.subject]
        if mine:
            return " ".join(s.text for s in mine)
        return player_stories[-1].text

    def player_liq_price(self) -> int | None:
        return liquidation_price(self.player, self.market.config.maintenance_ppm)


_INPUTS: dict[str, Callable[[GameSession, PlayerInput, Desk, int], None]] = {
    "order": GameSession._input_order,
    "close": GameSession._input_close,
    "cancel_all": GameSession._input_cancel_all,
    "cancel": GameSession._input_cancel,
    "leverage": GameSession._input_leverage,
    "add_margin": GameSession._input_add_margin,
    "remove_margin": GameSession._input_remove_margin,
    "pick_policy": GameSession._input_pick_policy,
}
"""Each input kind and the method that does it: a new kind is one method and one line here."""


__all__ = ["LOST", "PLAYING", "WON", "GameSession"]
