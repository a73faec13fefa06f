"""Level files in, :class:`Level` out, or a :class:`LevelError` that says what to fix.

Whatever the bytes (missing file, a folder, not UTF-8, empty, broken TOML, wrong types, numbers too
large), the only exception that leaves :func:`load_level` is :class:`LevelError`. TOML is read with
``tomllib`` and validated with the pydantic models of :mod:`perpgame.level.schema`; nothing is
evaluated.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
import stat
import tomllib
import types
import typing
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from perpgame.level.errors import LevelError, Problem
from perpgame.level.schema import ACTION_KINDS, FieldIssue, Level, show_value

__all__ = [
    "MAX_FILE_BYTES",
    "NotRegularFile",
    "clip",
    "load_level",
    "load_level_text",
    "open_regular",
    "path_of",
    "plain_error",
    "read_file_bytes",
    "read_toml",
    "slow_warning",
    "validation_problems",
]

MAX_FILE_BYTES = 1 << 20
"""A level (or actions) file is at most 1 MiB: far more than any level needs."""


# --------------------------------------------------------------------------------------------------
# Public API


def load_level(path: str | Path) -> Level:
    """Read and validate one level file; :class:`LevelError` lists every problem found."""
    name = str(path)
    data = read_file_bytes(path)
    level = _load(data, name)
    level._source = Path(path)
    return level


def load_level_text(text: str | bytes, source: str = "<text>") -> Level:
    """Validate a level given as text (``source`` names it in messages)."""
    data = text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")
    return _load(data, source)


def _load(data: bytes, name: str) -> Level:
    raw = read_toml(data, name)
    try:
        level = Level.model_validate(raw)
    except ValidationError as exc:
        raise LevelError(
            validation_problems(exc, name, Level, {"timeline": ACTION_KINDS})
        ) from None
    except RecursionError:
        raise LevelError.single(name, "", "the file is nested too deeply") from None
    except Exception as exc:  # a bug in a validator must still not become a traceback
        raise LevelError.single(
            name, "", f"internal error while checking the level: {plain_error(exc)}"
        ) from None
    level._sha256 = hashlib.sha256(data).hexdigest()
    return level


SECONDS_PER_TRADER_TICK = 10e-6
"""What one trader costs per tick headless, about (3 us measured for a noise trader, kept
generous for slower machines and busier bots)."""
SLOW_SECONDS = 30


def slow_warning(level: Level) -> str | None:
    """A warning when the level would take longer than about 30 s to play headless, else None."""
    populations = level.populations()
    traders = sum(pop.count for _, pop in populations) + sum(1 for a in level.accounts if a.bot)
    seconds = level.tick_limit * (traders + 20) * SECONDS_PER_TRADER_TICK
    if seconds <= SLOW_SECONDS:
        return None
    return (
        f"{level.tick_limit:,} ticks x {traders:,} traders would take about {seconds:,.0f} s to "
        "play headless (and slow the game down); fewer traders, a longer tick_seconds or a "
        "shorter time_limit make it quicker"
    )


# --------------------------------------------------------------------------------------------------
# Bytes -> TOML tables


def read_file_bytes(path: str | Path, what: str = "a level file") -> bytes:
    """The bytes of a file, or LevelError saying why they cannot be had.

    Only a regular file is read: a FIFO, a device or a socket is refused before it can block.
    """
    name = str(path)
    try:
        with open_regular(path) as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > MAX_FILE_BYTES:
                raise LevelError.single(
                    name, "", f"is {size:,} bytes; {what} is at most {MAX_FILE_BYTES:,} bytes"
                )
            data = fh.read(MAX_FILE_BYTES + 1)
    except LevelError:
        raise
    except FileNotFoundError:
        raise LevelError.single(name, "", "no such file") from None
    except IsADirectoryError:
        raise LevelError.single(name, "", f"is a folder, not {what}") from None
    except NotRegularFile as exc:
        raise LevelError.single(name, "", f"is {exc.strerror}, not {what}") from None
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise LevelError.single(name, "", f"cannot read the file: {reason}") from None
    if len(data) > MAX_FILE_BYTES:
        raise LevelError.single(name, "", f"{what} is at most {MAX_FILE_BYTES:,} bytes")
    return data


class NotRegularFile(OSError):
    """The path names a FIFO, a device or a socket: reading it could block or never end."""


_KINDS = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _check_regular(mode: int, path: str | Path) -> None:
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(21, "is a folder", str(path))
    what = next((name for test, name in _KINDS if test(mode)), "not a regular file")
    raise NotRegularFile(0, what, str(path))


def open_regular(path: str | Path):
    """Open a regular file for reading (binary); anything else is refused before it can block.

    Raises FileNotFoundError, IsADirectoryError, :class:`NotRegularFile` (``strerror`` says what
    the path is, e.g. "a named pipe (FIFO)") or another OSError.
    """
    nonblock = getattr(os, "O_NONBLOCK", 0)
    if not nonblock:  # (Windows) look before opening; there are no FIFOs to block on there
        _check_regular(os.stat(path).st_mode, path)
    flags = os.O_RDONLY | nonblock | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        _check_regular(os.fstat(fd).st_mode, path)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def clip(text: str, limit: int = 80) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis: an echoed value stays on a line."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plain_error(exc: BaseException) -> str:
    """An exception's message for people: no advice to call Python functions, at most a line."""
    text = str(exc)
    m = re.search(r"Exceeds the limit \((\d+) digits\)", text)
    if m:
        return f"a number has more than {int(m.group(1)):,} digits"
    return text.split("; use sys.", 1)[0]


