"""Every test, and every process a test starts, has a data folder of its own (never the user's)."""

from __future__ import annotations

import pytest

pytest.register_assert_rewrite("tests.golden")


@pytest.fixture(autouse=True)
def _private_data_folder(tmp_path_factory: pytest.TempPathFactory, monkeypatch) -> None:
    """``platformdirs`` reads ``$XDG_DATA_HOME`` on Linux: point it at a fresh temporary folder."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("data-home")))
