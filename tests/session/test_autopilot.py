"""The autopilot plays to win: it reads the level's objectives and wins every level of the demo
playlist, seeds 1-5, exactly as the demo screen runs it (the actions it answers a snapshot with
apply at the next tick). Before, it shorted every level and lost all four.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from perpgame.level.loader import load_level
from perpgame.session import GameSession
from perpgame.session.autopilot import Autopilot, plan_for
from perpgame.tui.demo import DEMO_PLAYLIST

ROOT = Path(__file__).resolve().parents[2]
STEMS = {
    "happy-path": "06-happy-path",
    "thin-book": "07-thin-book",
    "vault-runs-dry": "09-vault-runs-dry",
    "the-big-one": "13-the-big-one",
}


def autoplay(stem: str, seed: int) -> GameSession:
    lv = load_level(ROOT / "levels" / f"{stem}.toml")
    s = GameSession(lv, seed)
    pilot = Autopilot(lv)
    while s.step():
        assert not [a for a in s.answers if a.kind == "refused"], s.answers  # no bad orders
        for action in pilot(s.frame()):
            s.submit(action)
    return s


def test_the_playlist_is_the_one_tested_here():
    assert set(DEMO_PLAYLIST) == set(STEMS)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("level_id", DEMO_PLAYLIST)
def test_the_autopilot_wins_every_demo_level(level_id, seed):
    s = autoplay(STEMS[level_id], seed)
    assert s.status == "won", s.end_reason
    assert s.pile_ok


def test_be_the_bid_never_shorts():
    # The "be the bid" level: the old autopilot sold short first.
    lv = load_level(ROOT / "levels" / "06-happy-path.toml")
    assert plan_for(lv) == "catch"
    s = GameSession(lv, 1)
    pilot = Autopilot(lv)
    while s.step():
        for action in pilot(s.frame()):
            s.submit(action)
        assert s.player.size >= 0


def test_perpgame_sim_autopilot_json_reports_a_win():
    out = subprocess.run(
        [sys.executable, "-m", "perpgame", "sim", "thin-book", "--autopilot", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(out.stdout)
    assert report["objectives"]["won"] and report["player"]["actions"] > 0
