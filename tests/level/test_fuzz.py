"""Whatever the bytes, loading a level or an actions file raises LevelError or nothing else."""

from __future__ import annotations

import json
import math
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perpgame.level import Level, LevelError, load_level_text
from perpgame.session.inputs import load_inputs_text

FILES = Path(__file__).parent / "files"
LEVELS = [(FILES / name).read_text() for name in ("minimal.toml", "full.toml")]
ACTIONS = (FILES / "actions.toml").read_text()

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))


def survives(text: str | bytes) -> None:
    for load in (load_level_text, load_inputs_text):
        try:
            result = load(text, "fuzz.toml")
        except LevelError as exc:
            assert exc.problems
            assert all(line.startswith("fuzz.toml: ") for line in exc.lines())
        else:
            if isinstance(result, Level):
                result.market_config(0)


@FUZZ
@given(st.binary(max_size=400))
def test_arbitrary_bytes(data: bytes) -> None:
    survives(data)


@FUZZ
@given(st.text(max_size=400))
def test_arbitrary_text(text: str) -> None:
    survives(text)


SCALARS = st.one_of(
    st.integers(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.text(max_size=30),
    st.sampled_from(
        [
            "60000",
            "-30%",
            "5bps",
            "1e999999999",
            "-1e-999999999",
            "0.001",
            "NaN",
            "market_maker",
            "whale",
            "pro_rata",
            "mark < 50000",
            "tick >= 10 and player_size > 0",
            "{mark} {prise}",
            "{",
            "narrate",
            "spawn",
            "set",
            "market.maintenance",
            "",
        ]
    ),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(["when", "text", "qty", "ticks", "spread_bps", "x", "do", "at"]),
            inner,
            max_size=3,
        )
    ),
    max_leaves=8,
)


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    assert isinstance(value, dict)
    return "{" + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + "}"


@FUZZ
@given(st.sampled_from([*LEVELS, ACTIONS]), st.data())
def test_one_value_replaced(text: str, data: st.DataObject) -> None:
    """A valid file with one value swapped for anything: still only LevelError."""
    lines = text.splitlines()
    spots = [i for i, line in enumerate(lines) if " = " in line and not line.startswith("#")]
    for _ in range(data.draw(st.integers(1, 3))):
        i = data.draw(st.sampled_from(spots))
        key = lines[i].split(" = ", 1)[0]
        lines[i] = f"{key} = {toml_value(data.draw(VALUES))}"
    survives("\n".join(lines))


@FUZZ
@given(st.sampled_from([*LEVELS, ACTIONS]), st.data())
def test_lines_dropped_or_duplicated(text: str, data: st.DataObject) -> None:
    lines = text.splitlines()
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(lines) - 1))
        if data.draw(st.booleans()):
            del lines[i]
        else:
            lines.insert(data.draw(st.integers(0, len(lines))), lines[i])
    survives("\n".join(lines))
