"""Replays: saved from a finished game, they play back to the same final state, or refuse."""

from __future__ import annotations

import json

import pytest

from perpgame.level import find_level, load_level
from perpgame.replay_cli import replay_command
from perpgame.saves import (
    ReplayError,
    SaveStore,
    check_replay,
    read_replay,
    replay_session,
)
from perpgame.session import GameSession

from .conftest import LEVEL_FILE, LOSING, SEED, WINNING, files_in, play


@pytest.fixture
def replay_file(store_factory, own_level):
    session = play(own_level, WINNING)
    path = store_factory().save_replay(session)
    assert path is not None
    return path, session


def test_a_replay_reproduces_the_final_state(replay_file, store_factory, root):
    path, original = replay_file
    assert path == root / "replays" / f"happy-path-{SEED}-1.json"
    replay = store_factory().load_replay(path)
    assert replay.ticks == original.tick == 65
    assert replay.inputs == original.input_log
    assert replay.result.status == "won" and replay.result.stars == 2
    session = replay_session(replay)
    assert session.tick == 0  # not yet run: the TUI steps it to watch
    session.run()
    assert session.state_hash() == original.state_hash() == replay.final_state_hash
    assert session.input_log == original.input_log
    check = check_replay(replay)
    assert check.ok and check.ticks == 65 and "matches" in check.message


def test_a_losing_game_replays_too(store_factory, own_level):
    original = play(own_level, LOSING)
    store = store_factory()
    replay = store.load_replay(store.save_replay(original))
    session = replay_session(replay, own_level)
    session.run()
    assert session.tick == 300 and session.status == "lost"
    assert session.state_hash() == original.state_hash()


def test_the_file_holds_what_it_should_and_no_clock(store_factory, own_level, root):
    session = play(own_level, WINNING)
    store = store_factory()
    first, second = store.save_replay(session), store.save_replay(session)
    assert (first.name, second.name) == (f"happy-path-{SEED}-1.json", f"happy-path-{SEED}-2.json")
    assert first.read_bytes() == second.read_bytes()  # nothing from the wall clock
    doc = json.loads(first.read_bytes())
    assert doc["kind"] == "replay" and doc["version"] == 1
    assert doc["level_id"] == "happy-path" and doc["level_sha256"] == own_level.sha256
    assert doc["seed"] == SEED and doc["ticks"] == 65
    assert doc["inputs"] == [a.to_dict() for a in WINNING]
    assert doc["final_state_hash"] == session.state_hash()
    assert doc["result"] == {
        "status": "won",
        "stars": 2,
        "reason": session.end_reason,
        "player_pnl": session.metrics["player_pnl"],
    }
    assert store.replays() == [first, second]


def test_an_unfinished_game_is_not_a_replay(store_factory, own_level):
    store = store_factory()
    assert store.save_replay(play(own_level, WINNING, until=30)) is None
    assert store.notices == ["Only a finished game can be saved as a replay."]


def test_replay_command_headless(replay_file, levels_folder, capsys):
    path, original = replay_file
    assert replay_command(path, headless=True, levels_folder=levels_folder) == 0
    out = capsys.readouterr().out
    assert "level: happy-path (The happy path), seed 7, 65 ticks, 4 inputs" in out
    assert "result: won (Buy 0.05 coin from liquidations), 2 stars" in out
    assert f"final state: matches ({original.state_hash()})" in out


def test_replay_command_watches_with_a_viewer(replay_file, levels_folder):
    path, _ = replay_file
    seen = []
    code = replay_command(
        path, headless=False, watch=lambda r: seen.append(r) or 0, levels_folder=levels_folder
    )
    assert code == 0 and seen[0].ticks == 65 and seen[0].level is not None


def test_replay_command_finds_the_shipped_level(tmp_path, capsys):
    session = play(load_level(LEVEL_FILE), LOSING)
    path = SaveStore(tmp_path).save_replay(session)
    assert replay_command(path, headless=False) == 0  # no viewer: checked headless
    assert "no viewer here" in capsys.readouterr().err


def test_a_state_that_does_not_match_exits_1(replay_file, levels_folder, capsys):
    path, _ = replay_file
    doc = json.loads(path.read_bytes())
    doc["final_state_hash"] = "ab" * 32
    path.write_text(json.dumps(doc))
    assert replay_command(path, headless=True, levels_folder=levels_folder) == 1
    captured = capsys.readouterr()
    assert "final state: differs" in captured.out
    assert "differs: final_state_hash: the replay says abababababababab..." in captured.out
    assert "The replay does NOT match its re-run (final_state_hash differs)" in captured.err
    assert "plays the level differently" in captured.err


