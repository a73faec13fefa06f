"""The game screen at 80x24 after the first hour: what the last newcomer playtest left confusing.

Each test is one confusion from that playtest's "What still confused me"; it fails on the screen
as it was and passes now.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input

from tests.tui.test_game_screen import calm, feedback, started


def burst(app, text: str) -> None:
    """Hand the app ``text`` as one read from the terminal: every key queued before any is
    handled, as a paste or ``tmux send-keys ':s 3 x50'`` delivers them (Pilot waits per key)."""
    names = {":": "colon", "/": "slash", " ": "space", "@": "at"}
    for char in text:
        key = events.Key(names.get(char, char), char)
        key.set_sender(app)
        app._driver.send_message(key)


async def test_keys_sent_in_one_burst_after_the_colon_all_reach_the_order_line():
    # Before: the keys behind ":" were routed to the screen before ":" gave the line the focus:
    # the line stayed empty (Enter then sent an empty line), or under load `s` sold at market.
    app = calm()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await started(pilot, app)
        burst(app, ":s 3 x50")
        for _ in range(4):
            await pilot.pause()
        line = app.screen.query_one("#order-line", Input)
        assert line.has_focus and line.value == "s 3 x50"
        assert screen.last_sent == "" and app.session.input_log == []
        await pilot.press("enter")
        assert "market sell 3 BTC at 50x" in feedback(screen)


async def test_a_colon_typed_in_the_order_line_is_text():
    # the priority binding must not steal ":" from the line it opened
    app = calm()
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, app)
        await pilot.press("colon", "b", "colon", "slash")
        assert app.screen.query_one("#order-line", Input).value == "b:/"
