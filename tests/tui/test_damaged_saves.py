"""A damaged profile never stops the game: it starts, says so, and keeps the bytes."""

from pathlib import Path

from perpgame.tui.screens.title import TitleScreen

from .harness import perp_app, settle
from .test_flow import write_levels

DAMAGED = b'{"kind": "profile", "version": 1, "completed": {"no-co'


async def test_a_damaged_profile_is_set_aside_and_the_player_is_told(tmp_path: Path):
    saves = tmp_path / "saves"
    saves.mkdir()
    (saves / "profile.json").write_bytes(DAMAGED)
    app = perp_app(write_levels(tmp_path / "levels"), saves)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, TitleScreen))
        await settle(pilot, lambda: bool(app._notifications))
        messages = [n.message for n in app._notifications]
        assert any("profile.json could not be used" in m and "set aside" in m for m in messages)
    aside = [p for p in saves.iterdir() if p.name.startswith("profile.json.damaged-")]
    assert len(aside) == 1 and aside[0].read_bytes() == DAMAGED
