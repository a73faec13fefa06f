"""``perpgame host LEVEL``: run one table until interrupted, print how to join, keep its log."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sys
import time
from pathlib import Path

from perpgame.level.schema import Level
from perpgame.saves import atomic_write
from perpgame.saves.files import atomic_create
from perpgame.table.core import Table, seat_names
from perpgame.table.debrief import debrief_text
from perpgame.table.log import log_bytes, write_log
from perpgame.table.server import TableServer


def default_log_path(saves: Path, level: Level, seed: int) -> Path:
    """``<saves>/tables/<level>-<seed>-<UTC stamp>.json``."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    return saves / "tables" / f"{level.id}-{seed}-{stamp}.json"


def claim_log(table: Table, path: Path) -> Path:
    """Write the table's first log at ``path``, or when that name is taken (another table's log:
    a host started twice, or two in the same second) at the first free ``<name>-2.json``,
    ``-3`` ..; the path it took. Never over another file: the name is claimed by hard-linking a
    whole file to it, which fails when the name exists (a rename would replace it). Later writes
    replace only this table's own file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = log_bytes(table)
    for n in range(1, 1000):
        name = path if n == 1 else path.with_name(f"{path.stem}-{n}{path.suffix}")
        try:
            atomic_create(name, data)
        except FileExistsError:
            continue
        return name
    raise FileExistsError(f"{path} and 998 names after it are taken")


def run_host(
    level: Level,
    *,
    seats: int,
    host: str,
    port: int,
    seed: int,
    ticks_per_second: float | None,
    paused: bool,
    log_path: Path,
    urls_path: Path | None = None,
    public_url: str | None = None,
) -> int:
    """Serve the table until Ctrl-C (or SIGTERM); the log is written at the end of the game and
    again on the way out."""
    table = Table(level, seed, seat_names(seats))
    tps = ticks_per_second or 1000 / level.tick_ms
    return asyncio.run(_serve(table, host, port, tps, paused, log_path, urls_path, public_url))


async def _serve(
    table: Table,
    host: str,
    port: int,
    tps: float,
    paused: bool,
    log_path: Path,
    urls_path: Path | None,
    public_url: str | None,
) -> int:
    stop = asyncio.Event()  # set up first: a script may stop the host as soon as its URLs appear
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # not on every platform
            loop.add_signal_handler(sig, stop.set)

    def save(t: Table) -> None:
        write_log(t, log_path)
        print(f"table log: {log_path} (tick {t.tick})", flush=True)

    def end(server: TableServer) -> None:
        save(server.table)
        if server.debrief is not None:
            print(debrief_text(server.debrief), flush=True)

    server = TableServer(table, ticks_per_second=tps, running=not paused, on_end=end)
    try:
        await server.start(host, port)
    except OSError as exc:
        print(f"perpgame host: cannot listen on {host}:{port}: {exc.strerror}", file=sys.stderr)
        return 1
    try:
        wanted, log_path = log_path, claim_log(table, log_path)
    except OSError as exc:
        await server.stop()
        print(f"perpgame host: cannot write the table log {log_path}: {exc}", file=sys.stderr)
        return 1
    if log_path != wanted:
        print(f"table log: {wanted} is taken; this table logs to {log_path}", flush=True)
    urls = {"instructor": server.url(None, public_url)} | {
        seat: server.url(seat, public_url) for seat in table.seats
    }
    print(
        f"table: {table.level.id} ({table.level.title}), seed {table.seed}, {len(table.seats)} "
        f"seats, {tps:g} ticks/s{', paused' if paused else ''}",
        flush=True,
    )
    for who, url in urls.items():
        print(f"  {who:<11} perpgame join '{url}'", flush=True)
    if urls_path is not None:
        atomic_write(urls_path, json.dumps(urls, indent=1).encode())
    try:
        await stop.wait()
    finally:
        await server.stop()
        save(table)
    return 0