_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_AT_END = re.compile(r"\s*\(at end of document\)\s*$")
_TOML_HINTS = {
    "Invalid value": 'invalid value (text needs quotes, like "60000"; true/false are lowercase)',
    "Cannot overwrite a value": "this key or table is set twice",
}


def read_toml(data: bytes, name: str) -> dict[str, Any]:
    """Decode UTF-8 and parse TOML; every failure becomes a LevelError with a line and column."""
    if len(data) > MAX_FILE_BYTES:
        raise LevelError.single(name, "", f"is too large: at most {MAX_FILE_BYTES:,} bytes")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise LevelError(
            [
                Problem(
                    name,
                    "",
                    f"not UTF-8 text (byte 0x{data[exc.start]:02x}): save the file as UTF-8",
                    line,
                    column,
                )
            ]
        ) from None
    if not text.strip():
        raise LevelError.single(name, "", "the file is empty")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        line = column = None
        if m := _AT.search(message):
            line, column = int(m.group(1)), int(m.group(2))
            message = message[: m.start()]
        elif m := _AT_END.search(message):
            lines = text.split("\n")
            line, column = len(lines), len(lines[-1]) + 1
            message = message[: m.start()]
        message = _TOML_HINTS.get(message, message)
        message = message[:1].lower() + message[1:]
        raise LevelError([Problem(name, "", f"TOML syntax: {message}", line, column)]) from None
    except RecursionError:
        raise LevelError.single(name, "", "TOML: nested too deeply") from None
    except Exception as exc:  # e.g. an integer with thousands of digits
        raise LevelError.single(name, "", f"TOML: {plain_error(exc)}") from None


# --------------------------------------------------------------------------------------------------
# pydantic errors -> problems


def validation_problems(
    exc: ValidationError,
    name: str,
    root: type[BaseModel],
    tagged: dict[str, Iterable[str]],
) -> list[Problem]:
    """One :class:`Problem` per pydantic error, with a dotted path and a plain message.

    ``tagged`` maps an array holding a discriminated union (``timeline``) to its tags, whose name
    pydantic puts in the location and which the path leaves out.
    """
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    tags = {k: set(v) for k, v in tagged.items()}
    for err in exc.errors():
        loc = _strip_tags(tuple(err["loc"]), tags)
        for field, message in _explain(err, loc, root, tagged):
            if (field, message) not in seen:
                seen.add((field, message))
                problems.append(Problem(name, clip(field), message))
    return problems


def _strip_tags(loc: tuple[Any, ...], tags: dict[str, set[str]]) -> tuple[Any, ...]:
    out: list[Any] = []
    for i, part in enumerate(loc):
        if (
            i >= 2
            and isinstance(part, str)
            and isinstance(loc[i - 1], int)
            and loc[i - 2] in tags
            and part in tags[loc[i - 2]]
        ):
            out.append(("tag", part))
            continue
        out.append(part)
    return tuple(out)


def path_of(loc: Iterable[Any]) -> str:
    """``('traders', 1, 'params')`` -> ``traders[2].params`` (array entries counted from 1)."""
    text = ""
    for part in loc:
        if isinstance(part, tuple):  # a union tag: not part of the path
            continue
        if isinstance(part, int):
            text += f"[{part + 1}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _join(path: str, sub: str) -> str:
    if not sub:
        return path
    if not path or sub.startswith("["):
        return path + sub
    return f"{path}.{sub}"


def _show(value: Any) -> str:
    """A value as the error message names it; text is called text (``text 'abc'``)."""
    shown = show_value(value)
    return f"text {shown}" if isinstance(value, str) else shown


_TYPE_MESSAGES = {
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "string_type": "expected text in quotes",
    "list_type": "expected a list like [ ... ]",
    "tuple_type": "expected a list like [ ... ]",
    "dict_type": "expected a table",
    "model_type": "expected a table",
    "model_attributes_type": "expected a table",
}
"""pydantic error types about a value of the wrong type -> what the file should hold instead."""

