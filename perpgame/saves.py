"""The player's profile, resumable games and replays: JSON files that survive crashes and damage.

Three kinds of file live in the saves folder (the user's data folder, ``$PERPGAME_SAVES`` or
``--saves DIR``: :func:`perpgame.places.saves_dir` decides)::

    profile.json                         levels played and won, stars, best P&L, settings
    resume.json                          the game in progress: level, seed, tick and inputs
    replays/<level>-<seed>-<n>.json      a finished game, to watch again

None of them holds the game's state: a game is a pure function of the level file, the seed and the
player's inputs, so a save holds those and is replayed headless to the saved tick. A save also
holds the SHA-256 of the level file it was made with; when the file has changed since, the save is
refused rather than showing a different game.

Safety rules, every one of them tested:

* Every write is atomic: a temporary file in the same folder, fsync, rename, fsync the folder.
  A crash at any point leaves either the old file or the new one, never a mix.
* Every file carries ``kind`` and a schema ``version``. Older versions are upgraded by the
  functions registered in :data:`MIGRATIONS`; a newer version (written by a newer perpgame) is set
  aside, never misread.
* A file that cannot be read or validated is renamed aside with a UTC timestamp
  (``profile.json.damaged-20261125T143000Z``), its bytes intact and no existing file overwritten;
  :attr:`SaveStore.notices` tells the player in a plain sentence, and the game goes on with what is
  still good (a damaged profile keeps the entries that still validate).
* An unwritable folder is a notice, not a crash: progress stays in memory.
* Saves are JSON validated by pydantic (strict, no unknown fields). Nothing is unpickled or
  evaluated. The wall clock only names set-aside files; it never enters a save or the game.
* Two games may share a folder (two terminals, a terminal and the booth): every profile write
  re-reads the file, applies this game's change and writes, under a lock (``.profile.lock``), so
  both games' results count. A running game holds ``.instance.lock``; a second one is told, and a
  resume save names the game that wrote it. Temporary files left by a crashed save are removed
  when a game starts (:meth:`SaveStore.claim`).
* Only regular files are read (a FIFO is refused before it can block), at most
  :data:`MAX_FILE_BYTES`. No save names an absolute path; a replay's inputs are within what a
  player can ask for, and checking one recomputes every recorded field (:func:`check_replay`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import itertools
import json
import os
import re
import socket
import sys
import tempfile
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    PrivateAttr,
    ValidationError,
    model_validator,
)

from perpgame.level.catalog import find_level, levels_dir
from perpgame.level.errors import LevelError
from perpgame.level.loader import NotRegularFile, load_level, open_regular, plain_error
from perpgame.level.schema import Level
from perpgame.places import ENV_SAVES, saves_dir
from perpgame.session import PLAYING, WON, GameSession
from perpgame.session.inputs import PlayerInput
from perpgame.session.limits import clip, input_problem
from perpgame.session.numbers import format_cash

__all__ = [
    "ENV_SAVES",
    "MIGRATIONS",
    "PROFILE_FILE",
    "REPLAYS_DIR",
    "RESUME_FILE",
    "SCHEMA_VERSION",
    "LevelProgress",
    "Profile",
    "Replay",
    "ReplayCheck",
    "ReplayDifference",
    "ReplayError",
    "ReplayResult",
    "ResumeSave",
    "SaveStore",
    "Settings",
    "atomic_write",
    "check_replay",
    "migrate",
    "migration",
    "read_replay",
    "replay_command",
    "replay_session",
    "saves_dir",
    "told_hash",
]

SCHEMA_VERSION = 1
"""The version every file is written with; files with a lower version are migrated on load."""

PROFILE_FILE = "profile.json"
RESUME_FILE = "resume.json"
REPLAYS_DIR = "replays"
MAX_FILE_BYTES = 32 << 20
"""No save is larger than this (a replay of 100,000 inputs is about 6 MB)."""
MAX_TICKS = 10_000_000
PROFILE_LOCK = ".profile.lock"
"""Held (briefly) while the profile is read, changed and written: one writer at a time."""
INSTANCE_LOCK = ".instance.lock"
"""Held by a running game for as long as it runs: a second game on the folder is told."""
LOCK_SECONDS = 10.0
"""How long a profile write waits for another game's write to finish."""
STALE_TEMP_SECONDS = 60.0
"""A temporary file this old is debris of a crashed save, even while another game runs."""
_TEMP = re.compile(r"\..+\.[A-Za-z0-9_]+\.tmp")
_HEX64 = r"^[0-9a-f]{64}$"
_SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


# --------------------------------------------------------------------------------------------------
# Schema versions and migrations

Migration = Callable[[dict[str, Any]], dict[str, Any]]

MIGRATIONS: dict[str, dict[int, Migration]] = {"profile": {}, "resume": {}, "replay": {}}
"""``MIGRATIONS[kind][n]`` turns a version-``n`` document (a dict) into version ``n + 1``.

When the format changes: raise :data:`SCHEMA_VERSION` to 2, change the models, and register the
step that upgrades what version 1 wrote::

    @migration("profile", 1)
    def _profile_1_to_2(doc):
        doc["settings"].setdefault("colour", "auto")
        return doc

A migration may assume the document is a dict with the old ``version``; anything else it raises is
reported as damage. The result is validated by the current models as if it had been read so.
"""


def migration(kind: str, from_version: int) -> Callable[[Migration], Migration]:
    """Register a function that upgrades ``kind`` documents from ``from_version`` by one."""

    def register(fn: Migration) -> Migration:
        MIGRATIONS[kind][from_version] = fn
        return fn

    return register


class _Damaged(Exception):
    """A save's bytes cannot be used; ``str()`` says why, for people."""


class _Newer(Exception):
    """A save written by a newer perpgame."""

    def __init__(self, version: int) -> None:
        super().__init__(version)
        self.version = version