def test_a_changed_level_is_refused(replay_file, levels_folder, own_level, capsys):
    path, _ = replay_file
    level_file = levels_folder / own_level.source.name
    level_file.write_bytes(level_file.read_bytes().replace(b'"-6%"', b'"-7%"'))
    with pytest.raises(ReplayError) as info:
        read_replay(path, levels_folder)
    text = str(info.value)
    assert str(path) in text
    assert "has changed since" in text and "refused" in text
    assert replay_command(path, headless=True, levels_folder=levels_folder) == 1
    assert "has changed since" in capsys.readouterr().err
    # The game of the changed level is not quietly shown with the old inputs either.
    with pytest.raises(ReplayError, match="different game"):
        replay_session(read_replay(path, None), load_level(level_file))


def test_an_unknown_level_is_refused(replay_file, levels_folder):
    path, _ = replay_file
    doc = json.loads(path.read_bytes())
    doc["level_id"] = "no-such-level"
    path.write_text(json.dumps(doc))
    with pytest.raises(ReplayError, match="the level 'no-such-level' cannot be found"):
        read_replay(path, levels_folder)


def test_damaged_replays_raise_and_stay_where_they_are(replay_file, levels_folder, root):
    path, _ = replay_file
    good = path.read_bytes()
    doc = json.loads(good)
    cases = {
        "truncated": (good[:-40], "is damaged: it is not valid JSON"),
        "not utf-8": (b"\xff\xfe{}", "is damaged: it is not UTF-8 text"),
        "a profile": (json.dumps({**doc, "kind": "profile"}).encode(), "but is a profile save"),
        "newer": (json.dumps({**doc, "version": 2}).encode(), "written by a newer perpgame"),
        "no version": (json.dumps({**doc, "version": "1"}).encode(), "no format version"),
        "too long": (json.dumps({**doc, "ticks": 900}).encode(), "the level ends at tick 300"),
        "stars": (
            json.dumps({**doc, "result": {**doc["result"], "stars": 4}}).encode(),
            "result.stars",
        ),
    }
    for name, (data, reason) in cases.items():
        path.write_bytes(data)
        with pytest.raises(ReplayError) as info:
            SaveStore(root, levels_folder=levels_folder).load_replay(path)
        assert reason in str(info.value) and str(path) in str(info.value), (name, info.value)
        assert path.read_bytes() == data  # the player's file is never moved
    with pytest.raises(ReplayError, match="There is no replay file"):
        read_replay(root / "nope.json")
    assert set(files_in(root / "replays")) == {path.name}


def test_replay_session_needs_the_recorded_level(replay_file, levels_folder):
    path, _ = replay_file
    replay = read_replay(path, levels_folder)
    bare = replay.model_copy()
    bare._level = None
    with pytest.raises(ReplayError, match="has not been loaded"):
        replay_session(bare)


# ---------------------------------------------------------------------- tampered replays
# Before: `replay --headless` compared tick, state hash, status and stars only, so each of these
# printed the forged value beside "final state: matches" and exited 0.


def _tamper(path, edit) -> None:
    doc = json.loads(path.read_bytes())
    edit(doc)
    path.write_text(json.dumps(doc))


@pytest.mark.parametrize(
    ("field", "edit", "shown"),
    [
        (
            "result.player_pnl",
            lambda d: d["result"].update(player_pnl=1_000_000_000 * 1_000_000),
            "the replay says 1,000,000,000.00",
        ),
        ("result.reason", lambda d: d["result"].update(reason="a perfect game"), "'a perfect"),
        ("level_title", lambda d: d.update(level_title="Hacked"), "the replay says 'Hacked'"),
        ("result.stars", lambda d: d["result"].update(stars=3), "the replay says 3"),
        ("result.status", lambda d: d["result"].update(status="lost"), "the replay says lost"),
    ],
)
def test_an_edited_result_is_named_and_exits_1(
    replay_file, levels_folder, capsys, field, edit, shown
):
    path, _ = replay_file
    _tamper(path, edit)
    assert replay_command(path, headless=True, levels_folder=levels_folder) == 1
    captured = capsys.readouterr()
    assert "final state: differs" in captured.out
    (line,) = [ln for ln in captured.out.splitlines() if ln.startswith("  differs: ")]
    assert line.startswith(f"  differs: {field}: ") and shown in line
    assert f"({field} differs)" in captured.err


