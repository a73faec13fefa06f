"""``perpgame screenshots`` still takes its pictures after the TUI moves (it drives the real app)."""

from __future__ import annotations

from perpgame.tui.screenshots import main


def test_the_screenshots_command_saves_every_picture(tmp_path, levels_dir) -> None:
    out = tmp_path / "shots"
    assert main(out, levels_dir=levels_dir) == 0
    names = sorted(p.name for p in out.glob("*.svg"))
    assert "01-title-80x24.svg" in names and "01-title-120x40.svg" in names
    assert all((out / name).read_text().lstrip().startswith("<svg") for name in names)
