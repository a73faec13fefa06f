"""Level files from anywhere: FIFOs, 200,000-character values, 5,000-digit numbers, slow levels.

Each test here failed before (a FIFO blocked `check` forever; a level error echoed a 200,000-
character value on one line; two messages told a level author to call
``sys.set_int_max_str_digits()``; a level of an hour of 500 traders ran 135 s with no warning).
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from perpgame.level import load_level_text
from perpgame.level.errors import LevelError
from perpgame.level.loader import load_level, slow_warning
from perpgame.progress import run_with_progress
from perpgame.session import GameSession

ROOT = Path(__file__).resolve().parents[2]
LEVEL = (ROOT / "tests" / "saves" / "files" / "happy-path.toml").read_text()

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")


def perpgame(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "perpgame", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=20,  # a blocked read would hang here, not pass
    )


@needs_fifo
def test_a_fifo_where_a_level_is_expected_is_refused_without_opening_it(tmp_path: Path) -> None:
    fifo = tmp_path / "level.toml"
    os.mkfifo(fifo)
    with pytest.raises(LevelError, match=r"is a named pipe \(FIFO\), not a level file"):
        load_level(fifo)  # before: blocked forever in open()


@needs_fifo
def test_check_answers_a_fifo_within_a_second(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "level.toml")
    done = perpgame("check", "level.toml", cwd=tmp_path)
    assert done.returncode == 1
    assert "level.toml: is a named pipe (FIFO), not a level file" in done.stdout


@needs_fifo
@pytest.mark.parametrize("command", ["play", "sim"])
def test_play_and_sim_name_a_fifo_for_what_it_is(tmp_path: Path, command: str) -> None:
    # before: "level.toml: no such file" (play), or a read that never ended
    os.mkfifo(tmp_path / "level.toml")
    done = perpgame(command, "level.toml", cwd=tmp_path)
    assert done.returncode == 1
    assert "level.toml: is a named pipe (FIFO), not a level file" in done.stderr


def _problems(text: str) -> list[str]:
    with pytest.raises(LevelError) as caught:
        load_level_text(text, "big.toml")
    return caught.value.lines()


@pytest.mark.parametrize(
    "edit",
    [
        lambda s: s.replace("[meta]", "[meta]\nzz" + "a" * 200_000 + " = 1", 1),
        lambda s: s + '\n[[timeline]]\nat = 5\ndo = "' + "b" * 200_000 + '"\n',
    ],
    ids=["unknown-key", "unknown-action"],
)
def test_a_long_value_is_echoed_cut_short(edit) -> None:
    lines = _problems(edit(LEVEL))
    assert lines and all(len(line) <= 400 for line in lines)
    assert any("…" in line for line in lines)


def test_a_number_of_thousands_of_digits_gets_no_python_advice() -> None:
    lines = _problems(LEVEL.replace("[meta]", "[meta]\nzz = " + "9" * 5000, 1))
    assert lines == ["big.toml: TOML: a number has more than 4,300 digits"]


SLOW = """
[meta]
id = "slow"
title = "Slow"
lesson = "wait"
tick_seconds = 0.25
[market]
start_price = "60000"
[player]
cash = "10000"
[[traders]]
archetype = "market_maker"
count = 2
cash = "500000"
[[traders]]
archetype = "noise"
count = 500
cash = ["5000", "30000"]
[objectives]
time_limit = 3600
survive = true
"""


def test_check_warns_about_a_level_too_slow_to_play_headless(tmp_path: Path) -> None:
    level = load_level_text(SLOW, "slow.toml")
    warning = slow_warning(level)
    assert warning is not None and "14,400 ticks x 502 traders" in warning
    shipped = [load_level(p) for p in sorted((ROOT / "levels").glob("*.toml"))]
    assert [lv.id for lv in shipped if slow_warning(lv)] == []
    (tmp_path / "slow.toml").write_text(SLOW)
    done = perpgame("check", "slow.toml", cwd=tmp_path)
    assert done.returncode == 0
    assert done.stdout.splitlines()[1].startswith("slow.toml: warning: 14,400 ticks")


def test_a_long_sim_shows_progress_on_stderr_and_plays_the_same_game() -> None:
    level = load_level_text(LEVEL, "happy.toml")
    stream = io.StringIO()
    shown = GameSession(level, 3)
    console = Console(file=stream, force_terminal=True, width=80)
    run_with_progress(shown, 200, console=console, quiet_seconds=0.0)
    assert "happy-path: tick" in stream.getvalue()
    quiet = GameSession(level, 3)
    silent = io.StringIO()
    run_with_progress(quiet, 200, console=Console(file=silent, force_terminal=True))
    assert silent.getvalue() == ""
    plain = GameSession(level, 3)
    plain.run(200)
    assert shown.state_hash() == quiet.state_hash() == plain.state_hash()
