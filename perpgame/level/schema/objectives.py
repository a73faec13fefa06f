"""[objectives]: how a level is won, lost and starred, and its time limit."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, Field, field_validator

from perpgame.level.schema.base import LIMITS, StrictModel
from perpgame.level.schema.fields import Cond, Line, Millis, Note


def _goal(value: object) -> object:
    if isinstance(value, str):
        return {"when": value}
    return value


class Goal(StrictModel):
    """A condition with an optional human description (``text``) for the objectives panel."""

    when: Cond
    text: Line = ""

    @property
    def label(self) -> str:
        return self.text or self.when.text


GoalItem = Annotated[Goal, BeforeValidator(_goal)]


class Objectives(StrictModel):
    time_limit_ms: Millis = Field(300_000, validation_alias="time_limit")
    """The level ends here (``time_limit`` in seconds in the file)."""
    win: list[GoalItem] = Field(default_factory=list, max_length=LIMITS["conditions"])
    """Won as soon as all of these hold at the same tick."""
    survive: bool = False
    """Reaching the time limit without losing is a win."""
    lose: list[GoalItem] = Field(default_factory=list, max_length=LIMITS["conditions"])
    """Lost as soon as any of these holds."""
    stars: list[GoalItem] = Field(default_factory=list, max_length=LIMITS["stars"])
    """Checked at the end of a won game: stars = 1 + how many hold."""
    hint: Note = ""

    @field_validator("time_limit_ms")
    @classmethod
    def _limit(cls, v: int) -> int:
        most = LIMITS["time_limit_seconds"]
        if not 0 < v <= most * 1000:
            raise ValueError(
                f"must be more than 0 and at most {most:,} seconds (the limit), got {v / 1000:g}"
            )
        return v
