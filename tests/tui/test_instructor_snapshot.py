"""Frame of the instructor's screen just after the crash: seats, events, who paid whom.

The table's messages are built from a real table played headless (no network, no clock), the way
the server builds them, and shown with the screen's own methods, so the picture is exact.
"""

from __future__ import annotations

from pathlib import Path

from perpgame.level.loader import load_level
from perpgame.session.inputs import PlayerInput
from perpgame.table import views
from perpgame.table.core import Table
from perpgame.tui.instructor import InstructorApp

DUEL = Path(__file__).resolve().parents[1] / "table" / "duel.toml"


def _crashed_table_messages() -> tuple[dict, list[dict]]:
    level = load_level(DUEL)
    table = Table(level, 1, ["seat-1", "seat-2", "seat-3"])
    names = {"seat-1": "Ana", "seat-3": "Bo"}

    def market_and_board() -> dict:
        s = table.session
        return {"market": views.market_view(s), "board": views.leaderboard(s, table.seats, names)}

    welcome = {
        "title": level.title, "tick_limit": level.tick_limit, "running": False, "tps": 10,
        "events": views.timeline_view(level), "seats": table.seats, **market_and_board(),
    }  # fmt: skip
    frames = []
    table.submit("seat-2", PlayerInput.order(0, -1, 60_000, 6_000_000, leverage=50))
    table.submit("seat-1", PlayerInput.order(0, 1, 50_000, None, leverage=50))  # bankrupt < 58,000
    table.submit("seat-3", PlayerInput.order(0, 1, 10_000, None, leverage=20))
    table.step()
    frames.append(market_and_board())
    table.fire(1)  # the -5% gap: seat-1 (50x) is past bankruptcy, the vault is empty: ADL
    table.step()
    frames.append(market_and_board())
    return welcome, frames


def test_instructor_after_the_crash(snap_compare) -> None:
    welcome, frames = _crashed_table_messages()
    app = InstructorApp(None)

    async def show(pilot) -> None:
        app.show_welcome(welcome)
        for frame in frames:
            app.show_frame(frame)
        await pilot.pause()
        assert app.paid == ["2: seat-2 deleveraged against seat-1: 5.0000 at 58,000.00"]

    assert snap_compare(app, terminal_size=(110, 30), run_before=show)


async def test_the_instructor_sees_the_tables_end_not_a_one_player_verdict() -> None:
    welcome, frames = _crashed_table_messages()
    last = frames[-1]
    ended = {**last, "market": {**last["market"], "status": "lost"}}
    app = InstructorApp(None)
    async with app.run_test(size=(110, 30)) as pilot:
        app.show_welcome(welcome)
        app.show_frame(ended)
        await pilot.pause()
        status = str(app.query_one("#status").render())
    assert "game over, the board is final" in status
    assert "lost" not in status