def migrate(kind: str, doc: dict[str, Any]) -> dict[str, Any]:
    """Upgrade a decoded document to :data:`SCHEMA_VERSION`, one registered step at a time."""
    version = doc.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise _Damaged("it has no format version number")
    if version > SCHEMA_VERSION:
        raise _Newer(version)
    if version < 1:
        raise _Damaged(f"its format version {version} is not one perpgame ever wrote")
    while version < SCHEMA_VERSION:
        step = MIGRATIONS.get(kind, {}).get(version)
        if step is None:
            raise _Damaged(f"there is no way to upgrade format version {version}")
        try:
            doc = step(dict(doc))
        except Exception as exc:
            raise _Damaged(
                f"upgrading it from format version {version} failed ({type(exc).__name__}: {exc})"
            ) from None
        if not isinstance(doc, dict):
            raise _Damaged(f"upgrading it from format version {version} gave no document")
        version += 1
        doc["version"] = version
    return doc


def _decode(data: bytes, kind: str) -> dict[str, Any]:
    """Bytes -> a migrated dict of the right kind, or _Damaged / _Newer."""
    if not data.strip():
        raise _Damaged("it is empty")
    try:
        doc = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise _Damaged("it is not UTF-8 text") from None
    except RecursionError:
        raise _Damaged("it is nested too deeply") from None
    except ValueError as exc:
        raise _Damaged(f"it is not valid JSON ({clip(plain_error(exc), 120)})") from None
    if not isinstance(doc, dict):
        raise _Damaged(f"it holds a JSON {type(doc).__name__}, not an object")
    found = doc.get("kind")
    if found != kind:
        what = f"a {found} save" if isinstance(found, str) and len(found) < 40 else "not a save"
        raise _Damaged(f"it should be a {kind} save but is {what}")
    return migrate(kind, doc)


def _explain(exc: ValidationError, limit: int = 3) -> str:
    """A pydantic error as a short sentence: ``completed.happy-path.stars: ...``."""
    parts = []
    errors = exc.errors()
    for err in errors[:limit]:
        where = ".".join(str(p) for p in err["loc"]) or "the document"
        parts.append(f"{where}: {err['msg']}")
    more = len(errors) - limit
    if more > 0:
        parts.append(f"and {more} more problem{'s' if more > 1 else ''}")
    return "; ".join(parts)


# --------------------------------------------------------------------------------------------------
# The files' models


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, validate_assignment=True)


def _action(value: Any) -> PlayerInput:
    if isinstance(value, PlayerInput):
        return value
    return PlayerInput.from_dict(value)  # ValueError names the bad field


Action = Annotated[
    PlayerInput,
    PlainValidator(_action),
    PlainSerializer(lambda a: a.to_dict(), return_type=dict),
]
LevelId = Annotated[str, Field(pattern=_SLUG, max_length=48)]
Sha256 = Annotated[str, Field(pattern=_HEX64)]
Seed = Annotated[int, Field(ge=-(1 << 63), lt=1 << 64)]
Tick = Annotated[int, Field(ge=0, le=MAX_TICKS)]


def _check_inputs(inputs: list[PlayerInput], last_tick: int) -> None:
    """In tick order, within the game, and each one something a player could have asked for."""
    previous = 0
    for i, action in enumerate(inputs):
        if not previous <= action.tick <= last_tick:
            raise ValueError(
                f"inputs[{i}] is at tick {action.tick}: inputs must be in tick order, "
                f"from tick 1 to tick {last_tick}"
            )
        previous = max(action.tick, 1)
        problem = input_problem(action)
        if problem is not None:
            raise ValueError(
                f"inputs[{i}] ({action.kind} at tick {action.tick}) asks for {problem}, which "
                "the game refuses: no game could have recorded it"
            )


class Settings(_Model):
    """What the player chose; every field has a default so a new field never breaks old files."""

    speed: int = Field(1, ge=1, le=100)
    """Ticks shown per tick of wall time (1x, 2x, 5x, 10x)."""
    autosave_seconds: int = Field(5, ge=0, le=3600)
    """How often the game in progress is saved for resuming; 0 = only on quit."""
    hardcore: bool = False
    """A wipe-out ends the level (no "keep playing after a wipe-out")."""
    show_pile_law: bool = False
    """Show the pile-law checker in the game."""
    replay_speed: int = Field(1, ge=1, le=100)
    """Speed a replay starts at."""


class LevelProgress(_Model):
    """One level's record: in ``Profile.completed`` once won, in ``Profile.tried`` until then."""

    stars: int = Field(0, ge=0, le=3)
    """Best stars of a won game (0 until the level is won)."""
    best_pnl: int = 0
    """Best P&L of any finished game, in cash units (micro-dollars)."""
    plays: int = Field(0, ge=0)
    wins: int = Field(0, ge=0)

    @model_validator(mode="after")
    def _wins_are_plays(self) -> LevelProgress:
        if self.wins > self.plays:
            raise ValueError(f"wins ({self.wins}) cannot exceed plays ({self.plays})")
        return self


class Profile(_Model):
    """``profile.json``: progress through the curriculum and the settings."""

    kind: Literal["profile"] = "profile"
    version: int = Field(default_factory=lambda: SCHEMA_VERSION)
    completed: dict[LevelId, LevelProgress] = Field(default_factory=dict)
    """The levels won at least once, by id: ``level_id in completed`` unlocks the next level.
    Their ``plays`` count every finished game, those lost before the first win too."""
    tried: dict[LevelId, LevelProgress] = Field(default_factory=dict)
    """Levels with finished games but no win yet (``wins`` is 0); moved to ``completed`` when won."""
    settings: Settings = Field(default_factory=Settings)
    last_level: LevelId | None = None
    """The level played last: where "continue" goes when there is no game to resume."""

    @model_validator(mode="after")
    def _won_or_tried(self) -> Profile:
        for level_id, entry in self.completed.items():
            if entry.wins < 1:
                raise ValueError(f"completed.{level_id} has no win")
            if level_id in self.tried:
                raise ValueError(f"{level_id} is both completed and tried")
        for level_id, entry in self.tried.items():
            if entry.wins:
                raise ValueError(f"tried.{level_id} has wins: it belongs in completed")
        return self

    def is_completed(self, level_id: str) -> bool:
        return level_id in self.completed

    def progress(self, level_id: str) -> LevelProgress | None:
        """The level's record, won or not (None when no game of it has finished)."""
        return self.completed.get(level_id) or self.tried.get(level_id)


