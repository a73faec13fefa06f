"""docs/levels.md stays true: its examples load, and it names every metric, action and setting."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from perpgame.engine.adl import POLICIES
from perpgame.level import load_level_text
from perpgame.level.schema import ACTION_KINDS, SETTINGS
from perpgame.session.inputs import load_inputs_text
from perpgame.world.conditions import METRICS

DOC = Path(__file__).resolve().parents[2] / "docs" / "levels.md"
TEXT = DOC.read_text()
BLOCKS = re.findall(r"```toml\n(.*?)```", TEXT, re.S)

# A level that fragments are appended to: it has a whale group and market makers to address.
BASE = """
[meta]
id = "docs"
title = "Docs"
lesson = "A fragment of docs/levels.md."

[[traders]]
archetype = "market_maker"

[[accounts]]
name = "moby"
group = "whales"
cash = "1000000"
bot = "whale"
"""


@pytest.mark.parametrize("block", BLOCKS, ids=lambda b: b.strip().splitlines()[0][:40])
def test_toml_examples_load(block: str) -> None:
    if "[[action]]" in block:
        assert load_inputs_text(block, "docs/levels.md")
    elif "[meta]" in block:
        if "[objectives]" not in block:  # the [meta] fragment: give it a way to win
            block += "\n[objectives]\nsurvive = true\n"
        load_level_text(block, "docs/levels.md")
    else:
        load_level_text(BASE + block, "docs/levels.md")


def test_examples_exist() -> None:
    assert len(BLOCKS) >= 10


@pytest.mark.parametrize("name", [*METRICS, *ACTION_KINDS, *SETTINGS, *POLICIES], ids=lambda n: n)
def test_doc_names_it(name: str) -> None:
    assert f"`{name}`" in TEXT
