"""The authoritative table: one game session, many seats, every input stamped with its tick.

No clock and no network here: the server calls :meth:`Table.submit` when a message arrives and
:meth:`Table.step` when a tick is due. An input either waits for the next tick (a paused table,
or before the first tick), where the session applies it after the bots and logs it with that
tick, or, on a running table, is applied on arrival, between two ticks, as a venue matches an
order when it comes in; such an *arrival* is logged with the tick just played and replayed right
after that tick. Either way the log replays bit for bit (:mod:`perpgame.table.log`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from perpgame.level.schema import Level
from perpgame.session import GameSession
from perpgame.session.game import PLAYING
from perpgame.session.inputs import SEAT_NAME, SOLO_SEAT, PlayerInput
from perpgame.table.telling import TableDirector, standing_line, table_opening
from perpgame.table.views import leaderboard

SEAT_KINDS = ("order", "close", "cancel_all", "cancel", "leverage", "add_margin", "remove_margin")
"""What a seat may do (all a player can, but pick the level's ADL policy)."""
MAX_SEATS = 200
NEVER = 1 << 62
"""The tick of a timeline entry a table leaves out (no game gets there)."""


class TableError(Exception):
    """An input the table refuses; the message says why, for people."""


def seat_names(count: int) -> list[str]:
    """``seat-1`` .. ``seat-N``."""
    if not 1 <= count <= MAX_SEATS:
        raise TableError(f"a table has 1 to {MAX_SEATS} seats, not {count}")
    return [f"seat-{i}" for i in range(1, count + 1)]


def _reads_the_player(entry) -> bool:
    """True for a timeline entry that waits on the one player's numbers (``player_...``)."""
    when = entry.when
    return when is not None and any(c.metric.startswith("player_") for c in when.clauses)


def table_level(level: Level) -> Level:
    """The level as a table plays it: its market, bots, timeline and time limit, without the
    objectives of the level's one player and without the timeline entries that wait on that
    player's numbers: that player is not at the table (its account stays idle), and so the game
    is the same whichever seat looks at it. An entry that goes keeps its place (as a silent
    note), so an instructor fires entry ``i`` of the level file."""
    timeline = [
        e.model_copy(update={"do": "narrate", "text": "", "every": None, "when": None, "at": NEVER})
        if _reads_the_player(e)
        else e
        for e in level.timeline
    ]
    objectives = level.objectives.model_copy(
        update={"win": [], "lose": [], "stars": [], "survive": True}
    )
    return level.model_copy(update={"timeline": timeline, "objectives": objectives})


class Table:
    """A level's market with the level's bots and one account per seat."""

    def __init__(self, level: Level, seed: int, seats: list[str]) -> None:
        if len(set(seats)) != len(seats) or not seats:
            raise TableError("seat names must be distinct, and there must be at least one")
        for seat in seats:
            if seat == SOLO_SEAT or not SEAT_NAME.fullmatch(seat):
                raise TableError(f"{seat!r} is not a seat name (1-24 letters, digits, - or _)")
        self.level = level
        self.seed = seed
        self.session = GameSession(table_level(level), seed)
        self.session.director = TableDirector(self.session.level, self._standing)
        for seat in seats:
            self.session.add_seat(seat)
        self.seats = list(seats)
        said = self.session.chronicle.narration  # the level's summary, to its one player
        said[-1] = table_opening(level, len(seats))  # words only: not part of the game's state
        self.fires: list[tuple[int, int]] = []
        """(tick, timeline index) of every event the instructor fired early, in order."""
        self._fire_queue: list[int] = []
        self.arrivals: list[PlayerInput] = []
        """Inputs applied on arrival, each with the tick after which it was applied, in order."""
        self.events_since: list = []
        """The events since the previous tick was played: the arrivals' then the tick's own."""
        self._arrived_events: list = []

    @property
    def tick(self) -> int:
        return self.session.tick

    @property
    def playing(self) -> bool:
        return self.session.status == PLAYING

    def submit(self, seat: str, action: PlayerInput, *, now: bool = False) -> int:
        """Queue ``action`` for ``seat`` to apply at the next tick, or with ``now`` (and a tick
        played) apply it at once, as an arrival. Returns the tick it applies at, or for an
        arrival the tick after which it applied (see :attr:`arrivals`)."""
        if seat not in self.session.seats or seat == SOLO_SEAT:
            raise TableError(f"there is no seat {seat!r} at this table")
        if action.kind not in SEAT_KINDS:
            raise TableError(f"a seat cannot {action.kind.replace('_', ' ')} at a table")
        if not self.playing:
            raise TableError("the game at this table has ended")
        if now and self.tick >= 1:
            self.arrive(replace(action, tick=self.tick, seat=seat))
            return self.tick
        tick = self.tick + 1
        self.session.submit(replace(action, tick=tick, seat=seat))
        return tick

    def arrive(self, action: PlayerInput) -> None:
        """Apply an input now, after tick ``action.tick`` (the tick just played), and log it."""
        if action.tick != self.tick:
            raise TableError(f"an arrival after tick {action.tick} cannot apply at {self.tick}")
        self.arrivals.append(action)
        self._arrived_events += self.session.apply_now(action)

    def _standing(self) -> str:
        """The place and profit of the seat the game is looked at from (a seat's copy, see
        :func:`perpgame.table.replica.look_from`); empty at the table itself."""
        session = self.session
        rows = leaderboard(session, self.seats)
        for place, row in enumerate(rows, 1):
            if session.seats[row["seat"]] == session.player.id:
                return standing_line(place, len(rows), row["pnl"])
        return ""

    def fire(self, index: int) -> int:
        """Queue timeline entry ``index`` to fire at the next tick (before the tick's own timeline)."""
        timeline = self.level.timeline
        if not 0 <= index < len(timeline):
            raise TableError(f"the level's timeline has entries 0 to {len(timeline) - 1}")
        if timeline[index].every is not None:
            raise TableError(f"timeline entry {index} repeats; only one-off events fire early")
        if index in self.session.fired or index in self._fire_queue:
            raise TableError(f"timeline entry {index} has already fired")
        if not self.playing:
            raise TableError("the game at this table has ended")
        self._fire_queue.append(index)
        return self.tick + 1

    def step(self) -> bool:
        """Play one tick (the fired events first); False once the game has ended."""
        if not self.playing:
            return False
        queue, self._fire_queue = self._fire_queue, []
        arrived, self._arrived_events = self._arrived_events, []
        for index in queue:
            self.fires.append((self.tick + 1, index))
            self.session.fire(index)
        played = self.session.step()
        self.events_since = arrived + self.session.tick_events
        return played

    def state_hash(self) -> str:
        return self.session.state_hash()


def replay_table(
    level: Level,
    seed: int,
    seats: list[str],
    inputs: list[PlayerInput],
    fires: list[tuple[int, int]],
    ticks: int,
    arrivals: Sequence[PlayerInput] = (),
) -> GameSession:
    """Play a table's log offline: the same seats, inputs, fired events and arrivals -> the
    same game."""
    table = Table(level, seed, seats)
    session = table.session
    session.schedule(inputs)
    due: dict[int, list[int]] = {}
    for tick, index in fires:
        due.setdefault(tick, []).append(index)
    after: dict[int, list[PlayerInput]] = {}
    for action in arrivals:
        after.setdefault(action.tick, []).append(action)
    while session.tick < ticks:
        for index in due.pop(session.tick + 1, ()):
            table.fire(index)
        if not table.step():
            break
        for action in after.pop(session.tick, ()):
            table.arrive(action)
    return session