class ResumeSave(_Model):
    """``resume.json``: everything needed to rebuild a game in progress (not its state)."""

    kind: Literal["resume"] = "resume"
    version: int = Field(default_factory=lambda: SCHEMA_VERSION)
    level_id: LevelId
    level_sha256: Sha256
    level_file: str | None = Field(None, max_length=4096)
    """Where the level was loaded from, relative to the shipped levels (or else to the saves
    folder): tried when the id is not in the levels folder. Never an absolute path."""
    seed: Seed
    tick: Tick
    inputs: list[Action] = Field(default_factory=list)
    state_hash: str = Field(pattern=r"^[0-9a-f]{16,128}$")
    """The game's state hash at ``tick``: the replay must reach exactly this state."""
    instance: str | None = Field(None, max_length=200)
    """The running game that wrote it (``pid 4242 on HOST``): two games may share a folder."""

    @model_validator(mode="after")
    def _ordered(self) -> ResumeSave:
        _check_inputs(self.inputs, self.tick)
        return self


class ReplayResult(_Model):
    status: Literal["won", "lost"]
    stars: int = Field(ge=0, le=3)
    reason: str = Field("", max_length=2000)
    player_pnl: int = Field(ge=-(10**24), le=10**24)
    """In cash units; far beyond any game's pile either way is damage, not a result."""


class Replay(_Model):
    """``replays/<level>-<seed>-<n>.json``: a finished game, watchable again."""

    kind: Literal["replay"] = "replay"
    version: int = Field(default_factory=lambda: SCHEMA_VERSION)
    level_id: LevelId
    level_title: str = Field("", max_length=200)
    level_sha256: Sha256
    level_file: str | None = Field(None, max_length=4096)
    seed: Seed
    ticks: Tick
    inputs: list[Action] = Field(default_factory=list)
    final_state_hash: str = Field(pattern=r"^[0-9a-f]{16,128}$")
    result: ReplayResult
    told_sha256: Sha256 | None = None
    """:func:`told_hash` of the game: when and what kind of thing it told the player (fills,
    refusals, liquidations). An input the game refused leaves a refusal here even though it
    changes no state. (None in replays of older versions: not compared.)"""

    _level: Level | None = PrivateAttr(default=None)
    _path: Path | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _ordered(self) -> Replay:
        _check_inputs(self.inputs, self.ticks)
        return self

    @property
    def level(self) -> Level | None:
        """The level, checked against ``level_sha256`` (set by :func:`read_replay`)."""
        return self._level

    @property
    def path(self) -> Path | None:
        return self._path


class ReplayError(Exception):
    """A replay that cannot be shown; the message says why, for people."""


# --------------------------------------------------------------------------------------------------
# Files: atomic writes, reads, setting aside


def _fsync_dir(folder: Path) -> None:
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
    try:
        fd = os.open(folder, flags)
    except OSError:
        return  # platforms that cannot open a folder (Windows) have nothing to sync
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a crash leaves the old file or the new one, whole.

    Temporary file in the same folder, fsync, ``os.replace``, fsync the folder. The temporary file
    is removed when anything fails; OSError is for the caller.
    """
    path = Path(path)
    folder = path.parent
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            with contextlib.suppress(OSError):
                os.fchmod(fh.fileno(), 0o644)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(folder)


def _read_bytes(path: Path) -> bytes | None:
    """The file's bytes; None when there is no such file; OSError when it cannot be read.

    Only a regular file is opened for reading (a FIFO would block): anything else is _Damaged.
    """
    try:
        with open_regular(path) as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except NotRegularFile as exc:
        raise _Damaged(f"it is {exc.strerror}, not a file") from None
    if len(data) > MAX_FILE_BYTES:
        raise _Damaged(f"it is larger than {MAX_FILE_BYTES:,} bytes")
    return data


def _dump(model: BaseModel) -> bytes:
    return (model.model_dump_json(indent=2) + "\n").encode("utf-8")


def _reason(exc: OSError) -> str:
    text = exc.strerror or str(exc) or type(exc).__name__
    return text[0].lower() + text[1:] if text else text


def _utc_stamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _peek(data: bytes, key: str) -> Any:
    """One top-level value of a JSON object, without validating anything (None if unreadable)."""
    try:
        doc = json.loads(data.decode("utf-8"))
    except Exception:
        return None
    return doc.get(key) if isinstance(doc, dict) else None


# --------------------------------------------------------------------------------------------------
# Finding the level a save was made with


class _LevelProblem(Exception):
    """The save's level is missing, broken or changed; the message says which."""


def _find_saved_level(
    level_id: str,
    sha256: str,
    level_file: str | None,
    folder: Path | None,
    bases: tuple[Path, ...] = (),
) -> Level:
    """The level a save was made with, by id (then by the recorded path), with the same bytes.

    A relative ``level_file`` is looked for in each of ``bases`` (the saves folder) and in the
    levels folder; an absolute one (written by an older perpgame) is tried as it is.
    """
    found: Level | None = None
    problem = ""
    try:
        found = load_level(find_level(level_id, folder))
        if found.id != level_id:
            problem = f"the file {found.source} is level {found.id!r}, not {level_id!r}"
            found = None
    except LevelError as exc:
        problem = "; ".join(exc.lines())
    if found is not None and found.sha256 == sha256:
        return found
    for hint in _candidates(level_file, (*bases, *([folder] if folder else []), levels_dir())):
        same = found is not None and _same_file(hint, Path(found.source))
        if not same and hint.is_file():
            try:
                other = load_level(hint)
            except LevelError:
                other = None
            if other is not None and other.id == level_id and other.sha256 == sha256:
                return other
    if found is not None:
        raise _LevelProblem(
            f"the level file {found.source} has changed since (it was saved with "
            f"sha256 {sha256[:12]}..., the file now has {found.sha256[:12]}...), so it would "
            "not be the same game"
        )
    raise _LevelProblem(f"the level {level_id!r} cannot be found ({problem})")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _candidates(level_file: str | None, bases: tuple[Path, ...]) -> list[Path]:
    if not level_file:
        return []
    hint = Path(level_file)
    if hint.is_absolute():
        return [hint]
    found = []
    for base in bases:
        try:
            found.append((base / hint).resolve())
        except (OSError, RuntimeError):
            continue
    return found


