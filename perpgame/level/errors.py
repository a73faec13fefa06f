"""What is wrong with a level (or actions) file, said so that a person can fix it.

Every way a file can be wrong ends as a :class:`LevelError` holding one :class:`Problem` per thing
to fix. Nothing else escapes the loaders: not a traceback, not a pydantic error.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_LINE = 400
"""A problem is told on one line of at most this many characters (a value echoed from a file is
cut well before that)."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one file.

    ``field`` is a dotted path into the file (``traders[2].params.spread_bps``; entries of an
    array of tables are counted from 1) or ``""`` when the problem is the file as a whole.
    ``line``/``column`` are set for syntax errors (counted from 1).
    """

    file: str
    field: str
    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        text = self._line()
        return text if len(text) <= MAX_LINE else text[: MAX_LINE - 1] + "…"

    def _line(self) -> str:
        if self.line is not None:
            where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
            return f"{self.file}: {where}: {self.message}"
        if self.field:
            return f"{self.file}: {self.field}: {self.message}"
        return f"{self.file}: {self.message}"


class LevelError(Exception):
    """A level, actions file or levels folder could not be used; ``problems`` says why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.lines()))

    @classmethod
    def single(cls, file: str, field: str, message: str) -> LevelError:
        return cls([Problem(file, field, message)])

    def lines(self) -> list[str]:
        """``FILE: FIELD: what is wrong``, one line per problem."""
        return [str(p) for p in self.problems]

    def __str__(self) -> str:
        return "\n".join(self.lines())
