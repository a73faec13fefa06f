"""The table log is a replay: offline, the same seats, inputs and fired events reach the same state."""

from __future__ import annotations

import json

from perpgame.cli import main
from perpgame.table.log import read_log, replay_log, table_log, write_log

from .conftest import join, served, step, trade_five_at_50x


async def _crash_game(server, clients) -> None:
    """Three seats trade, one is liquidated into another's bid, the instructor fires both gaps."""
    host = await join(server, clients, None)
    a, b, c = [await join(server, clients, f"seat-{i}") for i in (1, 2, 3)]
    await trade_five_at_50x(a, b)
    await c.buy("5", "58100", leverage=50)
    await step(host, [a, b, c], ticks=2)
    await host.fire(0)
    await step(host, [a, b, c])
    await a.buy("2", leverage=50)  # back in: buys from nobody (the book has no asks)
    await c.sell("1", "58600")
    await a.buy("1")
    await step(host, [a, b, c], ticks=3)
    await host.fire(1)
    await step(host, [a, b, c], ticks=4)


async def test_the_table_log_replays_offline_to_the_same_state_hash(duel, tmp_path, capsys):
    async with served(duel, 3) as (server, clients):
        await _crash_game(server, clients)
        path = tmp_path / "table.json"
        write_log(server.table, path)
        live = server.table.state_hash()
        tick = server.table.tick
    log, level = read_log(path)
    assert (log.ticks, log.final_state_hash, len(log.inputs)) == (tick, live, 6)
    assert log.fires == [(3, 0), (7, 1)]
    assert {a.seat for a in log.inputs} == {"seat-1", "seat-2", "seat-3"}
    assert replay_log(log, level) == live
    assert main(["replay", str(path), "--headless"]) == 0
    assert f"final state: matches ({live})" in capsys.readouterr().out


async def test_a_table_log_with_a_changed_input_does_not_match(duel, tmp_path, capsys):
    async with served(duel, 3) as (server, clients):
        await _crash_game(server, clients)
        doc = json.loads(table_log(server.table).model_dump_json())
    doc["inputs"][1]["qty"] = 40_000  # seat-1 bought 4 coins instead of 5
    path = tmp_path / "changed.json"
    path.write_text(json.dumps(doc))
    assert main(["replay", str(path), "--headless"]) == 1
    assert "does NOT reach" in capsys.readouterr().err


def test_a_damaged_table_log_is_refused_with_a_reason(tmp_path, capsys):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"kind": "table-log", "seats": "everyone"}))
    assert main(["replay", str(path), "--headless"]) == 1
    err = capsys.readouterr().err
    assert "is damaged" in err and "Traceback" not in err