def _level_file(level: Level, root: Path) -> str | None:
    """Where the level came from: relative to the shipped levels, else to the saves folder.

    Never an absolute path: a save names no folder of the machine that wrote it. None when
    there is no relative way (another drive), and then the level is found by its id.
    """
    source = level.source
    if source is None:
        return None
    try:
        source = Path(source).resolve()
        shipped = levels_dir().resolve()
        if source.is_relative_to(shipped):
            return source.relative_to(shipped).as_posix()
        with contextlib.suppress(ValueError):  # (Windows: another drive)
            return Path(os.path.relpath(source, Path(root).resolve())).as_posix()
    except (OSError, RuntimeError):
        pass
    return None


# --------------------------------------------------------------------------------------------------
# Replays without a store


def read_replay(
    path: str | Path, levels_folder: Path | None = None, saves_root: Path | None = None
) -> Replay:
    """Read and validate a replay file and find its level, unchanged; else :class:`ReplayError`.

    The replay file itself is never moved or changed, even when it is damaged. A recorded
    relative level path is looked for from the saves folder (``saves_root``, else the folder the
    replay's ``replays/`` folder is in, else :func:`saves_dir`) and the levels folder.
    """
    path = Path(path)
    try:
        data = _read_bytes(path)
    except _Damaged as exc:
        raise ReplayError(f"The replay {path} cannot be used: {exc}.") from None
    except OSError as exc:
        raise ReplayError(f"The replay {path} cannot be read: {_reason(exc)}.") from None
    if data is None:
        raise ReplayError(f"There is no replay file {path}.")
    try:
        replay = Replay.model_validate(_decode(data, "replay"))
    except _Newer as exc:
        raise ReplayError(
            f"The replay {path} was written by a newer perpgame (format version {exc.version}; "
            f"this one reads up to version {SCHEMA_VERSION}). Update perpgame to watch it."
        ) from None
    except _Damaged as exc:
        raise ReplayError(f"The replay {path} is damaged: {exc}.") from None
    except ValidationError as exc:
        raise ReplayError(f"The replay {path} is damaged: {_explain(exc)}.") from None
    try:
        bases = (path.parent.parent, saves_dir()) if saves_root is None else (saves_root,)
        level = _find_saved_level(
            replay.level_id, replay.level_sha256, replay.level_file, levels_folder, bases
        )
    except _LevelProblem as exc:
        raise ReplayError(
            f"The replay {path} cannot be shown: {exc}. It would show a different game, so it "
            "is refused."
        ) from None
    if replay.ticks > level.tick_limit:
        raise ReplayError(
            f"The replay {path} is damaged: it says the game lasted {replay.ticks} ticks but the "
            f"level ends at tick {level.tick_limit}."
        )
    replay._level = level
    replay._path = path
    return replay


def replay_session(replay: Replay, level: Level | None = None) -> GameSession:
    """A session with the replay's inputs scheduled, not yet run.

    Step it to watch; ``run()`` plays it to the end headless. ``level`` defaults to the level
    :func:`read_replay` found; a level that is not the recorded one raises :class:`ReplayError`.
    """
    level = replay.level if level is None else level
    if level is None:
        raise ReplayError("The replay's level has not been loaded (use read_replay).")
    if level.id != replay.level_id or level.sha256 != replay.level_sha256:
        raise ReplayError(
            f"The replay is of level {replay.level_id!r} with sha256 {replay.level_sha256[:12]}..."
            f", but the level given is {level.id!r} with sha256 {level.sha256[:12] or 'none'}...; "
            "it would show a different game, so it is refused."
        )
    session = GameSession(level, replay.seed)
    session.schedule(replay.inputs)
    return session


@dataclass(frozen=True, slots=True)
class ReplayDifference:
    """One recorded field that the re-run does not reproduce."""

    field: str
    """The replay file's name for it: ``result.player_pnl``, ``level_title``, ``final_state_hash``."""
    recorded: str
    replayed: str

    def __str__(self) -> str:
        return f"{self.field}: the replay says {self.recorded}, replaying gives {self.replayed}"


@dataclass(frozen=True, slots=True)
class ReplayCheck:
    """What replaying headless gave, against what the replay recorded, field by field."""

    ok: bool
    ticks: int
    state_hash: str
    status: str
    stars: int
    message: str
    session: GameSession
    differences: tuple[ReplayDifference, ...] = ()


def told_hash(session: GameSession) -> str:
    """SHA-256 of the tick and kind of every story told to the player, in order.

    Not the words (a new wording is the same game), but every refusal, fill and liquidation the
    player was told of: an input the game refused cannot be added to a replay unnoticed.
    """
    told = "\n".join(f"{story.tick} {story.kind}" for story in session.player_stories)
    return hashlib.sha256(told.encode()).hexdigest()


def _recorded_fields(replay: Replay) -> dict[str, tuple[object, str]]:
    r = replay.result
    return {
        "ticks": (replay.ticks, str(replay.ticks)),
        "final_state_hash": (replay.final_state_hash, replay.final_state_hash[:16] + "..."),
        "result.status": (r.status, r.status),
        "result.reason": (r.reason, repr(clip(r.reason, 60))),
        "result.stars": (r.stars, str(r.stars)),
        "result.player_pnl": (r.player_pnl, clip(format_cash(r.player_pnl), 40)),
        "level_title": (replay.level_title, repr(clip(replay.level_title, 60))),
        "told_sha256": (replay.told_sha256, (replay.told_sha256 or "")[:16] + "..."),
    }


def _replayed_fields(session: GameSession, level: Level) -> dict[str, tuple[object, str]]:
    h = session.state_hash()
    pnl = int(session.metrics["player_pnl"])
    reason = session.end_reason[:2000]
    title = level.title[:200]
    return {
        "ticks": (session.tick, str(session.tick)),
        "final_state_hash": (h, h[:16] + "..."),
        "result.status": (session.status, session.status),
        "result.reason": (reason, repr(clip(reason, 60))),
        "result.stars": (session.stars, str(session.stars)),
        "result.player_pnl": (pnl, format_cash(pnl)),
        "level_title": (title, repr(clip(title, 60))),
        "told_sha256": (told := told_hash(session), told[:16] + "..."),
    }


