"""Every kind of broken level file gives a LevelError that names the file and the field.

Each file in ``files/broken/`` starts with ``# expect: FIELD | FRAGMENT`` lines: some problem must
have exactly that field (or, for ``@LINE:COLUMN``, that syntax position) and a message containing
the fragment.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from perpgame.level import LevelError, load_level, load_level_text
from perpgame.level.errors import Problem

FILES = Path(__file__).parent / "files"
BROKEN = sorted((FILES / "broken").glob("*.toml"))


def _expectations(path: Path) -> list[tuple[str, str]]:
    head = path.read_bytes().decode("ascii", "replace").splitlines()
    out = []
    for line in head:
        m = re.match(r"# expect: (.+?) \| (.+)$", line)
        if m:
            out.append((m.group(1), m.group(2)))
    return out


def _problems(path: Path) -> list[Problem]:
    with pytest.raises(LevelError) as info:
        load_level(path)
    return info.value.problems


@pytest.mark.parametrize("path", [p for p in BROKEN if p.stat().st_size], ids=lambda p: p.stem)
def test_broken_file_names_file_and_field(path: Path) -> None:
    expected = _expectations(path)
    assert expected, f"{path.name} has no '# expect:' line"
    problems = _problems(path)
    lines = [str(p) for p in problems]
    assert all(p.file == str(path) for p in problems)
    assert all(line.startswith(f"{path}: ") for line in lines)
    for field, fragment in expected:
        if field.startswith("@"):
            line, column = (int(x) for x in field[1:].split(":"))
            matches = [p for p in problems if (p.line, p.column) == (line, column)]
            where = f"line {line}, column {column}: "
        else:
            matches = [p for p in problems if p.field == field]
            where = f"{field}: "
        assert matches, f"no problem at {field} in:\n" + "\n".join(lines)
        assert any(fragment in p.message for p in matches), "\n".join(lines)
        assert any(where in str(p) for p in matches)


def test_syntax_error_line_format() -> None:
    problems = _problems(FILES / "broken" / "syntax_error.toml")
    assert len(problems) == 1
    text = str(problems[0])
    assert re.match(r".*syntax_error\.toml: line 6, column 15: TOML syntax: ", text), text


def test_unknown_field_lists_allowed_fields() -> None:
    [problem] = _problems(FILES / "broken" / "unknown_field.toml")
    assert "allowed here: symbol, start_price" in problem.message


def test_unknown_archetype_lists_all_known() -> None:
    [problem] = _problems(FILES / "broken" / "unknown_archetype.toml")
    for name in ("market_maker", "noise", "whale", "dip_buyer", "vault_unwinder"):
        assert name in problem.message


def test_empty_file() -> None:
    path = FILES / "broken" / "empty.toml"
    [problem] = _problems(path)
    assert str(problem) == f"{path}: the file is empty"


@pytest.mark.parametrize("text", ["", "   \n\t\n", "\ufeff\n"])
def test_blank_text_is_empty(text: str) -> None:
    with pytest.raises(LevelError, match="the file is empty"):
        load_level_text(text, "blank.toml")


def test_comments_only_file_misses_meta() -> None:
    with pytest.raises(LevelError) as info:
        load_level_text("# nothing here yet\n", "c.toml")
    assert info.value.lines() == ["c.toml: meta: missing section [meta]"]


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    with pytest.raises(LevelError) as info:
        load_level(path)
    assert info.value.lines() == [f"{path}: no such file"]


def test_directory_path(tmp_path: Path) -> None:
    with pytest.raises(LevelError) as info:
        load_level(tmp_path)
    assert info.value.lines() == [f"{tmp_path}: is a folder, not a level file"]


def test_path_with_nul_byte() -> None:
    with pytest.raises(LevelError) as info:
        load_level("bad\x00name.toml")
    assert info.value.problems[0].file == "bad\x00name.toml"


def test_too_large_file(tmp_path: Path) -> None:
    path = tmp_path / "big.toml"
    path.write_bytes(b"# " + b"x" * (1 << 20) + b"\n")
    with pytest.raises(LevelError, match="at most 1,048,576 bytes"):
        load_level(path)


def test_non_utf8_bytes_position() -> None:
    [problem] = _problems(FILES / "broken" / "not_utf8.toml")
    assert (problem.line, problem.column) == (4, 10)
    assert "UTF-8" in problem.message


def test_deep_nesting_is_a_problem_not_a_crash() -> None:
    with pytest.raises(LevelError, match="nested too deeply"):
        load_level_text("a = " + "[" * 5000 + "]" * 5000, "deep.toml")


def test_integer_with_thousands_of_digits() -> None:
    with pytest.raises(LevelError) as info:
        load_level_text("a = 1" + "0" * 5000, "digits.toml")
    assert info.value.problems[0].file == "digits.toml"


def test_every_problem_is_reported_at_once() -> None:
    text = (FILES / "minimal.toml").read_text().replace('cash = "1000"', 'cash = "-5"')
    text = text.replace('change = "-12%"', 'change = "lots"')
    with pytest.raises(LevelError) as info:
        load_level_text(text, "two.toml")
    fields = [p.field for p in info.value.problems]
    assert fields == ["player.cash", "timeline[1].change"]


def test_error_message_is_the_lines() -> None:
    with pytest.raises(LevelError) as info:
        load_level_text("[meta]\nid = 5\n", "m.toml")
    assert str(info.value) == "\n".join(info.value.lines())
    assert "m.toml: meta.id: expected an id as text, got 5" in info.value.lines()
