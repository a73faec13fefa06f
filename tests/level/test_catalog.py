"""Finding levels: by id, by file stem, by path; the curriculum in order; broken files reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from perpgame.level import LevelError, curriculum, find_level, levels_dir, scan_levels
from perpgame.level.catalog import ENV_LEVELS

FILES = Path(__file__).parent / "files"
REPO = Path(__file__).resolve().parents[2]


def write(folder: Path, stem: str, ident: str, order: int, extra: str = "") -> Path:
    path = folder / f"{stem}.toml"
    win = "\n[objectives]\nsurvive = true\n" if order else ""
    path.write_text(
        f'[meta]\nid = "{ident}"\ntitle = "{ident}"\norder = {order}\nlesson = "L"\n{extra}{win}'
    )
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    write(tmp_path, "02-second", "second", 2)
    write(tmp_path, "01-first", "first", 1)
    write(tmp_path, "sandbox", "sandbox", 0)
    write(tmp_path, "10-tenth", "tenth", 10)
    (tmp_path / "notes.txt").write_text("not a level")
    return tmp_path


def test_levels_dir_is_the_package_levels_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_LEVELS, raising=False)
    assert levels_dir() == REPO / "perpgame" / "levels"


def test_the_shipped_levels_are_found_from_any_folder(monkeypatch, tmp_path: Path) -> None:
    """Not a ``levels`` folder beside the current directory: the package's own data."""
    monkeypatch.delenv(ENV_LEVELS, raising=False)
    (tmp_path / "levels").mkdir()
    monkeypatch.chdir(tmp_path)
    assert levels_dir() == REPO / "perpgame" / "levels"
    assert find_level("funding").parent == REPO / "perpgame" / "levels"


def test_a_bare_name_is_a_catalog_id_even_beside_a_file_of_that_name(monkeypatch, tmp_path):
    """``perpgame sim funding`` plays the catalog's ``funding``, not a file named ``funding``
    in the current directory (the old lookup tried the file first)."""
    monkeypatch.delenv(ENV_LEVELS, raising=False)
    write(tmp_path, "funding", "imposter", 1).rename(tmp_path / "funding")
    monkeypatch.chdir(tmp_path)
    assert find_level("funding") == REPO / "perpgame" / "levels" / "12-funding.toml"
    assert find_level("./funding") == Path("./funding")
    write(tmp_path, "mine", "mine", 1)
    assert find_level("mine.toml") == Path("mine.toml")
    with pytest.raises(LevelError, match="no level named 'mine'"):
        find_level("mine")


def test_levels_dir_env_override(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    monkeypatch.setenv(ENV_LEVELS, str(folder))
    assert levels_dir() == folder
    assert [lv.id for lv in curriculum()] == ["first", "second", "tenth", "sandbox"]


def test_curriculum_order(folder: Path) -> None:
    assert [lv.id for lv in curriculum(folder)] == ["first", "second", "tenth", "sandbox"]


def test_find_level_by_id_stem_and_path(folder: Path) -> None:
    assert find_level("first", folder) == folder / "01-first.toml"
    assert find_level("01-first", folder) == folder / "01-first.toml"
    assert find_level(str(folder / "sandbox.toml"), folder) == folder / "sandbox.toml"
    assert find_level(folder / "sandbox.toml") == folder / "sandbox.toml"


def test_find_level_finds_a_broken_file_by_id(folder: Path) -> None:
    path = write(folder, "03-broken", "broken", 3, extra="[market]\nmax_leverage = 0\n")
    assert find_level("broken", folder) == path


def test_find_level_unknown(folder: Path) -> None:
    with pytest.raises(LevelError) as info:
        find_level("frist", folder)
    [line] = info.value.lines()
    assert line.startswith("frist: no level named 'frist' in ")
    assert "(did you mean 'first'?)" in line
    assert "levels: 01-first, 02-second, 10-tenth, first, sandbox, second, tenth" in line


def test_find_level_missing_path(tmp_path: Path) -> None:
    with pytest.raises(LevelError) as info:
        find_level(str(tmp_path / "gone.toml"))
    assert info.value.lines() == [f"{tmp_path / 'gone.toml'}: no such file"]
    with pytest.raises(LevelError, match="is a folder"):
        find_level(str(tmp_path) + "/")


def test_missing_levels_folder(tmp_path: Path) -> None:
    with pytest.raises(LevelError, match="no such levels folder"):
        curriculum(tmp_path / "nowhere")


def test_broken_files_are_reported_not_skipped(folder: Path) -> None:
    write(folder, "03-broken", "broken", 3, extra="[market]\nmax_leverage = 0\n")
    (folder / "04-garbage.toml").write_bytes(b"\xff\xfe garbage")
    with pytest.raises(LevelError) as info:
        curriculum(folder)
    lines = info.value.lines()
    assert f"{folder / '03-broken.toml'}: market.max_leverage: must be at least 1, got 0" in lines
    assert any(line.startswith(f"{folder / '04-garbage.toml'}: line 1, column 1") for line in lines)
    levels, problems = scan_levels(folder)
    assert [lv.id for lv in levels] == ["first", "second", "tenth", "sandbox"]
    assert len(problems) == 2


def test_duplicate_ids_and_orders(folder: Path) -> None:
    write(folder, "copy", "first", 0)
    write(folder, "also-second", "also-second", 2)
    with pytest.raises(LevelError) as info:
        curriculum(folder)
    lines = info.value.lines()
    assert len(lines) == 2
    assert any("meta.id: 'first' is also the id of" in line for line in lines)
    assert any("meta.order: 2 is also the order of" in line for line in lines)


def test_shipped_levels_all_load() -> None:
    """Every level in perpgame/levels/ is valid (the folder may still be filling up)."""
    folder = REPO / "perpgame" / "levels"
    if not any(folder.glob("*.toml")):
        pytest.skip("no shipped levels yet")
    levels = curriculum(folder)
    assert levels
    for lv in levels:
        lv.market_config(0)


def test_a_level_is_found_by_the_number_perpgame_levels_shows(monkeypatch) -> None:
    # Before: `perpgame play 4` said "no level named '4'" though the list numbers the levels.
    monkeypatch.delenv(ENV_LEVELS, raising=False)
    assert find_level("4").name == "04-liquidated.toml"
    assert find_level("13").name == "13-the-big-one.toml"
    with pytest.raises(LevelError):
        find_level("99")
