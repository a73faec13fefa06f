"""``perpgame serve`` as a subprocess: a free port, a tmp saves root, and a tiny levels folder.

``game_processes(root)`` finds the visitors' game processes by their command line
(``--visitor-saves ROOT``), so a test can check that none is left behind.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.tui.test_flow import MARKET

SLOW = (
    """
[meta]
id = "slow"
title = "Slow lesson"
order = 1
difficulty = 1
summary = "A long calm market to trade in."
lesson = "Nothing happens for a long while."
"""
    + MARKET
    + """
[objectives]
time_limit = 600
win = ["tick >= 1100"]
"""
)


@dataclass
class Served:
    url: str
    root: Path
    process: subprocess.Popen
    log: Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def game_processes(root: Path) -> list[int]:
    """The process ids whose command line holds ``--visitor-saves ROOT``."""
    want = ["--visitor-saves", str(root.resolve())]
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            args = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")
        except OSError:
            continue
        if any(args[i : i + 2] == want for i in range(len(args) - 1)):
            found.append(int(entry.name))
    return found


def wait_until(what, seconds: float, every: float = 0.1):
    """Poll ``what()`` until it is truthy (returned) or ``seconds`` pass (the last value)."""
    deadline = time.monotonic() + seconds
    while True:
        value = what()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(every)


def answers(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status
    except OSError:
        return None


def stop(process: subprocess.Popen, sig: int = signal.SIGINT, seconds: float = 20) -> int:
    """Stop the server as Ctrl+C does; SIGKILL it if it does not go in time."""
    if process.poll() is None:
        process.send_signal(sig)
    try:
        return process.wait(seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)
        raise AssertionError(f"perpgame serve did not stop within {seconds} s") from None


def kill_leftovers(root: Path) -> None:
    for pid in game_processes(root):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


@pytest.fixture
def levels_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "levels"
    folder.mkdir()
    (folder / "01-slow.toml").write_text(SLOW, encoding="utf-8")
    return folder


@contextlib.contextmanager
def serving(tmp_path: Path, levels_folder: Path, *extra: str):
    """``perpgame serve`` on a free loopback port, answering; stopped (and checked) afterwards."""
    root = tmp_path / "saves"
    port = free_port()
    env = {**os.environ, "PERPGAME_LEVELS": str(levels_folder), "PYTHONUNBUFFERED": "1"}
    env.pop("PERPGAME_SAVES", None)
    log_path = tmp_path / "serve.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "perpgame",
            "serve",
            "--port",
            str(port),
            "--saves",
            str(root),
            *extra,
        ],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        status = wait_until(lambda: process.poll() is not None or answers(url), 30)
        if process.poll() is not None:
            raise AssertionError(log_path.read_text())
        assert status == 200
        yield Served(url, root, process, log_path)
        stop(process)
        left = wait_until(lambda: not game_processes(root), 10)
        assert left, f"game processes left behind: {game_processes(root)}"
    finally:
        if process.poll() is None:
            process.kill()
        kill_leftovers(root)
        log.close()


@pytest.fixture
def served(tmp_path: Path, levels_folder: Path):
    with serving(tmp_path, levels_folder) as server:
        yield server
