"""Where progress goes: the user's data folder by default, ``--saves``/``$PERPGAME_SAVES`` anywhere
on the command line, an older version's ``./saves`` copied over without losing a byte."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from perpgame import cli, places, saves
from perpgame.places import ENV_SAVES, MOVED_NOTE, adopt_old_saves, default_saves_dir, saves_dir
from perpgame.saves import SaveStore


@pytest.fixture
def data_home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "data-home"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    monkeypatch.delenv(ENV_SAVES, raising=False)
    return home


def old_saves(folder: Path) -> Path:
    """An older version's ./saves: a profile, a game to continue, a replay, a booth visitor."""
    old = folder / "saves"
    (old / "replays").mkdir(parents=True)
    (old / "visitors" / "20260101T000000-42").mkdir(parents=True)
    (old / "profile.json").write_text('{"kind": "profile"}')
    (old / "resume.json").write_text('{"kind": "resume"}')
    (old / "replays" / "no-coin-1-1.json").write_text('{"kind": "replay"}')
    return old


def test_the_default_is_the_users_data_folder_not_the_current_one(data_home, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert saves_dir() == default_saves_dir() == data_home / "perpgame"
    assert SaveStore().root == data_home / "perpgame"
    assert saves.saves_dir is places.saves_dir  # one function decides, everyone calls it


def test_the_environment_overrides(data_home, tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_SAVES, str(tmp_path / "elsewhere"))
    assert saves_dir() == tmp_path / "elsewhere"


@pytest.mark.parametrize(
    "argv",
    [["--saves", "S", "where"], ["where", "--saves", "S"]],
    ids=["before the command", "after the command"],
)
def test_saves_is_accepted_before_or_after_the_command(
    data_home, tmp_path, monkeypatch, argv, capsys
):
    monkeypatch.chdir(tmp_path)
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert f"saves     {Path('S')}\n" in out
    assert os.environ[ENV_SAVES] == "S"


def test_where_names_every_folder(data_home, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["where"]) == 0
    out = capsys.readouterr().out
    names = [line.split()[0] for line in out.splitlines() if not line.startswith(" ")]
    assert names == ["saves", "replays", "tables", "visitors", "levels"]
    assert str(data_home / "perpgame") in out
    assert str(Path(cli.__file__).parent / "levels") in out


def test_an_old_saves_folder_is_copied_to_the_data_folder_and_kept(data_home, tmp_path):
    old = old_saves(tmp_path)
    before = {p.relative_to(old): p.read_bytes() for p in old.rglob("*") if p.is_file()}
    said = adopt_old_saves(tmp_path)
    new = data_home / "perpgame"
    assert said and str(new) in said and "copied" in said
    assert (new / "profile.json").read_text() == '{"kind": "profile"}'
    assert (new / "resume.json").read_text() == '{"kind": "resume"}'
    assert (new / "replays" / "no-coin-1-1.json").is_file()
    assert not (new / "visitors").exists()  # booth leftovers are not progress
    after = {p.relative_to(old): p.read_bytes() for p in old.rglob("*") if p.is_file()}
    assert after.pop(Path(MOVED_NOTE)).decode().startswith("perpgame now keeps progress in")
    assert after == before  # nothing in the old folder changed or went
    assert adopt_old_saves(tmp_path) is None  # once only


def test_an_old_saves_folder_never_overwrites_newer_progress(data_home, tmp_path):
    old = old_saves(tmp_path)
    new = data_home / "perpgame"
    new.mkdir(parents=True)
    (new / "profile.json").write_text("mine")
    said = adopt_old_saves(tmp_path)
    assert said and f"--saves {old}" in said
    assert (new / "profile.json").read_text() == "mine"
    assert not (new / "resume.json").exists()
    assert not (old / MOVED_NOTE).exists()


def test_an_old_saves_folder_is_left_alone_when_saves_are_chosen(data_home, tmp_path, monkeypatch):
    old_saves(tmp_path)
    monkeypatch.setenv(ENV_SAVES, str(tmp_path / "chosen"))
    assert adopt_old_saves(tmp_path) is None
    assert not (data_home / "perpgame").exists()


def test_a_checkouts_empty_saves_folder_is_not_progress(data_home, tmp_path):
    (tmp_path / "saves").mkdir()
    (tmp_path / "saves" / ".gitkeep").write_text("")
    assert adopt_old_saves(tmp_path) is None


def test_progress_follows_the_player_between_folders(data_home, tmp_path):
    """A game recorded from one folder is found from another (a real process each time)."""
    env = {**os.environ, "XDG_DATA_HOME": str(data_home)}
    env.pop(ENV_SAVES, None)
    code = (
        "import sys; from perpgame.saves import SaveStore; from perpgame.session import GameSession;"
        "from perpgame.level.catalog import find_level; from perpgame.level.loader import load_level;"
        "store = SaveStore();"
        "s = GameSession(load_level(find_level('no-coin')), 1); s.run(5);"
        "store.save_resume(s) if sys.argv[1] == 'save' else"
        " print(store.resume_session().level.id, store.resume_session().tick)"
    )
    for folder, what in ((tmp_path / "a", "save"), (tmp_path / "b", "load")):
        folder.mkdir()
        run = subprocess.run(
            [sys.executable, "-c", code, what], cwd=folder, env=env, capture_output=True, text=True
        )
        assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "no-coin 5"
    assert not (tmp_path / "a" / "saves").exists() and not (tmp_path / "b" / "saves").exists()


def test_where_points_at_old_progress_not_yet_copied(data_home, tmp_path, monkeypatch) -> None:
    old = old_saves(tmp_path)
    found = {place.name: place.path for place in places.places(Path("L"), tmp_path)}
    assert found["old saves"] == old.resolve()
    adopt_old_saves(tmp_path)
    assert "old saves" not in {place.name for place in places.places(Path("L"), tmp_path)}
