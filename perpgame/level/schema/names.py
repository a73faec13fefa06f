"""The names a level may use: bot archetypes, ADL policies, a bot's params and commands.

The registries are looked up late (``perpgame.world.bots``, ``perpgame.engine.adl``), so a level
can be read before every bot is imported; a misspelt name gets a "did you mean" hint.
"""

from __future__ import annotations

import difflib
import re
from typing import Annotated, Any

from pydantic import PlainSerializer, PlainValidator

from perpgame.level.schema.base import FieldIssue, show_value


def policy_names() -> tuple[str, ...]:
    """Known ADL policy names (``perpgame.engine.adl.POLICIES``)."""
    from perpgame.engine.adl import POLICIES

    return tuple(POLICIES)


def _archetypes() -> dict[str, type]:
    from perpgame.world.bots import ARCHETYPES

    return dict(ARCHETYPES)


def archetype_names() -> tuple[str, ...]:
    """Known bot archetypes (``perpgame.world.bots.ARCHETYPES``); empty if bots cannot be loaded."""
    try:
        return tuple(_archetypes())
    except Exception:
        return ()


def known_name(name: str, known: tuple[str, ...] | list[str], what: str) -> str:
    """``name`` if it is ``known``; else ``ValueError`` with a did-you-mean hint and the list."""
    if name in known:
        return name
    hint = ""
    close = difflib.get_close_matches(name, known, n=1)
    if close:
        hint = f" (did you mean {close[0]!r}?)"
    raise ValueError(f"unknown {what} {name!r}{hint}; known: {', '.join(known)}")


def _check_archetype(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected an archetype name as text, got {show_value(value)}")
    try:
        known = tuple(_archetypes())
    except Exception as exc:
        raise ValueError(
            f"cannot check archetypes: the bots module failed to load ({exc})"
        ) from None
    return known_name(value, known, "archetype")


def check_policy(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a policy name as text, got {show_value(value)}")
    return known_name(value, policy_names(), "ADL policy")


def build_params(archetype: str, params: dict[str, Any]) -> object:
    return _archetypes()[archetype].make_params(params)  # type: ignore[attr-defined]


def check_params(archetype: str, params: dict[str, Any]) -> object:
    """Build the archetype's ``Params`` from a TOML table; ``FieldIssue`` names the bad key."""
    try:
        return build_params(archetype, params)
    except (ValueError, TypeError) as exc:
        field, message = _blame_param(str(exc), archetype, params)
        raise FieldIssue(field, message) from None
    except Exception as exc:  # a bot's builder should not crash the loader
        raise FieldIssue("", f"{archetype} could not read its params: {exc!r}") from None


def _blame_param(text: str, archetype: str, params: dict[str, Any]) -> tuple[str, str]:
    """``"whale: parameter 'qty' must be at least 0"`` -> ``("qty", "must be at least 0")``."""
    if text.startswith(f"{archetype}: "):
        text = text[len(archetype) + 2 :]
    match = re.search(r"parameter '([A-Za-z_][A-Za-z0-9_]*)'", text)
    if match:
        key = match.group(1)
        if match.start() == 0:
            text = text[match.end() :].strip() or text
        return key, text
    match = re.match(r"^([A-Za-z_][A-Za-z0-9_]*): (.+)$", text, re.S)
    if match and match.group(1) in params:
        return match.group(1), match.group(2)
    for key in params:
        if re.search(rf"(?<![A-Za-z0-9_]){re.escape(key)}(?![A-Za-z0-9_])", text):
            return key, text
    return "", text


def check_command(archetypes: list[str], name: str, args: dict[str, Any]) -> None:
    """Raise ``ValueError`` unless some bot among ``archetypes`` understands ``name`` with ``args``."""
    bots = _archetypes()
    knowing = [bots[a] for a in archetypes if a in bots and name in bots[a].commands]
    if not knowing:
        known = sorted({c for a in archetypes if a in bots for c in bots[a].commands})
        if not known:
            raise FieldIssue("group", "no bot in this group takes commands")
        raise FieldIssue(
            "name", f"no bot in this group understands {name!r}; commands: {', '.join(known)}"
        )
    for bot in knowing:
        try:
            bot.check_command(name, args)
        except (ValueError, TypeError) as exc:
            message = str(exc)
            match = re.search(r"argument '([A-Za-z_][A-Za-z0-9_]*)'", message)
            raise FieldIssue(f"args.{match.group(1)}" if match else "args", message) from None


Policy = Annotated[str, PlainValidator(check_policy), PlainSerializer(str)]
"""A name from ``perpgame.engine.adl.POLICIES``."""
Archetype = Annotated[str, PlainValidator(_check_archetype), PlainSerializer(str)]
"""A name from ``perpgame.world.bots.ARCHETYPES``."""
