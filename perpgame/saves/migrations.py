"""Schema versions: every save carries ``kind`` and ``version``; older versions are upgraded.

A newer version (written by a newer perpgame) is :class:`~perpgame.saves.errors.Newer`, set aside
and never misread; bytes that are not a save of the expected kind are
:class:`~perpgame.saves.errors.Damaged`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from perpgame.level.loader import plain_error
from perpgame.saves.errors import Damaged, Newer
from perpgame.session.limits import clip

SCHEMA_VERSION = 1
"""The version every file is written with; files with a lower version are migrated on load."""

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


def migrate(kind: str, doc: dict[str, Any]) -> dict[str, Any]:
    """Upgrade a decoded document to :data:`SCHEMA_VERSION`, one registered step at a time."""
    version = doc.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise Damaged("it has no format version number")
    if version > SCHEMA_VERSION:
        raise Newer(version, SCHEMA_VERSION)
    if version < 1:
        raise Damaged(f"its format version {version} is not one perpgame ever wrote")
    while version < SCHEMA_VERSION:
        step = MIGRATIONS.get(kind, {}).get(version)
        if step is None:
            raise Damaged(f"there is no way to upgrade format version {version}")
        try:
            doc = step(dict(doc))
        except Exception as exc:
            raise Damaged(
                f"upgrading it from format version {version} failed ({type(exc).__name__}: {exc})"
            ) from None
        if not isinstance(doc, dict):
            raise Damaged(f"upgrading it from format version {version} gave no document")
        version += 1
        doc["version"] = version
    return doc


def decode(data: bytes, kind: str) -> dict[str, Any]:
    """Bytes -> a migrated dict of the right kind, or Damaged / Newer."""
    if not data.strip():
        raise Damaged("it is empty")
    try:
        doc = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise Damaged("it is not UTF-8 text") from None
    except RecursionError:
        raise Damaged("it is nested too deeply") from None
    except ValueError as exc:
        raise Damaged(f"it is not valid JSON ({clip(plain_error(exc), 120)})") from None
    if not isinstance(doc, dict):
        raise Damaged(f"it holds a JSON {type(doc).__name__}, not an object")
    found = doc.get("kind")
    if found != kind:
        what = f"a {found} save" if isinstance(found, str) and len(found) < 40 else "not a save"
        raise Damaged(f"it should be a {kind} save but is {what}")
    return migrate(kind, doc)


def explain(exc: ValidationError, limit: int = 3) -> str:
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
