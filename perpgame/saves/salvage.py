"""What still validates in a damaged profile: each level entry and each setting on its own.

A profile that fails validation is set aside whole, bytes intact; the game goes on with what this
module rescues from it (and the notice says what was kept).
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from perpgame.saves.models import SLUG, LevelProgress, Profile, Settings


def salvage_profile(doc: Any) -> tuple[Profile | None, str]:
    """What still validates in a profile that does not, and a phrase saying what that is."""
    if not isinstance(doc, dict):
        return None, ""
    books = {book: _good_entries(doc.get(book)) for book in ("completed", "tried")}
    # An entry filed in the wrong book is moved to the right one (a win is a win).
    both = [*books["tried"].items(), *books["completed"].items()]
    completed = {k: v for k, v in both if v.wins}
    tried = {k: v for k, v in both if not v.wins and k not in completed}
    settings = _good_settings(doc.get("settings"))
    last = doc.get("last_level")
    if not _is_level_id(last):
        last = None
    profile = Profile(
        completed=completed,
        tried=tried,
        settings=Settings.model_validate(settings),
        last_level=last,
    )
    return profile, _kept(len(completed) + len(tried), len(settings), last is not None)


def _is_level_id(key: Any) -> bool:
    return isinstance(key, str) and re.fullmatch(SLUG, key) is not None and len(key) <= 48


def _good_entries(raw: Any) -> dict[str, LevelProgress]:
    """The entries of one book (``completed`` or ``tried``) that validate on their own."""
    entries: dict[str, LevelProgress] = {}
    if not isinstance(raw, dict):
        return entries
    for key, value in raw.items():
        if not _is_level_id(key):
            continue
        try:
            entries[key] = LevelProgress.model_validate(value)
        except ValidationError:
            continue
    return entries


def _good_settings(raw: Any) -> dict[str, Any]:
    """The settings that validate on their own, as they were written."""
    settings: dict[str, Any] = {}
    if not isinstance(raw, dict):
        return settings
    for name in Settings.model_fields:
        if name in raw:
            try:
                Settings.model_validate({name: raw[name]})
            except ValidationError:
                continue
            settings[name] = raw[name]
    return settings


def _kept(levels: int, settings: int, last_level: bool) -> str:
    """``progress on 2 levels, 1 setting, the last level played``."""
    kept = []
    if levels:
        kept.append(f"progress on {levels} level{'s' if levels > 1 else ''}")
    if settings:
        kept.append(f"{settings} setting{'s' if settings > 1 else ''}")
    if last_level:
        kept.append("the last level played")
    return ", ".join(kept)
