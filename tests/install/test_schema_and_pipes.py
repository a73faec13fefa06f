"""``perpgame schema`` describes the files the game accepts; output into a closed pipe is quiet."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import jsonschema
import pytest

from perpgame import cli
from perpgame.level.catalog import shipped_levels_dir

LEVELS = sorted(shipped_levels_dir().glob("*.toml"))
EXAMPLES = Path(__file__).resolve().parents[1] / "level" / "files"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(subprocess.check_output([sys.executable, "-m", "perpgame", "schema"]))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("path", [*LEVELS, EXAMPLES / "full.toml"], ids=lambda p: p.name)
def test_every_shipped_level_conforms_to_the_schema(validator, path: Path) -> None:
    """Amounts written as text (``"60000"``, ``"2.5%"``) and goals as bare conditions pass."""
    errors = [
        f"{list(e.path)}: {e.message}"
        for e in validator.iter_errors(tomllib.loads(path.read_text()))
    ]
    assert errors == []


@pytest.mark.parametrize(
    "text, where",
    [
        ('[meta]\nid = "x"\ntitle = "x"\nlesson = "x"\n[market]\nmax_levrage = 5\n', ["market"]),
        (
            '[meta]\nid = "x"\ntitle = "x"\nlesson = "x"\n[market]\nstart_price = true\n',
            ["market", "start_price"],
        ),
        ('[meta]\ntitle = "x"\nlesson = "x"\n', ["meta"]),
    ],
    ids=["misspelt key", "wrong type", "missing id"],
)
def test_the_schema_catches_what_an_editor_should_underline(validator, text, where) -> None:
    errors = list(validator.iter_errors(tomllib.loads(text)))
    assert errors and list(errors[0].path) == where


def test_sim_json_into_a_closed_pipe_exits_without_a_traceback() -> None:
    """``perpgame sim x --json | head -c 100``: the reader is gone before the report is written."""
    process = subprocess.Popen(
        [sys.executable, "-m", "perpgame", "sim", "no-coin", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    process.stdout.close()  # nobody reads: the first write meets a broken pipe
    _, err = process.communicate(timeout=120)
    assert b"Traceback" not in err and b"Exception ignored" not in err, err.decode()
    assert process.returncode == cli.EXIT_FAIL