def check_replay(replay: Replay, level: Level | None = None) -> ReplayCheck:
    """Play the replay headless to its last tick and recompute every recorded field.

    Each field the re-run does not reproduce (tick, state hash, result, reason, stars, P&L, the
    level's title) is a :class:`ReplayDifference`, named as in the file. The state hash is
    whatever :meth:`GameSession.state_hash` covers.
    """
    session = replay_session(replay, level)
    session.run(replay.ticks)
    level = session.level
    want = _recorded_fields(replay)
    got = _replayed_fields(session, level)
    if replay.told_sha256 is None:  # (written before it was recorded)
        del want["told_sha256"], got["told_sha256"]
    differences = tuple(
        ReplayDifference(name, want[name][1], got[name][1])
        for name in want
        if want[name][0] != got[name][0]
    )
    ok = not differences
    h = session.state_hash()
    if ok:
        message = f"Every recorded field matches the re-run (state hash {h[:16]}...)."
    else:
        names = ", ".join(d.field for d in differences)
        message = (
            f"The replay does NOT match its re-run ({names} differ"
            f"{'s' if len(differences) == 1 else ''}): "
            + "; ".join(str(d) for d in differences)
            + ". Either the file was edited, or this perpgame plays the level differently from "
            "the one that recorded it."
        )
    return ReplayCheck(
        ok=ok,
        ticks=session.tick,
        state_hash=h,
        status=session.status,
        stars=session.stars,
        message=message,
        session=session,
        differences=differences,
    )


def replay_command(
    path: str | Path,
    *,
    headless: bool,
    watch: Callable[[Replay], int] | None = None,
    levels_folder: Path | None = None,
) -> int:
    """``perpgame replay FILE``: validate the replay, then watch it or check it headless.

    Headless (or when no ``watch`` viewer is given) it prints the result and whether the final
    state hash matches: exit 0 when it does, 1 with a clear message otherwise (also for a replay
    that cannot be read, is of an unknown level or of a level file that has changed).
    """
    try:
        replay = read_replay(path, levels_folder)
    except ReplayError as exc:
        print(f"perpgame replay: {exc}", file=sys.stderr)
        return 1
    if not headless:
        if watch is not None:
            return watch(replay)
        print("perpgame replay: no viewer here; checking the replay headless.", file=sys.stderr)
    r = replay.result
    title = f" ({clip(replay.level_title)})" if replay.level_title else ""
    n = len(replay.inputs)
    print(f"replay: {path}")
    print(
        f"level: {replay.level_id}{title}, seed {replay.seed}, {replay.ticks} ticks, "
        f"{n} input{'' if n == 1 else 's'}"
    )
    reason = f" ({clip(r.reason)})" if r.reason else ""
    print(
        f"result: {r.status}{reason}, {r.stars} star{'' if r.stars == 1 else 's'}, "
        f"P&L {format_cash(r.player_pnl)}"
    )
    check = check_replay(replay)
    if check.ok:
        print(f"final state: matches ({check.state_hash})")
        return 0
    print(f"final state: differs ({check.state_hash})")
    for difference in check.differences:
        print(f"  differs: {difference}")
    print(f"perpgame replay: {check.message}", file=sys.stderr)
    return 1


# --------------------------------------------------------------------------------------------------
# Locks between games sharing a folder


def _try_lock(fd: int) -> bool:
    """Take an exclusive lock on an open file without waiting; False when another holds it."""
    try:
        if os.name == "nt":  # pragma: no cover - Windows
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _unlock(fd: int) -> None:
    with contextlib.suppress(OSError):
        if os.name == "nt":  # pragma: no cover - Windows
            import msvcrt

            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_UN)


class _LockTimeout(Exception):
    """Another game held the lock for longer than we wait."""


@contextlib.contextmanager
def _locked(path: Path, timeout: float):
    """Hold an exclusive lock on ``path`` (created if need be) while the block runs.

    OSError when the lock file cannot be opened (an unwritable folder); :class:`_LockTimeout`
    after ``timeout`` seconds of another game holding it. The OS releases the lock of a process
    that dies, so a crash never leaves the folder locked.
    """
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                raise _LockTimeout(str(path))
            time.sleep(0.005)
        try:
            yield
        finally:
            _unlock(fd)
    finally:
        os.close(fd)


_STORES = itertools.count(1)


def instance_name() -> str:
    """A new store of this running game, as a save names it: ``pid 4242 on HOST``.

    (A second store in the same process, as in tests, is ``pid 4242 #2 on HOST``.)
    """
    n = next(_STORES)
    return f"pid {os.getpid()}{f' #{n}' if n > 1 else ''} on {socket.gethostname()[:60]}"


def _running(instance: str) -> bool:
    """Whether the game named ``pid N ... on HOST`` is running now (False when unsure)."""
    m = re.fullmatch(r"pid (\d{1,10})(?: #\d+)? on (.*)", instance)
    if m is None or m.group(2) != socket.gethostname()[:60] or os.name == "nt":
        return False  # (on Windows os.kill would end the process: never probe there)
    pid = int(m.group(1))
    if pid == os.getpid():
        return True  # another store of this very process
    try:
        os.kill(pid, 0)
    except PermissionError:
        return True
    except (OSError, OverflowError):
        return False
    return True


# --------------------------------------------------------------------------------------------------
# The store