@pytest.mark.parametrize(
    "forged",
    [
        {"tick": 40, "kind": "leverage", "leverage": 10**9},
        {"tick": 40, "kind": "order", "side": 1, "qty": 10**30},
        {"tick": 40, "kind": "cancel", "order_id": -1},
        {"tick": 40, "kind": "add_margin", "amount": 10**40},
    ],
    ids=["leverage-1e9", "qty-1e30", "cancel-minus-1", "deposit-1e40"],
)
def test_an_added_input_the_game_refuses_is_rejected_when_read(
    replay_file, levels_folder, capsys, forged
):
    path, _ = replay_file

    def add(doc):
        doc["inputs"] = sorted([*doc["inputs"], forged], key=lambda a: a["tick"])

    _tamper(path, add)
    with pytest.raises(ReplayError, match=r"inputs\[\d\] \(\w+ at tick 40\) asks for .*refuses"):
        read_replay(path, levels_folder)
    assert replay_command(path, headless=True, levels_folder=levels_folder) == 1
    assert "which the game refuses" in capsys.readouterr().err


@pytest.mark.parametrize(
    "forged",
    [
        {"tick": 40, "kind": "cancel", "order_id": 999},  # no such order
        {"tick": 40, "kind": "leverage", "leverage": 1000},  # above the level's cap
        {"tick": 40, "kind": "close"},  # with no position to close
    ],
    ids=["cancel-999", "leverage-1000", "close-flat"],
)
def test_an_added_refused_input_within_bounds_is_named_by_what_the_player_was_told(
    replay_file, levels_folder, capsys, forged
):
    # a refused input changes no state, so the state hash alone let it ride along
    path, _ = replay_file

    def add(doc):
        doc["inputs"] = sorted([*doc["inputs"], forged], key=lambda a: a["tick"])

    _tamper(path, add)
    replay = read_replay(path, levels_folder)
    check = check_replay(replay)
    assert [d.field for d in check.differences] == ["told_sha256"]
    assert replay_command(path, headless=True, levels_folder=levels_folder) == 1
    assert "  differs: told_sha256: " in capsys.readouterr().out


def test_a_replay_without_told_sha256_is_checked_on_the_rest(replay_file, levels_folder):
    path, _ = replay_file
    _tamper(path, lambda d: d.pop("told_sha256"))
    assert check_replay(read_replay(path, levels_folder)).ok
    _tamper(path, lambda d: d["result"].update(stars=0))
    assert not check_replay(read_replay(path, levels_folder)).ok


def test_the_untouched_replay_still_matches(replay_file, levels_folder, capsys):
    path, _ = replay_file
    assert replay_command(path, headless=True, levels_folder=levels_folder) == 0
    out = capsys.readouterr().out
    assert "final state: matches" in out and "differs" not in out


def test_a_replay_names_no_absolute_path(store_factory, own_level, root, levels_folder):
    # before: "level_file" held the absolute path of the level file on the recording machine
    store = store_factory()
    path = store.save_replay(play(own_level, WINNING))
    doc = json.loads(path.read_bytes())
    assert doc["level_file"] == "../levels/happy-path.toml"  # relative to the saves folder
    assert str(root.parent) not in path.read_text()
    moved = root.parent / "elsewhere"
    moved.mkdir()
    (moved / "mine.toml").write_bytes(own_level.source.read_bytes())
    custom = load_level(moved / "mine.toml")
    path = store.save_replay(play(custom, WINNING))
    doc = json.loads(path.read_bytes())
    assert doc["level_file"] == "../elsewhere/mine.toml"
    assert str(root.parent) not in path.read_text()
    # found by that relative path when the id is not in the levels folder
    (levels_folder / "happy-path.toml").unlink()
    assert check_replay(read_replay(path, levels_folder)).ok


def test_a_shipped_level_is_named_relative_to_the_levels_folder(tmp_path):
    shipped = load_level(find_level("happy-path"))
    session = GameSession(shipped, 1)
    session.step()
    store = SaveStore(tmp_path)
    assert store.save_resume(session)
    doc = json.loads((tmp_path / "resume.json").read_bytes())
    assert doc["level_file"] == shipped.source.name  # e.g. "06-happy-path.toml"
    assert store.resume_session() is not None
