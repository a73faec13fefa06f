"""Resuming: quit mid-level, load, replay headless to the tick, carry on to the same game."""

from __future__ import annotations

import json
import shutil

from perpgame.level import load_level
from perpgame.saves import ResumeSave, SaveStore

from .conftest import LOSING, SEED, STAMP, WINNING, files_in, play


def test_resume_then_finish_equals_play_through(store_factory, own_level):
    whole = play(own_level, WINNING)
    assert whole.status == "won" and whole.tick == 65

    store = store_factory()
    session = play(own_level, WINNING, until=8)
    assert store.save_resume(session)  # an autosave
    play(own_level, WINNING, until=33, session=session)
    assert store.save_resume(session)  # the player quits here, mid-level
    assert store.profile().last_level == "happy-path"
    del session

    again = store_factory()  # a new run of the game
    resumed = again.resume_session()
    assert again.notices == []
    assert resumed is not None
    assert resumed.tick == 33 and resumed.status == "playing"
    assert resumed.input_log == [a for a in WINNING if a.tick <= 33]
    play(own_level, [a for a in WINNING if a.tick > 33], session=resumed)
    assert resumed.tick == whole.tick
    assert resumed.status == whole.status and resumed.stars == whole.stars
    assert resumed.state_hash() == whole.state_hash()
    assert resumed.input_log == whole.input_log


def test_resume_at_tick_zero_and_a_losing_game(store_factory, own_level):
    store = store_factory()
    fresh = play(own_level, LOSING, until=0)
    assert store.save_resume(fresh)
    resumed = store_factory().resume_session()
    assert resumed is not None and resumed.tick == 0
    play(own_level, LOSING, session=resumed)
    assert resumed.state_hash() == play(own_level, LOSING).state_hash()


def test_the_file_holds_what_it_should(store_factory, own_level, root):
    session = play(own_level, WINNING, until=20)
    store_factory().save_resume(session)
    doc = json.loads((root / "resume.json").read_bytes())
    assert doc["kind"] == "resume" and doc["version"] == 1
    assert doc["level_id"] == "happy-path"
    assert doc["level_sha256"] == own_level.sha256
    assert doc["seed"] == SEED and doc["tick"] == 20
    assert doc["state_hash"] == session.state_hash()
    assert doc["inputs"] == [a.to_dict() for a in WINNING if a.tick <= 20]
    assert ResumeSave.model_validate(doc).inputs == session.input_log


def test_a_finished_game_is_not_saved_and_recording_it_clears_the_resume(
    store_factory, own_level, root
):
    store = store_factory()
    session = play(own_level, WINNING, until=30)
    store.save_resume(session)
    play(own_level, WINNING, session=session)
    assert session.status == "won"
    assert store.save_resume(session) is False
    assert (root / "resume.json").exists()
    store.record_result(session)
    assert not (root / "resume.json").exists()
    store.clear_resume()  # nothing to clear: fine
    assert store.notices == []


def test_clear_resume(store_factory, own_level, root):
    store = store_factory()
    store.save_resume(play(own_level, LOSING, until=5))
    store.clear_resume()
    assert not (root / "resume.json").exists()
    assert store.load_resume() is None and store.resume_session() is None
    assert store.notices == []


def test_level_changed_since_is_refused(store_factory, own_level, levels_folder, root):
    store_factory().save_resume(play(own_level, WINNING, until=20))
    saved = (root / "resume.json").read_bytes()
    level_file = levels_folder / own_level.source.name
    level_file.write_bytes(level_file.read_bytes() + b"\n# a comment changes the hash\n")

    store = store_factory()
    assert store.resume_session() is None
    (notice,) = store.notices
    assert str(root / "resume.json") in notice
    assert "cannot be resumed: the level file" in notice
    assert "has changed since" in notice
    assert f"set aside as resume.json.stale-{STAMP}" in notice
    assert files_in(root) == {
        f"resume.json.stale-{STAMP}": saved,
        "profile.json": files_in(root)["profile.json"],
    }
    assert store.resume_session() is None  # and it does not nag again
    assert len(store.notices) == 1


