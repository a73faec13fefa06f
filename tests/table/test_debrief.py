"""At the end of the game every seat gets the table debrief: results, where the money went, who
paid whom."""

from __future__ import annotations

from perpgame.level.loader import load_level
from perpgame.table.debrief import debrief_text

from .conftest import DUEL, join, served, step, trade_five_at_50x


async def test_the_debrief_says_who_paid_whom_and_where_the_money_went(tmp_path):
    short = tmp_path / "short.toml"
    text = DUEL.read_text().replace("time_limit = 1000", "time_limit = 1")
    short.write_text(text.replace("at = 9000", "at = 9").replace("at = 9500", "at = 10"))
    level = load_level(short)  # 1 s of 0.1 s ticks: the game ends at tick 10
    async with served(level, 2) as (server, clients):
        host = await join(server, clients, None)
        a = await join(server, clients, "seat-1")
        b = await join(server, clients, "seat-2")
        await trade_five_at_50x(a, b)
        await step(host, [a, b])
        await host.fire(1)
        await step(host, [a, b], ticks=9)
        frame = await b.wait_for(lambda f: "debrief" in f, timeout=5)
    debrief = frame["debrief"]
    assert debrief["paid"] == ["2: seat-2 deleveraged against seat-1: 5.0000 at 58,000.00"]
    # seat-1 lost its 10,000 to seat-2 (closed at the bankruptcy price 58,000: 5 x 2,000)
    assert [(r["seat"], r["pnl"]) for r in debrief["board"]] == [
        ("seat-2", 10_000_000_000),
        ("seat-1", -10_000_000_000),
    ]
    assert debrief["groups"]["seats"] == 0 and sum(debrief["groups"].values()) == 0
    text = debrief_text(debrief)
    assert "seat-2 deleveraged against seat-1" in text and "$10,000.00" in text
