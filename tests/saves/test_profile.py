"""The profile: progress and unlocking, versions and migration, damage set aside, any bytes."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perpgame import saves
from perpgame.saves import LevelProgress, Profile, SaveStore

from .conftest import LOSING, STAMP, WINNING, files_in, frozen_clock, play

CURRICULUM = ["first-steps", "happy-path", "thin-book", "adl"]


def _write(root: Path, doc) -> bytes:
    root.mkdir(parents=True, exist_ok=True)
    data = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
    (root / "profile.json").write_bytes(data)
    return data


def _good(**changes) -> dict:
    doc = {
        "kind": "profile",
        "version": 1,
        "completed": {
            "first-steps": {"stars": 3, "best_pnl": 120, "plays": 2, "wins": 1},
            "happy-path": {"stars": 1, "best_pnl": -5, "plays": 4, "wins": 1},
        },
        "settings": {"speed": 5, "autosave_seconds": 10, "hardcore": True},
        "last_level": "happy-path",
    }
    doc.update(changes)
    return doc


def test_a_new_player_has_an_empty_profile_and_no_file(root):
    store = SaveStore(root)
    profile = store.profile()
    assert profile == Profile()
    assert profile.settings.speed == 1
    assert store.notices == []
    assert not root.exists()  # reading never writes


def test_record_result_keeps_the_best(root, level):
    store = SaveStore(root)
    won = play(level, WINNING)
    lost = play(level, LOSING)
    store.record_result(lost)
    assert store.profile().tried["happy-path"] == LevelProgress(
        stars=0, best_pnl=lost.metrics["player_pnl"], plays=1, wins=0
    )
    assert store.profile().completed == {}  # played is not completed
    assert not store.profile().is_completed("happy-path")
    assert SaveStore(root).profile().tried == store.profile().tried
    store.record_result(won)
    store.record_result(won)  # the same game twice counts once
    store.record_result(play(level, LOSING))
    unfinished = play(level, WINNING, until=10)
    store.record_result(unfinished)  # not finished: not a play
    again = SaveStore(root).profile()
    assert again.tried == {}  # moved to completed by the win
    assert again.is_completed("happy-path")
    entry = again.completed["happy-path"]
    assert (
        again.progress("happy-path")
        == entry
        == LevelProgress(
            stars=2,
            best_pnl=max(won.metrics["player_pnl"], lost.metrics["player_pnl"]),
            plays=3,
            wins=1,
        )
    )
    assert SaveStore(root).profile().last_level == "happy-path"
    assert lost.metrics["player_pnl"] > won.metrics["player_pnl"]  # best P&L came from a loss


def test_levels_unlock_in_order(root):
    _write(root, _good())
    store = SaveStore(root)
    assert store.is_unlocked("first-steps", CURRICULUM)
    assert store.is_unlocked("happy-path", CURRICULUM)  # first-steps won
    assert store.is_unlocked("thin-book", CURRICULUM)  # happy-path won
    assert not store.is_unlocked("adl", CURRICULUM)
    assert store.is_unlocked("sandbox", CURRICULUM)  # not in the curriculum: always open
    assert store.next_level(CURRICULUM) == "thin-book"

    fresh = SaveStore(root / "other")
    assert fresh.is_unlocked("first-steps", CURRICULUM)
    assert not fresh.is_unlocked("happy-path", CURRICULUM)
    assert fresh.next_level(CURRICULUM) == "first-steps"
    assert fresh.next_level([]) is None

    played_not_won = {"first-steps": {"stars": 0, "best_pnl": -1, "plays": 3, "wins": 0}}
    _write(root / "lost", _good(completed={}, tried=played_not_won))
    assert not SaveStore(root / "lost").is_unlocked("happy-path", CURRICULUM)
    all_won = {i: {"stars": 1, "best_pnl": 0, "plays": 1, "wins": 1} for i in CURRICULUM}
    _write(root / "done", _good(completed=all_won))
    assert SaveStore(root / "done").next_level(CURRICULUM) is None


def test_a_good_file_round_trips(root):
    data = _write(root, _good())
    store = SaveStore(root)
    profile = store.profile()
    assert profile.settings.speed == 5 and profile.settings.hardcore
    assert profile.completed["first-steps"].stars == 3
    assert store.notices == []
    assert (root / "profile.json").read_bytes() == data
    assert store.save_profile()
    assert SaveStore(root).profile() == profile


def test_truncated_json_is_set_aside(root):
    good = json.dumps(_good()).encode()
    data = _write(root, good[: len(good) // 2])
    store = SaveStore(root, clock=frozen_clock)
    assert store.profile() == Profile()
    (notice,) = store.notices
    assert str(root / "profile.json") in notice
    assert "it is not valid JSON" in notice
    assert f"set aside as profile.json.damaged-{STAMP}" in notice
    assert "Starting a fresh profile" in notice
    assert files_in(root) == {f"profile.json.damaged-{STAMP}": data}
    assert store.save_profile()
    assert set(files_in(root)) == {"profile.json", f"profile.json.damaged-{STAMP}"}


def test_what_is_still_good_is_kept(root):
    doc = _good()
    doc["completed"]["happy-path"]["stars"] = 9
    doc["settings"]["speed"] = "fast"
    data = _write(root, doc)
    store = SaveStore(root, clock=frozen_clock)
    profile = store.profile()
    assert set(profile.completed) == {"first-steps"}
    assert profile.settings.speed == 1  # the bad setting is back to its default
    assert profile.settings.autosave_seconds == 10 and profile.settings.hardcore
    assert profile.last_level == "happy-path"
    (notice,) = store.notices
    assert "completed.happy-path.stars" in notice
    assert "Kept what was still good: progress on 1 level, 2 settings" in notice
    assert files_in(root) == {f"profile.json.damaged-{STAMP}": data}


def test_entries_in_the_wrong_book_are_moved(root):
    doc = _good()
    doc["tried"] = {"thin-book": {"stars": 1, "best_pnl": 0, "plays": 1, "wins": 1}}
    doc["completed"]["adl"] = {"stars": 0, "best_pnl": 0, "plays": 2, "wins": 0}
    data = _write(root, doc)
    store = SaveStore(root, clock=frozen_clock)
    profile = store.profile()
    assert set(profile.completed) == {"first-steps", "happy-path", "thin-book"}
    assert set(profile.tried) == {"adl"}
    assert "completed.adl has no win" in store.notices[0]
    assert "progress on 4 levels" in store.notices[0]
    assert files_in(root) == {f"profile.json.damaged-{STAMP}": data}


def test_wrong_kind_and_bad_versions(root):
    cases = {
        "resume": (_good(kind="resume"), "it should be a profile save but is a resume save"),
        "none": (_good(version=None), "it has no format version number"),
        "zero": (_good(version=0), "its format version 0 is not one perpgame ever wrote"),
        "list": ([1, 2], "it holds a JSON list, not an object"),
    }
    for name, (doc, reason) in cases.items():
        data = _write(root / name, doc)
        store = SaveStore(root / name, clock=frozen_clock)
        assert store.profile() == Profile(), name
        assert reason in store.notices[0], name
        assert files_in(root / name) == {f"profile.json.damaged-{STAMP}": data}, name


def test_a_newer_version_is_set_aside_not_misread(root):
    data = _write(root, _good(version=saves.SCHEMA_VERSION + 1, new_field=[1, 2]))
    store = SaveStore(root, clock=frozen_clock)
    assert store.profile() == Profile()
    (notice,) = store.notices
    assert "written by a newer perpgame (format version 2; this one reads up to version 1)" in (
        notice
    )
    assert f"set aside as profile.json.newer-{STAMP}" in notice
    assert files_in(root) == {f"profile.json.newer-{STAMP}": data}


def test_an_older_version_is_migrated(root, monkeypatch):
    """Pretend this perpgame writes version 2, whose migration from 1 changes a setting."""
    data = _write(root, _good())
    calls = []

    def one_to_two(doc: dict) -> dict:
        calls.append(doc["version"])
        doc["settings"] = {**doc["settings"], "replay_speed": 10}
        return doc

    monkeypatch.setattr(saves.migrations, "SCHEMA_VERSION", 2)
    monkeypatch.setitem(saves.MIGRATIONS["profile"], 1, one_to_two)
    store = SaveStore(root, clock=frozen_clock)
    profile = store.profile()
    assert calls == [1]
    assert profile.version == 2
    assert profile.settings.replay_speed == 10 and profile.settings.speed == 5
    assert store.notices == []
    assert (root / "profile.json").read_bytes() == data  # upgraded when next saved, not before
    store.save_profile()
    saved = json.loads((root / "profile.json").read_bytes())
    assert saved["version"] == 2 and saved["settings"]["replay_speed"] == 10
    assert SaveStore(root).profile() == profile  # and read back without migrating again
    assert calls == [1]


def test_an_older_version_without_a_migration_is_set_aside(root, monkeypatch):
    data = _write(root, _good())
    monkeypatch.setattr(saves.migrations, "SCHEMA_VERSION", 2)
    store = SaveStore(root, clock=frozen_clock)
    assert store.profile() == Profile()
    assert "there is no way to upgrade format version 1" in store.notices[0]
    assert files_in(root) == {f"profile.json.damaged-{STAMP}": data}


def test_a_failing_migration_is_damage_not_a_crash(root, monkeypatch):
    data = _write(root, _good())
    monkeypatch.setattr(saves.migrations, "SCHEMA_VERSION", 2)
    monkeypatch.setitem(saves.MIGRATIONS["profile"], 1, lambda doc: doc["nope"])
    store = SaveStore(root, clock=frozen_clock)
    assert store.profile() == Profile()
    assert "upgrading it from format version 1 failed (KeyError" in store.notices[0]
    assert files_in(root) == {f"profile.json.damaged-{STAMP}": data}


def test_a_folder_in_place_of_the_file(root):
    (root / "profile.json").mkdir(parents=True)
    (root / "profile.json" / "x").write_bytes(b"mine")
    store = SaveStore(root, clock=frozen_clock)
    assert store.profile() == Profile()
    assert "it cannot be read" in store.notices[0]
    assert files_in(root) == {"x": b"mine"}
    assert (root / f"profile.json.damaged-{STAMP}" / "x").exists()
    assert store.save_profile()


# --------------------------------------------------------------------------------------------------
# Any bytes at all

_slugs = st.sampled_from(["happy-path", "adl", "Bad Id", "", "../x", "a" * 60])
_small = st.one_of(st.integers(-3, 5), st.booleans(), st.none(), st.text(max_size=3))
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)
_entry = st.fixed_dictionaries(
    {"stars": _small, "best_pnl": st.integers() | _small, "plays": _small, "wins": _small}
)
_almost_profiles = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["profile", "resume", "replay", 3]),
        "version": st.sampled_from([1, 1, 1, 0, 2, -1, "1", True, None]),
    },
    optional={
        "completed": st.dictionaries(_slugs, _entry | _json, max_size=3) | _json,
        "tried": st.dictionaries(_slugs, _entry | _json, max_size=3) | _json,
        "settings": st.dictionaries(
            st.sampled_from(["speed", "hardcore", "autosave_seconds", "colour"]), _small
        ),
        "last_level": _slugs | _small,
        "extra": _json,
    },
)
_bytes = st.one_of(
    st.binary(max_size=200),
    _json.map(lambda v: json.dumps(v).encode()),
    _almost_profiles.map(lambda v: json.dumps(v).encode()),
    _almost_profiles.map(lambda v: json.dumps(v).encode()[:-3]),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=_bytes)
def test_any_bytes_never_crash_and_are_never_lost(data):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "profile.json").write_bytes(data)
        store = SaveStore(root, clock=frozen_clock)
        profile = store.profile()
        assert isinstance(profile, Profile)
        after = files_in(root)
        assert data in after.values()
        if after.get("profile.json") == data:
            assert store.notices == []  # used as it is
            assert profile == Profile.model_validate(json.loads(data))
        else:
            assert list(after) == [f"profile.json.damaged-{STAMP}"] or list(after) == [
                f"profile.json.newer-{STAMP}"
            ]
            (notice,) = store.notices
            assert notice.startswith(f"{root / 'profile.json'} could not be used: ")
        assert store.save_profile()
        assert SaveStore(root).profile() == profile
        if "profile.json" not in after:
            assert data in files_in(root).values()  # saving never touches the set-aside file
