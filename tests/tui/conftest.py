"""Textual test settings: colour on, animations off, so snapshots are stable."""

import os

os.environ.pop("NO_COLOR", None)
os.environ["TEXTUAL_ANIMATIONS"] = "none"


import pytest


@pytest.fixture
def levels_dir(tmp_path):
    """The tiny test levels of test_flow (alpha won at tick 4, beta lost, gamma a crash)."""
    from tests.tui.test_flow import write_levels

    return write_levels(tmp_path / "levels")


@pytest.fixture
def saves_dir(tmp_path):
    return tmp_path / "saves"


@pytest.fixture
def make_app(levels_dir, saves_dir):
    """An app factory (Posting-style): the test folders, a fixed seed, a paused game screen."""
    from tests.tui.harness import perp_app

    def make(**kwargs):
        return perp_app(levels_dir, saves_dir, **{"game_options": {"paused": True}, **kwargs})

    return make
