"""The saves' models: what ``profile.json``, ``resume.json`` and a replay file may hold.

Strict pydantic models with no unknown fields; nothing is unpickled or evaluated. No save names an
absolute path, and a save's inputs are within what a player can ask for.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    PrivateAttr,
    model_validator,
)

from perpgame.level.schema import Level
from perpgame.saves import migrations
from perpgame.session.inputs import PlayerInput
from perpgame.session.limits import input_problem

MAX_TICKS = 10_000_000
HEX64 = r"^[0-9a-f]{64}$"
"""A SHA-256 in hex, as a save records a level file's."""
SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
"""A level id."""


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
LevelId = Annotated[str, Field(pattern=SLUG, max_length=48)]
Sha256 = Annotated[str, Field(pattern=HEX64)]
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
    version: int = Field(default_factory=lambda: migrations.SCHEMA_VERSION)
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
    version: int = Field(default_factory=lambda: migrations.SCHEMA_VERSION)
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
        _check_inputs(self.inputs, self.tick + 1)  # queued inputs apply at the next tick
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
    version: int = Field(default_factory=lambda: migrations.SCHEMA_VERSION)
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
