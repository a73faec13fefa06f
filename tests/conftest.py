"""Every test, and every process a test starts, has a data folder of its own (never the user's).

Hypothesis draws fresh examples on a developer's machine (that is how it finds new bugs), but CI
replays the same examples every run: a red CI then means the change broke something, never that
this run drew an unlucky case. ``HYPOTHESIS_PROFILE=ci`` (set by ``.ci/run``, or ``CI`` set as most
CI services do) picks that profile; it also drops the per-example deadline, which a loaded shared
machine can miss without anything being wrong.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

pytest.register_assert_rewrite("tests.golden")

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "default")
)


@pytest.fixture(autouse=True)
def _private_data_folder(tmp_path_factory: pytest.TempPathFactory, monkeypatch) -> None:
    """``platformdirs`` reads ``$XDG_DATA_HOME`` on Linux: point it at a fresh temporary folder."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("data-home")))
