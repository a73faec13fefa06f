#!/usr/bin/env python3
"""50 headless seats on one table: does the table hold its pace, and how fast are orders seen?

Usage: python bench/table.py [LEVEL] [--seats 50] [--tps 10] [--seconds 30] [--seed 1] [--log FILE]

Starts `perpgame host LEVEL` (default: the-big-one, the most bots) on a random loopback port,
joins every seat from this one process with perpgame.client, and has each seat send one order a
second (a small market or limit order around the mid, seeded), staggered across the second.
Reports the ticks per second the table held, the input-to-frame latency (from sending an order to
receiving the first frame that shows it applied: the frame sent when the running table matched it
on arrival, or, for an input that waited for a tick, that tick's frame: p50, p99, max), the time
to the acknowledgement alone (for comparison; it is not the latency), how long another seat takes
to see an order applied on arrival (when its market first counts it: a `book` message, sent to
every seat on arrival, or a tick frame), the
server's CPU (share of one core) and memory, and this client process's memory. Goal: 10 ticks/s with 50 seats, p99 < 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from perpgame.client import TableClient, TableError, shows_applied

CLK = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK  # utime + stime


def _rss_mb(pid: int | str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else 0.0


async def _trader(seat: TableClient, rng: random.Random, offset: float, until: float, out: list):
    await asyncio.sleep(offset)  # stagger the seats across the second (load shape, not a sync)
    nxt = time.monotonic()
    while nxt < until:
        mid = ((seat.best_bid or 0) + (seat.best_ask or 0)) // 2 or seat.market.get("mark", 0)
        side = rng.choice(("buy", "sell"))
        qty = f"0.{rng.randint(1, 20):04d}"
        price = None
        if rng.random() < 0.5 and mid:
            cents = mid + (-1 if side == "buy" else 1) * rng.randint(0, 50) * 100
            price = f"{cents // 100}.{cents % 100:02d}"
        msg = {"type": "order", "side": side, "qty": qty} | ({"price": price} if price else {})
        began = time.perf_counter()
        try:
            answer = await seat.send(msg)
            acked = time.perf_counter() - began
            await seat.wait_for(shows_applied(answer), timeout=10)
            out.append((time.perf_counter() - began, acked, began, answer.get("arrival"), seat))
        except (TableError, TimeoutError) as exc:
            out.append(None)
            print(f"{seat.seat}: {exc}", file=sys.stderr)
        nxt += 1.0
        await asyncio.sleep(max(0.0, nxt - time.monotonic()))


async def _watch(seat: TableClient, seen: list, stop: asyncio.Event) -> None:
    """Record when the market ``seat`` sees (a tick frame's, or a ``book`` message's) first
    shows more arrivals, and how many."""
    while not stop.is_set():
        known = seat.market.get("arrivals", 0)
        try:
            market = await seat.wait_market(lambda m, n=known: m.get("arrivals", 0) > n, 0.5)
        except TimeoutError:
            continue
        seen.append((time.perf_counter(), market.get("arrivals", 0)))


def _seen_by_another_seat(orders: list, seen: list, watcher: TableClient) -> list[float]:
    """For every other seat's order applied on arrival: from sending it to the first tick
    frame that shows it reaching the watching seat (the market data every seat gets)."""
    counts = [n for _, n in seen]
    out = []
    for _, _, began, number, seat in orders:
        if number is None or seat is watcher:
            continue
        i = bisect.bisect_left(counts, number)
        if i < len(seen):
            out.append(seen[i][0] - began)
    return out


async def _run(urls: dict, host_pid: int, seconds: float, seed: int, tps: float) -> dict:
    seats = [await TableClient.connect(urls[s]) for s in urls if s != "instructor"]
    watcher = seats[0]
    await watcher.wait_for(lambda f: f["market"]["tick"] >= 1, timeout=10)
    tick0, t0, cpu0 = watcher.tick, time.monotonic(), _cpu_seconds(host_pid)
    latencies: list = []
    left = (watcher.welcome["tick_limit"] - tick0 - 20) / tps  # stop before the level ends
    if left < seconds:
        print(f"bench: the level leaves {left:.0f} s; measuring that long", file=sys.stderr)
    until = t0 + min(seconds, left)
    rng = random.Random(seed)
    seen: list = []
    stop = asyncio.Event()
    watching = asyncio.create_task(_watch(watcher, seen, stop))
    await asyncio.gather(
        *(
            _trader(s, random.Random(rng.random()), i / len(seats), until, latencies)
            for i, s in enumerate(seats)
        )
    )
    elapsed = time.monotonic() - t0
    stop.set()
    await watching
    tick1, cpu1 = watcher.tick, _cpu_seconds(host_pid)
    server_rss = _rss_mb(host_pid)
    client_rss = _rss_mb("self")
    for s in seats:
        await s.close()
    done = [x for x in latencies if x is not None]
    ok = [x[0] for x in done]
    acks = [x[1] for x in done]
    others = _seen_by_another_seat(done, seen, watcher)
    return {
        "seats": len(seats),
        "seconds": round(elapsed, 1),
        "ticks_per_second": round((tick1 - tick0) / elapsed, 2),
        "orders": len(latencies),
        "failed": len(latencies) - len(ok),
        "latency_ms": {
            "p50": round(_percentile(ok, 50) * 1000, 1),
            "p99": round(_percentile(ok, 99) * 1000, 1),
            "max": round(max(ok, default=0) * 1000, 1),
        },
        "ack_ms": {
            "p50": round(_percentile(acks, 50) * 1000, 1),
            "p99": round(_percentile(acks, 99) * 1000, 1),
        },
        "seen_by_another_seat_ms": {
            "orders": len(others),
            "p50": round(_percentile(others, 50) * 1000, 1),
            "p99": round(_percentile(others, 99) * 1000, 1),
        },
        "server_cpu_percent_of_one_core": round(100 * (cpu1 - cpu0) / elapsed, 1),
        "server_rss_mb": round(server_rss, 1),
        "client_rss_mb_all_seats": round(client_rss, 1),
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("level", nargs="?", default="the-big-one")
    p.add_argument("--seats", type=int, default=50)
    p.add_argument("--tps", type=float, default=10)
    p.add_argument("--seconds", type=float, default=30)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--log", metavar="FILE", help="keep the table log there (perpgame replay it)")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        urls_file = Path(tmp) / "urls.json"
        host = subprocess.Popen(
            [sys.executable, "-m", "perpgame", "host", args.level, "--seats", str(args.seats),
             "--tps", str(args.tps), "--port", "0", "--urls", str(urls_file),
             "--log", args.log or str(Path(tmp) / "log.json"), "--saves", tmp],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 30
            while not urls_file.exists():
                if host.poll() is not None or time.monotonic() > deadline:
                    print("bench: the host did not start", file=sys.stderr)
                    return 1
                time.sleep(0.05)
            urls = json.loads(urls_file.read_text())
            result = asyncio.run(_run(urls, host.pid, args.seconds, args.seed, args.tps))
        finally:
            host.send_signal(signal.SIGTERM)
            host.wait(timeout=30)
    result["level"] = args.level
    result["target_ticks_per_second"] = args.tps
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
