"""The table log: the level, the seed, the seats and every input with its tick. It is a replay.

``inputs`` applied inside their tick (after the bots); ``arrivals`` were applied on arrival,
right after the tick they carry, in the order listed (:mod:`perpgame.table.core`).

``perpgame replay FILE`` recognises a table log (``"kind": "table-log"``) and plays it offline to
its last tick, then compares the state hash with the one the table recorded.

Every log carries its format ``version`` and, from version 2, the perpgame that wrote it
(``written_by``), so a perpgame that cannot read a log says which one wrote it and what to do.
Version 1 (session 2 onwards; ``arrivals`` since session 4) still reads.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from perpgame import __version__
from perpgame.level.catalog import find_level
from perpgame.level.errors import LevelError
from perpgame.level.loader import load_level
from perpgame.level.schema import Level
from perpgame.saves import MAX_FILE_BYTES, MAX_TICKS, Action, ReplayError, atomic_write
from perpgame.session.inputs import SOLO_SEAT
from perpgame.table.core import SEAT_KINDS, Table, replay_table

KIND = "table-log"
VERSION = 2
"""The format this perpgame writes; it reads 1 to this. 2 added ``written_by``."""
WRITER = f"perpgame {__version__}"
SeatName = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,24}$")]
Tick = Annotated[int, Field(ge=0, le=MAX_TICKS)]


class TableLog(BaseModel):
    """What a table recorded; enough to play the same game again, unit for unit."""

    model_config = ConfigDict(extra="forbid", strict=True)
    kind: Literal["table-log"] = KIND
    version: Literal[1, 2] = VERSION
    written_by: str | None = Field(None, max_length=64)
    """The perpgame that wrote the log (``perpgame 0.1.0``); None in version 1 logs."""
    level_id: str = Field(max_length=48)
    level_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    level_file: str | None = Field(None, max_length=4096)
    seed: int = Field(ge=-(1 << 63), lt=1 << 64)
    seats: list[SeatName] = Field(min_length=1, max_length=200)
    ticks: Tick
    inputs: list[Action] = Field(default_factory=list)
    arrivals: list[Action] = Field(default_factory=list)
    fires: list[tuple[Tick, Annotated[int, Field(ge=0, le=10_000)]]] = Field(default_factory=list)
    final_state_hash: str = Field(pattern=r"^[0-9a-f]{16,128}$")

    @model_validator(mode="after")
    def _consistent(self) -> TableLog:
        if len(set(self.seats)) != len(self.seats) or SOLO_SEAT in self.seats:
            raise ValueError("seats must be distinct seat names")
        previous = 0
        for i, action in enumerate(self.inputs):
            if action.seat not in self.seats or action.kind not in SEAT_KINDS:
                raise ValueError(f"inputs[{i}] is not an input of a seat of this table")
            if not previous <= action.tick <= self.ticks or action.tick < 1:
                raise ValueError(f"inputs[{i}] is at tick {action.tick}: out of order")
            previous = action.tick
        previous = 1
        for i, action in enumerate(self.arrivals):
            if action.seat not in self.seats or action.kind not in SEAT_KINDS:
                raise ValueError(f"arrivals[{i}] is not an input of a seat of this table")
            if not previous <= action.tick <= self.ticks:
                raise ValueError(f"arrivals[{i}] is after tick {action.tick}: out of order")
            previous = action.tick
        for i, (tick, _) in enumerate(self.fires):
            if not 1 <= tick <= self.ticks:
                raise ValueError(f"fires[{i}] is at tick {tick}, outside the game")
        return self


def find_logged_level(level_id: str, sha256: str, level_file: str | None) -> Level:
    """The level a table played: a shipped one by id, else the file the host was given, and
    only with the same bytes (another version would be another game); ``LevelError`` if not."""
    tried = []
    for name in (level_id, level_file):
        if not name:
            continue
        try:
            level = load_level(find_level(name))
        except LevelError as exc:
            tried.append("; ".join(exc.lines()))
            continue
        if level.id == level_id and level.sha256 == sha256:
            return level
        tried.append(f"{level.source} is not the level the table played (changed since?)")
    raise LevelError.single(level_file or level_id, "", " / ".join(tried) or "not found")


def table_log(table: Table) -> TableLog:
    """The log of ``table`` as it stands (the level must have been loaded from a file)."""
    level = table.level
    return TableLog(
        written_by=WRITER,
        level_id=level.id,
        level_sha256=level.sha256,
        level_file=None if level.source is None else str(level.source),
        seed=table.seed,
        seats=table.seats,
        ticks=table.tick,
        inputs=list(table.session.input_log),
        arrivals=list(table.arrivals),
        fires=list(table.fires),
        final_state_hash=table.state_hash(),
    )


def log_bytes(table: Table) -> bytes:
    """The log of ``table`` as the file holds it."""
    return table_log(table).model_dump_json(indent=1).encode()


def write_log(table: Table, path: Path) -> None:
    """Replace ``path`` (this table's own log, claimed by :func:`perpgame.table.host.claim_log`)."""
    atomic_write(path, log_bytes(table))


def is_table_log(path: str | Path) -> bool:
    """True when ``path`` is a JSON file whose ``kind`` is a table log (False when unreadable).

    Only a regular file is opened: a FIFO or a device would block (the saves' reader deals with
    those)."""
    try:
        if not Path(path).is_file():
            return False
        with open(path, "rb") as f:
            head = f.read(200)
    except OSError:
        return False
    return b'"table-log"' in head


def parse_log(raw: Any, what: str) -> TableLog:
    """Validate a decoded table log; else :class:`ReplayError` starting with ``what``, saying
    which perpgame wrote it when that is why it cannot be read (a newer format)."""
    head = raw if isinstance(raw, dict) else {}
    version, writer = head.get("version"), head.get("written_by")
    by = f" by {writer}" if isinstance(writer, str) and writer else ""
    if type(version) is int and version > VERSION:
        raise ReplayError(
            f"{what} was written{by or ' by a newer perpgame'} in table-log format {version}; "
            f"this perpgame ({__version__}) reads formats 1 to {VERSION}. Update perpgame to "
            "read it."
        )
    try:
        return TableLog.model_validate(raw, strict=False)
    except (ValueError, ValidationError) as exc:
        made = f" (written{by} in format {version})" if type(version) is int else ""
        raise ReplayError(f"{what} is damaged{made}: {str(exc)[:300]}.") from None


def read_log(path: str | Path) -> tuple[TableLog, Level]:
    """Read and validate a table log and find its level, unchanged; else :class:`ReplayError`."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ReplayError(f"The table log {path} cannot be read: {exc.strerror}.") from None
    if len(data) > MAX_FILE_BYTES:
        raise ReplayError(f"The table log {path} is too large to be a table log.")
    try:
        raw = json.loads(data)
    except ValueError as exc:
        raise ReplayError(f"The table log {path} is damaged: {str(exc)[:300]}.") from None
    log = parse_log(raw, f"The table log {path}")
    try:
        level = find_logged_level(log.level_id, log.level_sha256, log.level_file)
    except Exception as exc:  # a missing or changed level, said for people
        raise ReplayError(f"The table log {path} cannot be replayed: {exc}.") from None
    return log, level


def replay_log(log: TableLog, level: Level) -> str:
    """Play the log offline; the final state hash."""
    session = replay_table(
        level,
        log.seed,
        list(log.seats),
        list(log.inputs),
        list(log.fires),
        log.ticks,
        list(log.arrivals),
    )
    return session.state_hash()


def replay_command(path: str | Path) -> int:
    """``perpgame replay TABLE-LOG``: exit 0 when the offline game reaches the recorded state."""
    try:
        log, level = read_log(path)
    except ReplayError as exc:
        print(f"perpgame replay: {exc}", file=sys.stderr)
        return 1
    print(f"table log: {path}")
    print(
        f"level: {log.level_id}, seed {log.seed}, {len(log.seats)} seats, {log.ticks} ticks, "
        f"{len(log.inputs) + len(log.arrivals)} inputs ({len(log.arrivals)} on arrival), "
        f"{len(log.fires)} events fired by the instructor"
    )
    got = replay_log(log, level)
    if got == log.final_state_hash:
        print(f"final state: matches ({got})")
        return 0
    print(f"final state: differs ({got})")
    print(
        "perpgame replay: the offline game does NOT reach the table's final state.", file=sys.stderr
    )
    return 1


def summary(log: TableLog) -> dict[str, Any]:
    return {
        "seats": len(log.seats),
        "ticks": log.ticks,
        "inputs": len(log.inputs) + len(log.arrivals),
    }
