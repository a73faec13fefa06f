"""Shared set-up for the saves tests: a real level, scripted players, an unwritable folder."""

from __future__ import annotations

import os
import shutil
import tempfile
import types
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from perpgame import saves
from perpgame.level import load_level
from perpgame.level.schema import Level
from perpgame.session import GameSession
from perpgame.session.inputs import PlayerInput

ROOT = Path(__file__).resolve().parents[2]
# A frozen copy of an early "happy path", so redesigning the shipped level cannot break these.
LEVEL_FILE = ROOT / "tests" / "saves" / "files" / "happy-path.toml"
STAMP = "20261125T143000Z"
SEED = 7

# A player who rests bids under the market, buys at market, and wins with 2 stars (tick 65).
WINNING = (
    PlayerInput.order(5, 1, 500, 5_900_000),
    PlayerInput.order(10, 1, 1000),
    PlayerInput(12, "leverage", leverage=5),
    PlayerInput.order(31, 1, 400, 5_800_000),
)
# A player who trades, changes their mind and runs out the clock: lost at tick 300.
LOSING = (
    PlayerInput.order(3, -1, 200),
    PlayerInput(4, "add_margin", amount=1_000_000_000),
    PlayerInput(40, "close"),
    PlayerInput(41, "leverage", leverage=2),
)


def frozen_clock() -> str:
    return STAMP


@pytest.fixture
def level() -> Level:
    return load_level(LEVEL_FILE)


@pytest.fixture
def levels_folder(tmp_path: Path) -> Path:
    """A private copy of the levels folder, which a test may edit."""
    folder = tmp_path / "levels"
    folder.mkdir()
    shutil.copy(LEVEL_FILE, folder / LEVEL_FILE.name)
    return folder


@pytest.fixture
def own_level(levels_folder: Path) -> Level:
    return load_level(levels_folder / LEVEL_FILE.name)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "saves"


@pytest.fixture
def store_factory(root: Path, levels_folder: Path) -> Callable[[], saves.SaveStore]:
    return lambda: saves.SaveStore(root, levels_folder=levels_folder, clock=frozen_clock)


def play(
    level: Level,
    actions: Iterable[PlayerInput],
    *,
    seed: int = SEED,
    until: int | None = None,
    session: GameSession | None = None,
) -> GameSession:
    """Drive a session as the TUI does: each action is submitted just before its tick's step."""
    session = session or GameSession(level, seed)
    due: dict[int, list[PlayerInput]] = {}
    for action in actions:
        due.setdefault(action.tick, []).append(action)
    limit = level.tick_limit if until is None else until
    while session.tick < limit:
        for action in due.get(session.tick + 1, ()):
            session.submit(action)
        if not session.step():
            break
    return session


LOCKS = {".profile.lock", ".instance.lock"}


def files_in(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by name, except the lock files (they stay, empty or naming
    the running game, on purpose)."""
    return {
        p.name: p.read_bytes() for p in folder.rglob("*") if p.is_file() and p.name not in LOCKS
    }


@pytest.fixture
def make_unwritable(monkeypatch: pytest.MonkeyPatch) -> Iterable[Callable[[Path], None]]:
    """Make a folder unwritable: chmod 0o555, and where that does not stop writes (root in CI)
    refuse, with PermissionError, every write, rename, link, unlink or mkdir inside it."""
    folders: list[Path] = []

    def make(folder: Path) -> None:
        folder.chmod(0o555)
        folders.append(folder)
        probe = folder / ".probe"
        try:
            probe.write_bytes(b"")
        except PermissionError:
            return  # the permission bits work: nothing to simulate
        probe.unlink()
        inside = folder.resolve()

        def guarded(real: Callable) -> Callable:
            def call(*args, **kwargs):
                for arg in args[:2]:
                    if isinstance(arg, str | os.PathLike):
                        p = Path(arg).resolve()
                        if p == inside or inside in p.parents:
                            raise PermissionError(13, "Permission denied", str(arg))
                return real(*args, **kwargs)

            return call

        def mkstemp(*args, dir=None, **kwargs):
            if dir is not None:
                guarded(lambda *a: None)(dir)
            return tempfile.mkstemp(*args, dir=dir, **kwargs)

        monkeypatch.setattr(saves.files, "tempfile", types.SimpleNamespace(mkstemp=mkstemp))
        for name in ("link", "rename", "replace", "unlink", "mkdir"):
            monkeypatch.setattr(os, name, guarded(getattr(os, name)))

    yield make
    for folder in folders:
        folder.chmod(0o755)
