"""Saves that are not files: a FIFO where a replay or the profile should be, huge numbers.

Before: `perpgame replay replay.json` and the game's profile load blocked forever on a FIFO; a
5,000-digit number in a save was reported with Python's advice to call
``sys.set_int_max_str_digits()``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from perpgame.saves import ReplayError, SaveStore, read_replay

from .conftest import frozen_clock

ROOT = Path(__file__).resolve().parents[2]
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")


@needs_fifo
def test_replay_answers_a_fifo_within_a_second(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "replay.json")
    with pytest.raises(ReplayError, match=r"is a named pipe \(FIFO\), not a file"):
        read_replay(tmp_path / "replay.json")
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "perpgame", "replay", "replay.json", "--headless"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert done.returncode == 1
    assert "replay.json cannot be used: it is a named pipe (FIFO), not a file" in done.stderr
    assert time.monotonic() - start < 10  # (the process start is most of it; the read is at once)


@needs_fifo
@pytest.mark.parametrize("argv", [["replay", "replay.json"], ["play", "./level.toml"]])
def test_a_fifo_is_refused_before_the_screen_is_loaded(tmp_path: Path, argv: list[str]) -> None:
    """Before: watching a replay and playing a level by path imported Textual, then refused the
    FIFO: over a second in all on a busy machine (the check itself takes milliseconds)."""
    os.mkfifo(tmp_path / "replay.json")
    os.mkfifo(tmp_path / "level.toml")
    code = f"import sys; from perpgame.cli import main; print(main({argv!r}), 'textual' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env={**os.environ, "PERPGAME_SAVES": str(tmp_path / "saves")},
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert "is a named pipe (FIFO)" in done.stderr
    assert done.stdout.split() == ["1", "False"]  # refused, and the screen was never loaded


@needs_fifo
def test_a_fifo_for_a_profile_is_set_aside_and_the_game_starts(tmp_path: Path) -> None:
    root = tmp_path / "saves"
    root.mkdir()
    os.mkfifo(root / "profile.json")
    store = SaveStore(root, clock=frozen_clock)
    assert store.profile().completed == {}
    (notice,) = store.notices
    assert "it is a named pipe (FIFO), not a file" in notice and "set aside" in notice
    assert store.save_profile()
    assert (root / "profile.json").is_file()


def test_a_number_of_thousands_of_digits_in_a_save_gets_no_python_advice(tmp_path) -> None:
    root = tmp_path / "saves"
    root.mkdir()
    (root / "profile.json").write_text('{"kind": "profile", "version": ' + "9" * 5000 + "}")
    store = SaveStore(root, clock=frozen_clock)
    store.profile()
    (notice,) = store.notices
    assert "it is not valid JSON (a number has more than 4,300 digits)" in notice
    assert "sys." not in notice and len(notice) < 400
