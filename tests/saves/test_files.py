"""Atomic writes, leftover temporary files, set-aside names and unwritable folders."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from perpgame import saves
from perpgame.saves import SaveStore

from .conftest import LOSING, STAMP, WINNING, files_in, frozen_clock, play


def _saved_profile(root: Path, level) -> bytes:
    store = SaveStore(root, clock=frozen_clock)
    store.record_result(play(level, LOSING))
    return (root / "profile.json").read_bytes()


def test_saves_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv(saves.ENV_SAVES, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert saves.saves_dir() == tmp_path / "data" / "perpgame"  # the user's data folder
    monkeypatch.setenv(saves.ENV_SAVES, str(tmp_path / "elsewhere"))
    assert saves.saves_dir() == tmp_path / "elsewhere"
    assert SaveStore().root == tmp_path / "elsewhere"


def test_atomic_write_replaces_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "f.json"
    target.write_bytes(b"old")
    saves.atomic_write(target, b"new")
    assert files_in(tmp_path) == {"f.json": b"new"}


def test_rename_failing_leaves_the_old_profile_intact(root, level, monkeypatch):
    old = _saved_profile(root, level)
    store = SaveStore(root, clock=frozen_clock)
    store.record_result(play(level, WINNING))  # writes fine: the profile now says 2 plays

    newer = (root / "profile.json").read_bytes()
    assert newer != old

    def crash(src, dst):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "replace", crash)
    store.profile().settings.speed = 5
    assert store.save_profile() is False
    assert (root / "profile.json").read_bytes() == newer  # the old file, whole
    assert files_in(root) == {"profile.json": newer}  # and no temporary file left behind
    assert any("profile.json" in n and "input/output error" in n for n in store.notices)
    assert any("kept in memory" in n for n in store.notices)
    assert store.profile().settings.speed == 5  # the game goes on with it

    monkeypatch.undo()
    assert store.save_profile() is True
    assert SaveStore(root).profile().settings.speed == 5


def test_a_leftover_temporary_file_changes_nothing(root, level):
    old = _saved_profile(root, level)
    # A crash between write and rename leaves a temporary file beside the real one.
    leftover = root / ".profile.json.k2j4h1.tmp"
    leftover.write_bytes(b'{"kind": "profile", "version": 1, "completed": {"happy-pa')
    store = SaveStore(root, clock=frozen_clock)
    assert store.profile().tried["happy-path"].plays == 1
    assert store.notices == []
    assert (root / "profile.json").read_bytes() == old
    store.record_result(play(level, WINNING))
    assert SaveStore(root).profile().completed["happy-path"].plays == 2
    assert leftover.exists()  # not ours to delete: it may be the only copy of something


def test_set_aside_never_overwrites(root):
    root.mkdir()
    first, second = b"{broken", b"\x00\xff also broken"
    names = []
    for data in (first, second):
        (root / "profile.json").write_bytes(data)
        store = SaveStore(root, clock=frozen_clock)  # the same second both times
        store.profile()
        names.append(store.notices[0])
    assert files_in(root) == {
        f"profile.json.damaged-{STAMP}": first,
        f"profile.json.damaged-{STAMP}-2": second,
    }
    assert f"profile.json.damaged-{STAMP}-2" in names[1]


def test_the_real_clock_names_set_aside_files(root):
    root.mkdir()
    (root / "profile.json").write_bytes(b"[]")
    SaveStore(root).profile()
    (name,) = files_in(root)
    assert name.startswith("profile.json.damaged-")
    stamp = name.removeprefix("profile.json.damaged-")
    assert len(stamp) == 16 and stamp[8] == "T" and stamp.endswith("Z")


def test_unwritable_folder_keeps_progress_in_memory(root, level, make_unwritable):
    old = _saved_profile(root, level)
    make_unwritable(root)
    store = SaveStore(root, clock=frozen_clock)
    session = play(level, WINNING)
    profile = store.record_result(session)  # no exception
    assert profile.completed["happy-path"].plays == 2
    assert profile.completed["happy-path"].stars == 2
    assert store.save_profile() is False
    assert store.save_replay(session) is None
    assert store.save_resume(play(level, WINNING, until=20)) is False
    assert files_in(root) == {"profile.json": old}
    text = " ".join(store.notices)
    assert f"Could not save {root / 'profile.json'}: permission denied" in text
    assert "kept in memory" in text
    assert "replay was not saved" in text
    assert "cannot be resumed after quitting" in text
    assert len(store.notices) == len(set(store.notices))


def test_damaged_file_in_unwritable_folder_is_left_alone(root, make_unwritable, monkeypatch):
    root.mkdir()
    (root / "profile.json").write_bytes(b'{"kind": "profile", "vers')
    make_unwritable(root)
    store = SaveStore(root, clock=frozen_clock)
    assert store.profile().completed == {}
    (notice,) = store.notices
    assert "profile.json could not be used: it is not valid JSON" in notice
    assert "could not be set aside" in notice
    monkeypatch.undo()
    root.chmod(0o755)
    # Even once the folder is writable, this store must not overwrite the damaged bytes.
    assert store.save_profile() is False
    assert files_in(root) == {"profile.json": b'{"kind": "profile", "vers'}


def test_saves_folder_under_a_regular_file(tmp_path, level):
    (tmp_path / "file").write_text("not a folder")
    store = SaveStore(tmp_path / "file" / "saves", clock=frozen_clock)
    assert store.profile().completed == {}
    assert store.load_resume() is None
    assert store.resume_session() is None
    session = play(level, LOSING)
    assert store.record_result(session).tried["happy-path"].plays == 1
    assert store.save_replay(session) is None
    assert store.replays() == []
    store.clear_resume()
    assert store.notices and all("Could not save" in n for n in store.notices)
    assert (tmp_path / "file").read_text() == "not a folder"


def test_atomic_create_never_writes_over_a_file_even_without_hard_links(tmp_path, monkeypatch):
    from perpgame.saves.files import atomic_create

    taken = tmp_path / "a.json"
    taken.write_bytes(b"theirs")
    with pytest.raises(FileExistsError):
        atomic_create(taken, b"mine")

    def no_links(*args):
        raise PermissionError("this file system has no hard links")

    monkeypatch.setattr(os, "link", no_links)
    with pytest.raises(FileExistsError):
        atomic_create(taken, b"mine")
    atomic_create(tmp_path / "b.json", b"mine")
    assert files_in(tmp_path) == {"a.json": b"theirs", "b.json": b"mine"}  # no temp file left