class SaveStore:
    """The saves folder: profile, resume save and replays, with every failure turned into a notice.

    Nothing here raises for a bad file or an unwritable folder (except :meth:`load_replay`, whose
    caller asked for one particular file): the player is told through :attr:`notices` and the game
    goes on with what is still good.
    """

    def __init__(
        self,
        root: Path | None = None,
        *,
        levels_folder: Path | None = None,
        clock: Callable[[], str] | None = None,
    ) -> None:
        self.root = Path(root) if root is not None else saves_dir()
        self.levels_folder = levels_folder
        """Where levels are looked up by id (None: the shipped folder or ``$PERPGAME_LEVELS``)."""
        self.notices: list[str] = []
        """Plain sentences for the player, oldest first (see :meth:`take_notices`)."""
        self._clock = clock or _utc_stamp
        self._said: set[str] = set()
        self._profile: Profile | None = None
        self._profile_seen: object = None
        """What the profile file held when this store last read or wrote it (bytes, None when
        there was no file, a tuple naming a read error)."""
        self._blocked: set[str] = set()
        self._recorded: weakref.WeakSet[GameSession] = weakref.WeakSet()
        self.instance = instance_name()
        self._instance_fd: int | None = None
        self.shared_with: str | None = None
        """Set by :meth:`claim`: the other running game on this folder (``pid 4242 on HOST``)."""

    # ------------------------------------------------------------ paths and notices
    @property
    def profile_path(self) -> Path:
        return self.root / PROFILE_FILE

    @property
    def resume_path(self) -> Path:
        return self.root / RESUME_FILE

    @property
    def replays_dir(self) -> Path:
        return self.root / REPLAYS_DIR

    def take_notices(self) -> list[str]:
        """The notices not yet shown, and forget them (each distinct one is told only once)."""
        out, self.notices = self.notices, []
        return out

    def _notice(self, text: str) -> None:
        if text not in self._said:
            self._said.add(text)
            self.notices.append(text)

    # ------------------------------------------------------------ one folder, several games
    def claim(self) -> bool:
        """Start using the folder as a running game: True when no other game is running on it.

        Takes the folder's instance lock for as long as this store lives (the OS drops it when
        the process ends, however it ends). When another game holds it, a notice says so (its
        progress and ours both count: every profile write re-reads the file under a lock).
        Then removes the temporary files that crashed saves left behind (all of them when this
        is the only game; only old ones otherwise, as another game may be writing one).
        """
        alone = True
        if self._instance_fd is None:
            alone = self._take_instance_lock()
        self._remove_debris(everything=alone)
        return alone

    def _take_instance_lock(self) -> bool:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.root / INSTANCE_LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            return True  # an unwritable folder: nothing to share, and the writes will say so
        if _try_lock(fd):
            self._instance_fd = fd
            self._closer = weakref.finalize(self, os.close, fd)  # a dropped store lets go
            with contextlib.suppress(OSError):  # who holds it, for the next game to name
                os.ftruncate(fd, 0)
                os.lseek(fd, 0, os.SEEK_SET)
                os.write(fd, self.instance.encode())
            return True
        try:
            other = os.read(fd, 200).decode("utf-8", "replace").strip() or "another process"
        except OSError:
            other = "another process"
        os.close(fd)
        self.shared_with = clip(other, 80)
        self._notice(
            f"Another perpgame ({self.shared_with}) is running on this saves folder ({self.root}). "
            "Both games' progress is kept, but a game in progress can be resumed by only one of "
            "them: the last to save it wins."
        )
        return False

    def release(self) -> None:
        """Stop holding the folder (the process ending does the same)."""
        fd, self._instance_fd = self._instance_fd, None
        if fd is not None:
            _unlock(fd)
            self._closer()  # closes fd, once

    def _remove_debris(self, *, everything: bool) -> None:
        now = time.time()
        for folder in (self.root, self.replays_dir):
            try:
                entries = list(os.scandir(folder))
            except OSError:
                continue
            for entry in entries:
                if not _TEMP.fullmatch(entry.name):
                    continue
                try:
                    if not entry.is_file(follow_symlinks=False):
                        continue
                    if everything or now - entry.stat().st_mtime > STALE_TEMP_SECONDS:
                        os.unlink(entry.path)
                except OSError:
                    continue

    # ------------------------------------------------------------ low level
    def _write(self, path: Path, model: BaseModel, what: str) -> bool:
        """Atomically write a model; False and a notice when it cannot be done."""
        if str(path) in self._blocked:
            self._notice(
                f"{path} was not saved: the damaged file there could not be set aside, and "
                f"overwriting it would lose it. {what}"
            )
            return False
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, _dump(model))
        except OSError as exc:
            self._notice(f"Could not save {path}: {_reason(exc)}. {what}")
            return False
        return True

    def _set_aside(self, path: Path, tag: str) -> Path | None:
        """Rename ``path`` to ``path.<tag>-<UTC time>`` (never over an existing file)."""
        stamp = self._clock()
        for n in range(1, 1000):
            suffix = "" if n == 1 else f"-{n}"
            target = path.with_name(f"{path.name}.{tag}-{stamp}{suffix}")
            if target.exists() or target.is_symlink():
                continue
            try:
                try:
                    os.link(path, target)  # fails if the target exists: never overwrites
                except FileExistsError:
                    continue
                except OSError:
                    if target.exists():
                        continue
                    os.rename(path, target)  # file systems without hard links
                else:
                    os.unlink(path)
            except OSError:
                return None
            _fsync_dir(path.parent)
            return target
        return None

    def _load(
        self,
        path: Path,
        kind: str,
        model: type[BaseModel],
        fallback: str,
        salvage: Callable[[dict[str, Any]], tuple[BaseModel | None, str]] | None = None,
    ) -> BaseModel | None:
        """Read a save: the model, or None when there is no file.

        A file that cannot be used is set aside (bytes intact) with a notice naming it and what
        was wrong. Then ``salvage`` (given the migrated document, when it was JSON of the right
        kind and version that failed validation) may rescue what is still good: its model is
        returned and the notice says what was kept. Otherwise None.
        """
        try:
            data = _read_bytes(path)
        except _Damaged as exc:
            data, problem = b"", str(exc)
        except OSError as exc:
            data, problem = b"", f"it cannot be read ({_reason(exc)})"
        else:
            if data is None:
                return None
            problem = ""
        tag = "damaged"
        rescued: BaseModel | None = None
        if not problem:
            try:
                doc = _decode(data, kind)
                return model.model_validate(doc)
            except _Newer as exc:
                tag = "newer"
                problem = (
                    f"it was written by a newer perpgame (format version {exc.version}; this one "
                    f"reads up to version {SCHEMA_VERSION})"
                )
            except _Damaged as exc:
                problem = str(exc)
            except ValidationError as exc:
                problem = f"it does not check out ({_explain(exc)})"
                if salvage is not None:
                    rescued, kept = salvage(doc)
                    if rescued is not None and kept:
                        fallback = f"Kept what was still good: {kept}."
        aside = self._set_aside(path, tag)
        if aside is not None:
            where = f"It was set aside as {aside.name}, unchanged."
        else:
            self._blocked.add(str(path))
            where = "It could not be set aside, so it is left as it is and will not be overwritten."
        self._notice(f"{path} could not be used: {problem}. {where} {fallback}")
        return rescued

    # ------------------------------------------------------------ the profile
    def profile(self) -> Profile:
        """The player's profile; a damaged file is set aside and what is good kept.

        Read again whenever the file has changed since (another game on the folder saved).
        """
        if self._profile is None or self._profile_seen != self._on_disk():
            self._profile = self._read_profile()
        return self._profile

    def _on_disk(self) -> object:
        """The profile file's bytes now (None: no file; a tuple when it cannot be read)."""
        try:
            return _read_bytes(self.profile_path)
        except (_Damaged, OSError) as exc:
            return ("unreadable", str(exc))

    def _read_profile(self) -> Profile:
        loaded = self._load(
            self.profile_path, "profile", Profile, "Starting a fresh profile.", _salvage_profile
        )
        assert loaded is None or isinstance(loaded, Profile)
        self._profile_seen = self._on_disk()  # (after a damaged file was set aside)
        return loaded if loaded is not None else Profile()

    def _update_profile(self, change: Callable[[Profile], None]) -> bool:
        """Change the profile and write it: read, change and write under the folder's lock.

        When another game wrote the file since this store last saw it, the change is applied to
        what it wrote; so two games on one folder never lose each other's results. When the lock
        or the folder cannot be had, the change is kept in memory and a notice says so.
        """
        what = "Your progress is kept in memory while the game runs."
        if str(self.profile_path) not in self._blocked:
            try:
                self.root.mkdir(parents=True, exist_ok=True)
                with _locked(self.root / PROFILE_LOCK, LOCK_SECONDS):
                    profile = self.profile()  # read again if another game wrote meanwhile
                    change(profile)
                    ok = self._write(self.profile_path, profile, what)
                    if ok:
                        self._profile_seen = self._on_disk()
                    return ok
            except _LockTimeout:
                self._notice(
                    f"Another perpgame kept the profile in {self.root} locked for "
                    f"{LOCK_SECONDS:.0f} s, so it was not saved. {what}"
                )
            except OSError:
                pass  # an unwritable folder: _write says so below
        profile = self.profile()
        change(profile)
        return self._write(self.profile_path, profile, what)

    def save_profile(self) -> bool:
        """Write the profile (under the lock); this game's settings and last level win.

        False (and a notice; progress stays in memory) when it cannot be written.
        """
        mine = self._profile or self.profile()
        settings, last = mine.settings.model_copy(), mine.last_level

        def keep_mine(profile: Profile) -> None:
            profile.settings = settings
            if last is not None:
                profile.last_level = last

        return self._update_profile(keep_mine)

    def record_result(self, session: GameSession) -> Profile:
        """Count a finished game: plays, wins, best stars, best P&L, the last level; then save.

        An unfinished game, or one already recorded, changes nothing. A resume save of the same
        level is cleared: that game is over.
        """
        if session.status == PLAYING or session in self._recorded:
            return self.profile()
        self._recorded.add(session)
        level_id = session.level.id
        won = session.status == WON
        stars = session.stars if won else 0
        pnl = int(session.metrics["player_pnl"])

        def count(profile: Profile) -> None:
            entry = profile.progress(level_id)
            if entry is None:
                entry = LevelProgress(stars=stars, best_pnl=pnl, plays=1, wins=int(won))
            else:
                entry = LevelProgress(
                    stars=max(entry.stars, stars),
                    best_pnl=max(entry.best_pnl, pnl),
                    plays=entry.plays + 1,
                    wins=entry.wins + int(won),
                )
            if entry.wins:  # (in this order, so that each assignment validates)
                profile.tried = {k: v for k, v in profile.tried.items() if k != level_id}
                profile.completed = {**profile.completed, level_id: entry}
            else:
                profile.tried = {**profile.tried, level_id: entry}
            profile.last_level = level_id

        self._update_profile(count)
        self._clear_resume_of(level_id)
        return self.profile()

    def is_unlocked(self, level_id: str, curriculum_ids: list[str]) -> bool:
        """The first level always; any other once the one before it is completed (won).

        A level outside the curriculum (a sandbox or a file played by path) is always open.
        """
        if level_id not in curriculum_ids:
            return True
        i = curriculum_ids.index(level_id)
        return i == 0 or self.profile().is_completed(curriculum_ids[i - 1])

    def next_level(self, curriculum_ids: list[str]) -> str | None:
        """The first unlocked level not yet completed; None when every level is completed."""
        for level_id in curriculum_ids:
            if not self.profile().is_completed(level_id):
                return level_id if self.is_unlocked(level_id, curriculum_ids) else None
        return None

    # ------------------------------------------------------------ resume
    def save_resume(self, session: GameSession) -> bool:
        """Save the game in progress to ``resume.json`` (on quit and every few seconds).

        A finished game is not saved (False). Inputs queued with ``submit()`` but not yet applied
        by a ``step()`` are not part of the save.
        """
        if session.status != PLAYING:
            return False
        level = session.level
        if not re.fullmatch(_HEX64, level.sha256 or ""):
            self._notice(
                f"The level {level.id!r} was not loaded from a file, so this game cannot be saved "
                "for resuming."
            )
            return False
        save = ResumeSave(
            level_id=level.id,
            level_sha256=level.sha256,
            level_file=_level_file(level, self.root),
            seed=session.seed,
            tick=session.tick,
            inputs=list(session.input_log),
            state_hash=session.state_hash(),
            instance=self.instance,
        )
        ok = self._write(
            self.resume_path,
            save,
            "The game goes on, but it cannot be resumed after quitting.",
        )
        if self.profile().last_level != level.id:

            def note_level(profile: Profile) -> None:
                profile.last_level = level.id

            self._update_profile(note_level)
        return ok

    def load_resume(self) -> ResumeSave | None:
        """The resume save, validated; None when there is none or it is damaged (set aside)."""
        save = self._load(self.resume_path, "resume", ResumeSave, "There is no game to resume.")
        assert save is None or isinstance(save, ResumeSave)
        return save

    def resume_session(self) -> GameSession | None:
        """The saved game, replayed headless to its tick, ready to go on.

        None, with a notice, when there is no save, it is damaged, its level is unknown or has
        changed, or the replay does not reach the saved state; such a save is set aside.
        """
        save = self.load_resume()
        if save is None:
            return None
        try:
            level = _find_saved_level(
                save.level_id, save.level_sha256, save.level_file, self.levels_folder, (self.root,)
            )
        except _LevelProblem as exc:
            self._refuse_resume(str(exc))
            return None
        if save.tick > level.tick_limit:
            self._refuse_resume(f"it is at tick {save.tick}, after the level's end")
            return None
        session = GameSession(level, save.seed)
        session.schedule(save.inputs)
        session.run(save.tick)
        if (session.tick, session.status, session.state_hash()) != (
            save.tick,
            PLAYING,
            save.state_hash,
        ):
            self._refuse_resume(
                "replaying its inputs does not reach the saved game (this perpgame plays the "
                "level differently from the one that saved it)"
            )
            return None
        return session

    def _refuse_resume(self, problem: str) -> None:
        path = self.resume_path
        aside = self._set_aside(path, "stale")
        if aside is not None:
            where = f"It was set aside as {aside.name}."
        else:
            where = "It is left as it is."
        self._notice(
            f"The saved game in {path} cannot be resumed: {problem}. {where} "
            "Start the level again to play it."
        )

    def clear_resume(self) -> None:
        """Forget the game in progress (it was finished or abandoned)."""
        path = self.resume_path
        if str(path) in self._blocked:
            return
        try:
            path.unlink()
        except (FileNotFoundError, NotADirectoryError):
            return
        except OSError as exc:
            self._notice(f"Could not remove {path}: {_reason(exc)}.")
            return
        _fsync_dir(path.parent)

    def _clear_resume_of(self, level_id: str) -> None:
        try:
            data = _read_bytes(self.resume_path)
        except (_Damaged, OSError):
            return
        if data is None or _peek(data, "level_id") != level_id:
            return
        writer = _peek(data, "instance")
        if isinstance(writer, str) and writer != self.instance and _running(writer):
            return  # the game in progress of another game running on this folder
        self.clear_resume()

    # ------------------------------------------------------------ replays
    def save_replay(self, session: GameSession) -> Path | None:
        """Save a finished game as ``replays/<level>-<seed>-<n>.json``; None (+ notice) if not."""
        level = session.level
        if session.status == PLAYING:
            self._notice("Only a finished game can be saved as a replay.")
            return None
        if not re.fullmatch(_HEX64, level.sha256 or ""):
            self._notice(
                f"The level {level.id!r} was not loaded from a file, so its replay could not be "
                "checked later; it was not saved."
            )
            return None
        replay = Replay(
            level_id=level.id,
            level_title=level.title[:200],
            level_sha256=level.sha256,
            level_file=_level_file(level, self.root),
            seed=session.seed,
            ticks=session.tick,
            inputs=list(session.input_log),
            final_state_hash=session.state_hash(),
            result=ReplayResult(
                status=session.status,
                stars=session.stars,
                reason=session.end_reason[:2000],
                player_pnl=int(session.metrics["player_pnl"]),
            ),
            told_sha256=told_hash(session),
        )
        folder = self.replays_dir
        what = "The replay was not saved."
        try:
            folder.mkdir(parents=True, exist_ok=True)
            taken = [p.name for p in folder.iterdir()]
        except OSError as exc:
            self._notice(f"Could not save a replay in {folder}: {_reason(exc)}. {what}")
            return None
        prefix = f"{level.id}-{session.seed}-"
        numbers = [
            int(m.group(1))
            for name in taken
            if (m := re.fullmatch(re.escape(prefix) + r"(\d{1,9})\.json", name))
        ]
        n = max(numbers, default=0) + 1
        path = folder / f"{prefix}{n}.json"
        while path.exists():  # pragma: no cover - only when another process wrote meanwhile
            n += 1
            path = folder / f"{prefix}{n}.json"
        return path if self._write(path, replay, what) else None

    def replays(self) -> list[Path]:
        """The saved replays, oldest name first (by level, seed and number)."""
        try:
            files = [p for p in self.replays_dir.glob("*.json") if p.is_file()]
        except OSError:
            return []

        def key(p: Path) -> tuple[str, int]:
            m = re.fullmatch(r"(.*)-(\d+)", p.stem)
            return (m.group(1), int(m.group(2))) if m else (p.stem, 0)

        return sorted(files, key=key)

    def load_replay(self, path: str | Path) -> Replay:
        """Read a replay and check its level; :class:`ReplayError` says what is wrong.

        (A damaged replay is not moved: it may be a file the player pointed at.)
        """
        return read_replay(path, self.levels_folder, self.root)


