"""Canonical text for the world's state: the same state always gives the same bytes.

The market has its own canonical text (``Market.to_text``); the bots, the oracle and the session's
timeline keep the rest of a game's state in plain attributes. :func:`canonical` writes any such
value as text that does not depend on dict order, set order, ``PYTHONHASHSEED`` or object
identity, so a state hash over it catches a replay that diverges anywhere.
"""

from __future__ import annotations

import dataclasses
import enum
from collections import deque
from collections.abc import Mapping

from perpgame.engine.rng import Rng


class StateError(TypeError):
    """A value has no canonical form (an object the world should not be keeping as state)."""


def canonical(value: object) -> str:
    """``value`` as canonical text: scalars, containers, dataclasses, enums and ``Rng`` streams.

    Dicts and sets are written sorted by the canonical text of their keys (members); floats by
    ``repr`` (exact and the same on every platform); an object with a ``state_form()`` method by
    what that returns. Anything else raises :class:`StateError` naming the type.
    """
    if value is None or isinstance(value, bool | int | str):
        return repr(value)
    if isinstance(value, float):
        return f"float({value!r})"
    if isinstance(value, Rng):
        return f"rng({value.state})"
    if isinstance(value, enum.Enum):
        return f"{type(value).__name__}.{value.name}"
    if isinstance(value, list | tuple | deque):
        return "[" + ",".join(canonical(v) for v in value) + "]"
    if isinstance(value, Mapping):
        items = sorted(f"{canonical(k)}:{canonical(v)}" for k, v in value.items())
        return "{" + ",".join(items) + "}"
    if isinstance(value, set | frozenset):
        return "set{" + ",".join(sorted(canonical(v) for v in value)) + "}"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = ",".join(
            f"{f.name}={canonical(getattr(value, f.name))}" for f in dataclasses.fields(value)
        )
        return f"{type(value).__name__}({fields})"
    state_form = getattr(value, "state_form", None)
    if callable(state_form):
        return state_form()
    raise StateError(f"no canonical form for a {type(value).__name__}")


def attributes(obj: object, *, skip: tuple[str, ...] = ()) -> str:
    """Every instance attribute of ``obj`` but ``skip``, as canonical text (``name=value;...``)."""
    names = sorted(n for n in vars(obj) if n not in skip)
    return ";".join(f"{n}={canonical(getattr(obj, n))}" for n in names)


__all__ = ["StateError", "attributes", "canonical"]
