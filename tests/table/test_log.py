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


def _arrivals_log(duel, tmp_path) -> dict:
    """A table log with an input applied on arrival (what session 4's perpgame wrote as version 1)."""
    from perpgame.engine.book import BUY, SELL
    from perpgame.session.inputs import PlayerInput
    from perpgame.table.core import Table, seat_names

    table = Table(duel, 1, seat_names(2))
    table.submit("seat-2", PlayerInput.order(0, SELL, 10_000, 6_000_000))
    table.step()
    table.submit("seat-1", PlayerInput.order(0, BUY, 10_000), now=True)
    table.step()
    path = tmp_path / "now.json"
    write_log(table, path)
    return json.loads(path.read_text())


def test_a_table_log_carries_its_format_and_the_perpgame_that_wrote_it(duel, tmp_path, capsys):
    from perpgame import __version__

    doc = _arrivals_log(duel, tmp_path)
    assert doc["version"] == 2 and doc["written_by"] == f"perpgame {__version__}"
    assert len(doc["arrivals"]) == 1
    old = {k: v for k, v in doc.items() if k != "written_by"} | {"version": 1}
    path = tmp_path / "v1.json"  # as session 4 wrote it: version 1, with arrivals
    path.write_text(json.dumps(old))
    assert main(["replay", str(path), "--headless"]) == 0
    assert "final state: matches" in capsys.readouterr().out


def test_a_log_from_a_newer_perpgame_says_which_wrote_it_and_what_to_do(duel, tmp_path, capsys):
    from perpgame import __version__

    doc = _arrivals_log(duel, tmp_path)
    doc |= {"version": 3, "written_by": "perpgame 9.1.0", "bids_by_seat": {"seat-1": []}}
    path = tmp_path / "newer.json"
    path.write_text(json.dumps(doc))
    assert main(["replay", str(path), "--headless"]) == 1
    err = capsys.readouterr().err
    assert "damaged" not in err and "Traceback" not in err
    assert f"{path} was written by perpgame 9.1.0 in table-log format 3" in err
    assert f"this perpgame ({__version__}) reads formats 1 to 2. Update perpgame" in err
    doc["version"] = 2  # a format this reads, but not what it holds: damaged, and by whom
    path.write_text(json.dumps(doc))
    assert main(["replay", str(path), "--headless"]) == 1
    err = capsys.readouterr().err
    assert "is damaged (written by perpgame 9.1.0 in format 2)" in err and "bids_by_seat" in err


def test_joining_a_table_of_a_newer_perpgame_says_so_not_damaged(duel, tmp_path):
    """A seat's copy reads the table's log from the welcome: the same words as replay."""
    import pytest

    from perpgame.saves import ReplayError
    from perpgame.table.log import parse_log

    doc = _arrivals_log(duel, tmp_path) | {"version": 3, "written_by": "perpgame 9.1.0"}
    with pytest.raises(ReplayError, match=r"The table.s log was written by perpgame 9\.1\.0 in"):
        parse_log(doc, "The table's log")
    with pytest.raises(ReplayError, match="was written by a newer perpgame in table-log format"):
        parse_log(doc | {"written_by": None}, "The table's log")
    assert parse_log(doc | {"version": 2}, "The table's log").written_by == "perpgame 9.1.0"