def _salvage_profile(doc: Any) -> tuple[Profile | None, str]:
    """What still validates in a profile that does not: each level entry and setting alone."""
    if not isinstance(doc, dict):
        return None, ""
    books: dict[str, dict[str, LevelProgress]] = {"completed": {}, "tried": {}}
    for book, entries in books.items():
        raw = doc.get(book)
        if not isinstance(raw, dict):
            continue
        for key, value in raw.items():
            if not isinstance(key, str) or not re.fullmatch(_SLUG, key) or len(key) > 48:
                continue
            try:
                entry = LevelProgress.model_validate(value)
            except ValidationError:
                continue
            entries[key] = entry
    # An entry filed in the wrong book is moved to the right one (a win is a win).
    both = [*books["tried"].items(), *books["completed"].items()]
    completed = {k: v for k, v in both if v.wins}
    tried = {k: v for k, v in both if not v.wins and k not in completed}
    settings: dict[str, Any] = {}
    raw = doc.get("settings")
    if isinstance(raw, dict):
        for name in Settings.model_fields:
            if name in raw:
                try:
                    Settings.model_validate({name: raw[name]})
                except ValidationError:
                    continue
                settings[name] = raw[name]
    last = doc.get("last_level")
    if not (isinstance(last, str) and re.fullmatch(_SLUG, last) and len(last) <= 48):
        last = None
    profile = Profile(
        completed=completed,
        tried=tried,
        settings=Settings.model_validate(settings),
        last_level=last,
    )
    kept = []
    levels = len(completed) + len(tried)
    if levels:
        kept.append(f"progress on {levels} level{'s' if levels > 1 else ''}")
    if settings:
        kept.append(f"{len(settings)} setting{'s' if len(settings) > 1 else ''}")
    if last:
        kept.append("the last level played")
    return profile, ", ".join(kept)