def test_unknown_level_is_refused(store_factory, own_level, root):
    store_factory().save_resume(play(own_level, WINNING, until=20))
    doc = json.loads((root / "resume.json").read_bytes())
    doc["level_id"] = "no-such-level"
    doc["level_file"] = None
    (root / "resume.json").write_text(json.dumps(doc))
    saved = (root / "resume.json").read_bytes()

    store = store_factory()
    assert store.resume_session() is None
    (notice,) = store.notices
    assert "cannot be resumed: the level 'no-such-level' cannot be found" in notice
    assert files_in(root)[f"resume.json.stale-{STAMP}"] == saved


def test_a_level_played_from_a_path_is_found_by_its_path(tmp_path, own_level, root):
    elsewhere = tmp_path / "mine" / "custom.toml"
    elsewhere.parent.mkdir()
    shutil.copy(own_level.source, elsewhere)
    custom = load_level(elsewhere)
    empty = tmp_path / "no-levels"
    empty.mkdir()
    SaveStore(root, levels_folder=empty).save_resume(play(custom, WINNING, until=20))
    resumed = SaveStore(root, levels_folder=empty).resume_session()
    assert resumed is not None and resumed.tick == 20
    assert resumed.level.source == elsewhere.resolve()


def test_a_state_that_does_not_replay_is_refused(store_factory, own_level, root):
    store_factory().save_resume(play(own_level, WINNING, until=20))
    doc = json.loads((root / "resume.json").read_bytes())
    doc["state_hash"] = "0" * 64
    (root / "resume.json").write_text(json.dumps(doc))
    store = store_factory()
    assert store.resume_session() is None
    assert "replaying its inputs does not reach the saved game" in store.notices[0]
    assert f"resume.json.stale-{STAMP}" in files_in(root)


def test_damaged_resume_files(store_factory, own_level, root):
    store_factory().save_resume(play(own_level, WINNING, until=20))
    good = json.loads((root / "resume.json").read_bytes())
    cases = {
        "truncated": (json.dumps(good)[:-20].encode(), "it is not valid JSON"),
        "empty": (b"", "it is empty"),
        "out of order": (
            json.dumps({**good, "inputs": good["inputs"][::-1]}).encode(),
            "inputs must be in tick order",
        ),
        "after the tick": (json.dumps({**good, "tick": 3}).encode(), "inputs[0] is at tick 5"),
        "bad action": (
            json.dumps({**good, "inputs": [{"tick": 3, "kind": "teleport"}]}).encode(),
            "inputs.0: Value error, unknown kind 'teleport'",
        ),
        "path as id": (json.dumps({**good, "level_id": "../../x"}).encode(), "level_id"),
        "newer": (json.dumps({**good, "version": 7}).encode(), "newer perpgame"),
    }
    for name, (data, reason) in cases.items():
        folder = root / name.replace(" ", "-")
        folder.mkdir()
        (folder / "resume.json").write_bytes(data)
        store = SaveStore(folder, clock=lambda: STAMP)
        assert store.load_resume() is None, name
        assert store.resume_session() is None, name
        (notice,) = store.notices
        assert str(folder / "resume.json") in notice and reason in notice, (name, notice)
        assert "There is no game to resume." in notice
        assert data in files_in(folder).values(), name
        assert "resume.json" not in files_in(folder), name


def test_inputs_given_before_the_next_tick_are_saved_and_applied_on_resume(
    store_factory, own_level
):
    """A player who types an order while paused (or picks a rule before the first tick) and
    quits: the input is in the save, at the tick it would have been applied, and the resumed
    game applies it there, to the same game as one that never quit."""
    first = WINNING[0]
    whole = play(own_level, WINNING)
    store = store_factory()
    session = play(own_level, [], until=first.tick - 1)
    session.submit(first)  # queued, not yet applied: the player quits now
    assert session.queued == (first,)
    assert store.save_resume(session)
    resumed = store_factory().resume_session()
    assert resumed is not None and resumed.tick == first.tick - 1
    assert resumed.queued == (first,)
    assert store_factory().save_resume(resumed)  # saved again before a step: still there
    again = store_factory().resume_session()
    assert again is not None and again.queued == (first,)
    play(own_level, WINNING[1:], session=again)
    assert again.input_log == whole.input_log
    assert again.state_hash() == whole.state_hash()
