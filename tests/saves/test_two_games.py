"""Two games on one saves folder, and games killed in the middle of a save.

Before: each process read the profile once and wrote its own copy back, so of 650 games finished
by two processes the profile counted 326, and a won level vanished after the other game's
autosave; a kill during a save left ``.profile.json.*.tmp`` files nobody removed.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from perpgame.saves import SaveStore, replay_shelf

from .conftest import LOSING, WINNING, files_in, frozen_clock, play

ROOT = Path(__file__).resolve().parents[2]
GAMES = 12


def player(mode: str, root: Path, levels: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.saves.player_process", mode, str(root), str(levels), *extra],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_processes_finishing_games_on_one_folder_lose_nothing(root, levels_folder):
    first = player("games", root, levels_folder, str(GAMES))
    second = player("games", root, levels_folder, str(GAMES))
    for proc in (first, second):
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        assert f"recorded {GAMES}" in out and "notice" not in out, out
    entry = SaveStore(root, levels_folder=levels_folder).profile().completed["happy-path"]
    # each process: 6 won (WINNING, 2 stars) and 6 lost games
    assert (entry.plays, entry.wins, entry.stars) == (2 * GAMES, GAMES, 2)
    assert len(list((root / "replays").glob("happy-path-7-*.json"))) == 2 * GAMES  # every replay


def test_a_second_game_on_the_folder_is_told_and_both_results_count(root, levels_folder, own_level):
    first = SaveStore(root, levels_folder=levels_folder, clock=frozen_clock)
    second = SaveStore(root, levels_folder=levels_folder, clock=frozen_clock)
    assert first.claim() is True
    assert second.claim() is False
    (notice,) = second.take_notices()
    assert f"Another perpgame ({first.instance}) is running on this saves folder" in notice
    assert first.notices == []
    # each caches the profile; each one's result still counts, in either order
    assert first.profile().completed == second.profile().completed == {}
    first.record_result(play(own_level, WINNING))
    second.record_result(play(own_level, LOSING))
    second.save_resume(play(own_level, WINNING, until=20))  # an autosave of the other game
    first.record_result(play(own_level, WINNING))  # (which leaves the other's game alone)
    fresh = SaveStore(root, levels_folder=levels_folder).profile()
    assert (fresh.completed["happy-path"].plays, fresh.completed["happy-path"].wins) == (3, 2)
    assert second.profile() == first.profile() == fresh  # each sees the other's results
    saved = json.loads((root / "resume.json").read_bytes())
    assert saved["instance"] == second.instance != first.instance
    assert second.instance.startswith(f"pid {os.getpid()} #")
    first.release()
    third = SaveStore(root, levels_folder=levels_folder)
    assert third.claim() is True and third.notices == []
    third.release()


def test_two_games_saving_a_replay_at_once_keep_both(root, levels_folder, own_level, monkeypatch):
    """Before: a game took the next free replay name, then renamed its file onto it; a replay
    that another game saved under that name meanwhile was replaced (two processes finishing 24
    games kept 21 to 23 replays)."""
    mine, theirs = (SaveStore(root, levels_folder=levels_folder) for _ in range(2))
    won, lost = play(own_level, WINNING), play(own_level, LOSING)
    real = replay_shelf._free_name

    def raced(folder: Path, prefix: str, taken: list[str]) -> Path:
        path = real(folder, prefix, taken)
        monkeypatch.setattr(replay_shelf, "_free_name", real)
        assert theirs.save_replay(lost) == path  # the other game saves first, under that name
        return path

    monkeypatch.setattr(replay_shelf, "_free_name", raced)
    path = mine.save_replay(won)
    assert path is not None and path.name == "happy-path-7-2.json"
    kept = {p.name: mine.load_replay(p).result.status for p in mine.replays()}
    assert kept == {"happy-path-7-1.json": "lost", "happy-path-7-2.json": "won"}
    assert mine.notices == theirs.notices == [] and _temp_files(root) == []


def test_temp_files_of_crashed_saves_are_removed_at_start(root, levels_folder):
    root.mkdir()
    (root / "replays").mkdir()
    debris = [root / ".profile.json.k2j3_x9.tmp", root / "replays" / ".a-1-1.json.abc.tmp"]
    for path in debris:
        path.write_bytes(b'{"kind": "pro')
    keep = [root / "notes.tmp", root / ".hidden", root / "profile.json.damaged-1"]
    for path in keep:
        path.write_bytes(b"mine")
    holder = SaveStore(root)
    assert holder.claim() is True
    assert not any(p.exists() for p in debris) and all(p.exists() for p in keep)
    # While another game runs, only old debris goes (a fresh temp file may be its save).
    fresh, old = root / ".profile.json.new.tmp", root / ".resume.json.old.tmp"
    fresh.write_bytes(b"")
    old.write_bytes(b"")
    an_hour_ago = time.time() - 3600
    os.utime(old, (an_hour_ago, an_hour_ago))
    assert SaveStore(root).claim() is False
    assert fresh.exists() and not old.exists()
    holder.release()


def test_a_store_that_is_dropped_lets_the_folder_go(root):
    import gc

    held = SaveStore(root)
    assert held.claim() is True
    del held
    gc.collect()
    again = SaveStore(root)
    assert again.claim() is True  # (the fd was closed: no lock, no leak)
    again.release()
    again.release()  # twice is harmless


def _temp_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*.tmp")]


def kill_during_saves(root: Path, levels: Path, kills: int, seed: int = 1) -> dict[str, int]:
    """Kill a saving game ``kills`` times at random moments; after each, start as a game does
    and check: no temp file left, nothing unreadable, every acknowledged result counted."""
    rng = random.Random(seed)
    acknowledged = 0
    debris_seen = 0
    for _ in range(kills):
        proc = player("saves", root, levels)
        assert proc.stdout is not None
        target = rng.randint(1, 3)  # results acknowledged before the kill...
        for line in proc.stdout:
            assert not line.startswith("notice"), line
            if line.startswith("recorded") and int(line.split()[1]) >= target:
                break
        time.sleep(rng.uniform(0, 0.03))  # ...then a kill at a random point of the next saves
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        rest = proc.stdout.read()
        proc.stdout.close()
        proc.stderr.close()
        acknowledged += target + sum(1 for ln in rest.splitlines() if ln.startswith("recorded"))
        debris_seen += len(_temp_files(root))
        store = SaveStore(root, levels_folder=levels)  # the next start
        assert store.claim() is True
        assert _temp_files(root) == []
        profile = store.profile()
        store.load_resume()
        for path in store.replays():
            store.load_replay(path)
        assert store.notices == []  # nothing unreadable, nothing set aside
        assert profile.completed["happy-path"].plays >= acknowledged  # no progress lost
        acknowledged = profile.completed["happy-path"].plays  # (one may land after the print)
        store.release()
    return {"kills": kills, "plays": acknowledged, "debris_removed": debris_seen}


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_kills_during_saves_lose_nothing_and_leave_no_debris(root, levels_folder):
    result = kill_during_saves(root, levels_folder, kills=4)
    assert result["plays"] >= 4
    assert set(files_in(root)) <= {"profile.json", "resume.json"} | {
        p.name for p in (root / "replays").glob("*.json")
    }


if __name__ == "__main__":  # the long version, by hand: python -m tests.saves.test_two_games DIR N
    import shutil

    from .conftest import LEVEL_FILE

    work = Path(sys.argv[1])
    (work / "levels").mkdir(parents=True)
    shutil.copy(LEVEL_FILE, work / "levels" / LEVEL_FILE.name)
    start = time.monotonic()
    print(kill_during_saves(work / "saves", work / "levels", int(sys.argv[2])))
    print(f"{time.monotonic() - start:.0f} s")
