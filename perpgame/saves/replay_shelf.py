"""``replays/``: finished games saved as ``<level>-<seed>-<n>.json``, listed and read back."""

from __future__ import annotations

import re
from pathlib import Path

from perpgame.saves.folder import SaveFolder
from perpgame.saves.models import HEX64, Replay, ReplayResult
from perpgame.saves.replay import read_replay, told_hash
from perpgame.saves.saved_level import relative_level_file
from perpgame.session import PLAYING, GameSession


class ReplayShelf:
    """The replays a folder keeps."""

    def __init__(self, folder: SaveFolder) -> None:
        self._folder = folder

    def save(self, session: GameSession) -> Path | None:
        """Save a finished game as ``replays/<level>-<seed>-<n>.json``; None (+ notice) if not."""
        folder = self._folder
        level = session.level
        if session.status == PLAYING:
            folder.notice("Only a finished game can be saved as a replay.")
            return None
        if not re.fullmatch(HEX64, level.sha256 or ""):
            folder.notice(
                f"The level {level.id!r} was not loaded from a file, so its replay could not be "
                "checked later; it was not saved."
            )
            return None
        replay = _replay_of(session, folder.root)
        prefix = f"{level.id}-{session.seed}-"
        return folder.write_new(
            folder.replays_dir,
            lambda taken: _free_name(folder.replays_dir, prefix, taken),
            replay,
            "The replay was not saved.",
        )

    def paths(self) -> list[Path]:
        """The saved replays, oldest name first (by level, seed and number)."""
        try:
            files = [p for p in self._folder.replays_dir.glob("*.json") if p.is_file()]
        except OSError:
            return []

        def key(p: Path) -> tuple[str, int]:
            m = re.fullmatch(r"(.*)-(\d+)", p.stem)
            return (m.group(1), int(m.group(2))) if m else (p.stem, 0)

        return sorted(files, key=key)

    def load(self, path: str | Path) -> Replay:
        """Read a replay and check its level; :class:`ReplayError` says what is wrong.

        (A damaged replay is not moved: it may be a file the player pointed at.)
        """
        return read_replay(path, self._folder.levels_folder, self._folder.root)


def _replay_of(session: GameSession, root: Path) -> Replay:
    level = session.level
    return Replay(
        level_id=level.id,
        level_title=level.title[:200],
        level_sha256=level.sha256,
        level_file=relative_level_file(level, root),
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


def _free_name(folder: Path, prefix: str, taken: list[str]) -> Path:
    """``<prefix><n>.json`` with ``n`` one more than the highest taken (a name another game takes
    meanwhile is never written over: :meth:`SaveFolder.write_new` asks again)."""
    numbers = [
        int(m.group(1))
        for name in taken
        if (m := re.fullmatch(re.escape(prefix) + r"(\d{1,9})\.json", name))
    ]
    return folder / f"{prefix}{max(numbers, default=0) + 1}.json"
