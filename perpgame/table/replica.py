"""A seat's own copy of the table's game, played from every seat's inputs, seen from that seat.

The game is deterministic, so a client that has the level, the seed, the seats, and every input
and fired event with its tick plays exactly the table's game, and can show it with the ordinary
game screen: the session's player is the seat's account (stories say "you", the position panel
is the seat's, why? explains the seat's liquidation). Nothing in the table's game reads the
player's numbers (see :func:`perpgame.table.core.table_level`), so looking from a seat changes
nothing in it: the copy reaches the table's state hash tick for tick.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from perpgame.level.schema import Level
from perpgame.session import GameSession
from perpgame.session import views as session_views
from perpgame.session.frame import Frame
from perpgame.session.inputs import PlayerInput
from perpgame.table.core import Table
from perpgame.table.views import UNPLAYED


def look_from(session: GameSession, seat: str) -> None:
    """Make ``seat``'s account the session's player, before the first tick.

    In the pile the seat is "you" (group ``player``) and the level's own player, whom nobody
    plays at a table, is ``no_seat`` ("no seat") (see :func:`without_unplayed`); groups are for people only,
    the game does not read them.
    """
    if session.tick:
        raise ValueError("a seat's view is chosen before the game starts")
    acct = session.market.accounts[session.seats[seat]]
    paid = session.paid_in
    if session.role != "vault":  # a level whose player is the vault keeps its vault the vault
        session.groups_of[session.player.id] = UNPLAYED
        paid[UNPLAYED] = paid.pop("player", 0)
    session.groups_of[acct.id] = "player"
    paid["seats"] = paid.get("seats", 0) - acct.cash
    paid["player"] = acct.cash
    session.group_history[0] = (0, session_views.group_equity(session))
    session.player = acct
    session.storyteller.player_id = acct.id
    session.deposited = acct.cash
    session.adl = session_views.adl_spot(session)
    session.metrics = session_views.metrics(session)
    session._snapshot = None


def without_unplayed(frame: Frame) -> Frame:
    """``frame`` with the pile's ``no_seat`` share left out, its cash out of the total too (so
    the pile shown still adds up, to the cash of everyone who trades). Only for a level whose
    player starts with no position: then that account never trades, and its cash never moves.
    """
    pile = frame.pile
    aside = sum(s.equity for s in pile.shares if s.group == UNPLAYED)
    shares = tuple(s for s in pile.shares if s.group != UNPLAYED)
    if len(shares) == len(pile.shares):
        return frame
    pile = replace(
        pile, total=pile.total - aside, equity_sum=pile.equity_sum - aside, shares=shares
    )
    return replace(frame, pile=pile)


class SeatReplica:
    """Plays the table's ticks as they are announced; ``step`` is False while none is due."""

    def __init__(self, level: Level, seed: int, seats: list[str], seat: str) -> None:
        self.table = Table(level, seed, seats)
        self.session = self.table.session
        self.seat = seat
        look_from(self.session, seat)
        if not level.player.position:  # the unplayed account is cash nobody moves: not shown
            self.session.frame = self.frame  # type: ignore[method-assign]
        self._framed: tuple[Frame, Frame] | None = None
        self.known = 0
        """The last tick the table has announced."""
        self._due: dict[int, tuple[list[PlayerInput], list[int]]] = {}
        self._after: dict[int, list[PlayerInput]] = {}
        """Inputs the table applied on arrival, by the tick after which they applied."""
        self.arrived = 0
        """How many inputs applied on arrival this copy has been given."""

    def feed(
        self, tick: int, inputs: list[PlayerInput], fires: list[int], arrivals: int | None = None
    ) -> None:
        """The table played ``tick`` with these inputs and fired events (in order); ``arrivals``:
        how many inputs it had applied on arrival by then (checked: none may be missing)."""
        if tick != self.known + 1:
            raise ValueError(f"tick {tick} announced after tick {self.known}: a tick is missing")
        if arrivals is not None and arrivals != self.arrived:
            raise ValueError(f"{arrivals} arrivals announced, {self.arrived} came: one is missing")
        self._due[tick] = (inputs, fires)
        self.known = tick

    def arrive(self, action: PlayerInput) -> int:
        """The table applied ``action`` on arrival, after tick ``action.tick``: now, if this
        copy has played that tick, else right after it. Returns how many answers to the seat's
        own orders it added to the session's ``answers`` now (0 when it waits)."""
        if action.tick > self.known or action.tick < self.session.tick:
            raise ValueError(f"an arrival after tick {action.tick} came at tick {self.known}")
        self.arrived += 1
        if action.tick != self.session.tick:
            self._after.setdefault(action.tick, []).append(action)
            return 0
        before = len(self.session.answers)
        self.table.arrive(action)
        return len(self.session.answers) - before

    def feed_log(
        self,
        inputs: list[PlayerInput],
        fires: list[tuple[int, int]],
        ticks: int,
        arrivals: Sequence[PlayerInput] = (),
    ) -> None:
        """Everything the table played before this client joined."""
        for action in arrivals:
            self._after.setdefault(action.tick, []).append(action)
        self.arrived += len(arrivals)
        by_tick: dict[int, tuple[list[PlayerInput], list[int]]] = {}
        for action in inputs:
            by_tick.setdefault(action.tick, ([], []))[0].append(action)
        for tick, index in fires:
            by_tick.setdefault(tick, ([], []))[1].append(index)
        for tick in range(self.known + 1, ticks + 1):
            self.feed(tick, *by_tick.get(tick, ([], [])))

    def step(self) -> bool:
        """Play the next announced tick; False when there is none yet (or the game is over)."""
        tick = self.session.tick + 1
        if tick > self.known:
            return False
        inputs, fires = self._due.pop(tick)
        self.session.schedule(inputs)
        for index in fires:
            self.session.fire(index)
        played = GameSession.step(self.session)
        for action in self._after.pop(tick, ()):
            self.table.arrive(action)
        self.session.seat_notes.clear()  # the other seats' notes: theirs to read, not this copy's
        return played

    def frame(self) -> Frame:
        """The session's frame as the seat is shown it (:func:`without_unplayed`), built once."""
        frame = GameSession.frame(self.session)
        if self._framed is None or self._framed[0] is not frame:
            self._framed = (frame, without_unplayed(frame))
        return self._framed[1]

    def catch_up(self) -> None:
        while self.step():
            pass
