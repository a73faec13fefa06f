"""Replays without a store: read one and find its level, play it, check every recorded field.

A replay file is never moved or changed, even when it is damaged: it may be a file the player
pointed at. Checking one recomputes every recorded field (:func:`check_replay`) and returns what
it found; saying so is the caller's job.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from perpgame.level.schema import Level
from perpgame.places import saves_dir
from perpgame.saves.errors import Damaged, LevelProblem, Newer, ReplayError
from perpgame.saves.files import read_bytes, reason
from perpgame.saves.migrations import decode, explain
from perpgame.saves.models import Replay
from perpgame.saves.saved_level import find_saved_level
from perpgame.session import GameSession
from perpgame.session.limits import clip
from perpgame.session.numbers import format_cash


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
        data = read_bytes(path)
    except Damaged as exc:
        raise ReplayError(f"The replay {path} cannot be used: {exc}.") from None
    except OSError as exc:
        raise ReplayError(f"The replay {path} cannot be read: {reason(exc)}.") from None
    if data is None:
        raise ReplayError(f"There is no replay file {path}.")
    try:
        replay = Replay.model_validate(decode(data, "replay"))
    except Newer as exc:
        raise ReplayError(
            f"The replay {path} was written by a newer perpgame (format version {exc.version}; "
            f"this one reads up to version {exc.newest}). Update perpgame to watch it."
        ) from None
    except Damaged as exc:
        raise ReplayError(f"The replay {path} is damaged: {exc}.") from None
    except ValidationError as exc:
        raise ReplayError(f"The replay {path} is damaged: {explain(exc)}.") from None
    try:
        bases = (path.parent.parent, saves_dir()) if saves_root is None else (saves_root,)
        level = find_saved_level(
            replay.level_id, replay.level_sha256, replay.level_file, levels_folder, bases
        )
    except LevelProblem as exc:
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