_BOUNDS = {
    "greater_than_equal": ("at least", "ge"),
    "greater_than": ("more than", "gt"),
    "less_than_equal": ("at most", "le"),
    "less_than": ("less than", "lt"),
}
"""pydantic error types about a number out of bounds -> (the words, the bound's key in ctx)."""


def _explain(
    err: Any, loc: tuple[Any, ...], root: type[BaseModel], tagged: dict[str, Iterable[str]]
) -> list[tuple[str, str]]:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    path = path_of(loc)

    if kind == "value_error" and isinstance(ctx.get("error"), FieldIssue):
        return [(_join(path, sub), msg) for sub, msg in ctx["error"].issues]
    if kind in ("value_error", "assertion_error"):
        return [(path, plain_error(ctx.get("error", err["msg"])))]
    if kind == "extra_forbidden":
        return [(path, _unknown_field(loc, err.get("input"), root))]
    if kind == "missing":
        if isinstance(loc[-1], str) and _is_section(loc, root):
            return [(path, f"missing section [{path}]")]
        return [(path, "is required but missing")]
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        return [(_join(path, "do"), _tag_message(kind, ctx, _tags_for(loc, tagged)))]
    return [(path, _value_message(err, kind, ctx))]


def _tag_message(kind: str, ctx: dict[str, Any], known: list[str]) -> str:
    """An array entry whose ``do`` names no action, or has no ``do`` at all."""
    if kind == "union_tag_not_found":
        return f'missing `do = "ACTION"`; actions: {", ".join(known)}'
    tag = ctx.get("tag", "?")
    hint = _suggest(str(tag), known)
    return f"unknown action {clip(repr(tag))}{hint}; known: {', '.join(known)}"


def _value_message(err: Any, kind: str, ctx: dict[str, Any]) -> str:
    """A value of the wrong type, out of bounds, not among the choices or too long."""
    value = err.get("input")
    if kind in _TYPE_MESSAGES:
        return f"{_TYPE_MESSAGES[kind]}, got {_show(value)}"
    if kind in _BOUNDS:
        word, key = _BOUNDS[kind]
        return f"must be {word} {ctx.get(key)}, got {_show(value)}"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')}, got {_show(value)}"
    if kind == "too_long":
        return f"has {ctx.get('actual_length')} entries; the limit is {ctx.get('max_length')}"
    return str(err.get("msg", "is not valid"))


def _suggest(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _tags_for(loc: tuple[Any, ...], tagged: dict[str, Iterable[str]]) -> list[str]:
    for part in reversed(loc):
        if isinstance(part, str) and part in tagged:
            return list(tagged[part])
    return [t for tags in tagged.values() for t in tags]


def _unknown_field(loc: tuple[Any, ...], value: Any, root: type[BaseModel]) -> str:
    key = str(loc[-1]) if loc else "?"
    model = _model_at(root, loc[:-1])
    allowed = _field_names(model) if model is not None else []
    table = isinstance(value, dict) or (
        isinstance(value, list) and value and all(isinstance(v, dict) for v in value)
    )
    what = "section" if table and len(loc) == 1 else "field"
    text = f"unknown {what} {clip(repr(key))}{_suggest(key[:100], allowed)}"
    if allowed:
        text += f"; allowed here: {', '.join(allowed)}"
    return text


def _field_names(model: type[BaseModel]) -> list[str]:
    names = []
    for name, info in model.model_fields.items():
        alias = info.validation_alias
        names.append(alias if isinstance(alias, str) else name)
    return names


def _is_section(loc: tuple[Any, ...], root: type[BaseModel]) -> bool:
    model = _model_at(root, loc)
    return (
        model is not None
        and model.model_fields
        and any(info.is_required() for info in model.model_fields.values())
    )


def _unwrap(tp: Any) -> list[Any]:
    """The candidate types inside an annotation (Annotated, Optional and unions opened)."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        return [t for arg in typing.get_args(tp) for t in _unwrap(arg)]
    return [tp]


def _model_at(root: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model class that validates the table at ``loc`` (None when it is not a model)."""
    current: list[Any] = [root]
    for part in loc:
        current = [t for tp in current for t in _step(tp, part)]
    models = [t for t in current if isinstance(t, type) and issubclass(t, BaseModel)]
    return models[0] if len(models) == 1 else None


def _step(tp: Any, part: Any) -> list[Any]:
    """The types one step below ``tp`` at ``part`` (an index, a union tag or a field name)."""
    if isinstance(part, int):
        return _unwrap(typing.get_args(tp)[0]) if typing.get_origin(tp) is list else []
    if not (isinstance(tp, type) and issubclass(tp, BaseModel)):
        return []
    if isinstance(part, tuple):  # a union tag picks one member
        do = tp.model_fields.get("do")
        return [tp] if do is not None and part[1] in typing.get_args(do.annotation) else []
    return [
        t
        for name, info in tp.model_fields.items()
        if part in (name, info.validation_alias)
        for t in _unwrap(info.annotation)
    ]
