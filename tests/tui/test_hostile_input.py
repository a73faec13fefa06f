"""Hostile input in a running game: the quick-order line refuses each in words and play goes on.

Before: ``lev`` or ``x`` followed by 4,400 nines ended the game with a traceback (an unguarded
``int()``); a 400-digit quantity or margin parsed, then formatting the answer raised; only
``CommandError`` was caught around the line.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from textual.widgets import Input

from perpgame.saves import SaveStore
from perpgame.tui.screens import game as game_module
from perpgame.tui.screens.title import TitleScreen

from .harness import perp_app, settle
from .test_flow import write_levels
from .test_game_screen import calm, feedback, started

TYPED = ["b 1e309", "b nan", "lev 0x10", "m +1e309", "b 0,5,5"]
PASTED = [
    "lev " + "9" * 4400,
    "x " + "9" * 4400,
    "b " + "9" * 400,
    "s 1 @ " + "9" * 400,
    "m +" + "9" * 400,
    "m -" + "9" * 400,
]


async def test_hostile_quick_orders_are_refused_and_the_game_goes_on():
    app = calm()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await started(pilot, app)
        line = app.screen.query_one("#order-line", Input)
        for text in TYPED + PASTED:
            await pilot.press("colon")
            line.value = ""
            if text in TYPED:
                await pilot.press(*text)  # typed key by key
            else:
                line.value = text  # pasted: thousands of keys
            await pilot.press("enter")
            shown = feedback(screen)
            assert shown.startswith("× "), (text[:20], shown)
            assert len(shown) < 250
            await pilot.press("escape")
        tick = app.session.tick
        screen.advance(3)
        assert app.session.tick == tick + 3 and app.session.input_log == []
        await pilot.press("colon")
        line.value = ""
        await pilot.press(*"b 0,5", "enter")  # a decimal comma: half a coin
        assert "market buy 0.5" in feedback(screen)
        await pilot.press("ctrl+q")
    assert app.return_code == 0


async def test_an_unexpected_error_on_the_line_is_a_message_and_a_log_line(monkeypatch, caplog):
    def broken(text: str, tick: int):
        raise RuntimeError("a bug")

    monkeypatch.setattr(game_module, "parse_command", broken)
    app = calm()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await started(pilot, app)
        with caplog.at_level(logging.ERROR, logger=game_module.__name__):
            await pilot.press("colon", *"b 1", "enter")
        assert "could not be read (the error is in the log)" in feedback(screen)
        assert any("a bug" in (r.exc_text or str(r.exc_info)) for r in caplog.records)
        screen.advance(1)  # still playing
        assert app.session.tick == 3


async def test_a_second_game_on_the_folder_is_named_on_the_title_screen(tmp_path: Path):
    saves = tmp_path / "saves"
    other = SaveStore(saves)
    assert other.claim()
    app = perp_app(write_levels(tmp_path / "levels"), saves)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, TitleScreen))
        await settle(pilot, lambda: bool(app._notifications))
        messages = [n.message for n in app._notifications]
        assert any(
            f"Another perpgame ({other.instance}) is running on this saves folder" in m
            for m in messages
        )
    other.release()
    assert os.path.exists(saves / ".instance.lock")
