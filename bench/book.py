#!/usr/bin/env python3
"""Replay an order stream through perpgame's order book and time it.

Usage:
    python bench/orderstream.py --ops 200000 > stream.txt
    python bench/book.py stream.txt [--repeat N] [--rivals]

The stream (see ``orderstream.py``) has one operation a line: ``L id B|S price qty`` (a limit
order), ``M id B|S qty`` (a market order) and ``C id`` (a cancel, the order may be gone already).
The whole file is parsed into tuples before the clock starts; every operation is then replayed
into ``perpgame.engine.book.OrderBook`` with owner = order id (so self-trade prevention never
fires). With ``--repeat N`` the replay is run N times on fresh books and the median is reported.

``--rivals`` also replays the stream through the pure-Python books ``lobby`` and ``fastlob`` when
they are importable (they are not project dependencies: install them in a scratch venv), with a
small adapter each, and prints their figures before the final line, which is always
``perpgame ops_per_s: N``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

# Measure the book next to this file, installed or not (and whatever else is installed).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from perpgame.engine.book import BUY, SELL, OrderBook, OrderType

LIMIT, MARKET, CANCEL = 0, 1, 2
Op = tuple[int, int, int, int, int]  # (code, order id, side, price, qty); unused fields are 0


def parse(path: str) -> list[Op]:
    """Read a stream file into ``(code, id, side, price, qty)`` tuples."""
    ops: list[Op] = []
    append = ops.append
    with open(path) as fh:
        for line in fh:
            parts = line.split()
            if not parts:
                continue
            code = parts[0]
            if code == "L":
                side = BUY if parts[2] == "B" else SELL
                append((LIMIT, int(parts[1]), side, int(parts[3]), int(parts[4])))
            elif code == "M":
                side = BUY if parts[2] == "B" else SELL
                append((MARKET, int(parts[1]), side, 0, int(parts[3])))
            elif code == "C":
                append((CANCEL, int(parts[1]), 0, 0, 0))
            else:
                raise ValueError(f"unknown operation {line.strip()!r}")
    return ops


def run_perpgame(ops: list[Op]) -> tuple[float, dict[str, int]]:
    """Replay into a fresh OrderBook; return (seconds, figures)."""
    book = OrderBook()
    submit = book.submit
    cancel = book.cancel
    market = OrderType.MARKET
    fills = 0
    start = time.perf_counter()
    for code, oid, side, price, qty in ops:
        if code == LIMIT:
            fills += len(submit(oid, oid, side, qty, price).fills)
        elif code == CANCEL:
            cancel(oid)
        else:
            fills += len(submit(oid, oid, side, qty, None, market).fills)
    seconds = time.perf_counter() - start
    return seconds, {"fills": fills, "resting": len(book)}


# -- rivals -----------------------------------------------------------------------------------


def run_lobby(ops: list[Op]) -> tuple[float, dict[str, int]]:
    """lobby 0.1.3: quotes are dicts; a cancel needs the side, so the adapter remembers it."""
    from lobby.orderbook import OrderBook as LobbyBook

    book = LobbyBook(price_digits=0)  # integer prices pass through clipPrice unchanged
    process = book.processOrder
    cancel = book.cancelOrder
    names = {BUY: "bid", SELL: "ask"}
    side_of: dict[int, str] = {}
    fills = 0
    start = time.perf_counter()
    for t, (code, oid, side, price, qty) in enumerate(ops):
        if code == LIMIT:
            name = names[side]
            side_of[oid] = name
            quote = {
                "type": "limit",
                "side": name,
                "qty": qty,
                "price": price,
                "tid": oid,
                "idNum": oid,
                "timestamp": t,
            }
            fills += len(process(quote, True, False)[0])
        elif code == CANCEL:
            cancel(side_of.pop(oid), oid, t + 1)  # time must be truthy
        else:
            quote = {"type": "market", "side": names[side], "qty": qty, "tid": oid, "timestamp": t}
            fills += len(process(quote, True, False)[0])
    seconds = time.perf_counter() - start
    return seconds, {"fills": fills, "resting": len(book.bids) + len(book.asks)}


def run_fastlob(ops: list[Op]) -> tuple[float, dict[str, int]]:
    """fastlob 0.0.24: Decimal prices and its own string ids; a market order is a GTC limit at an
    extreme price whose unfilled remainder (fastlob rests it) is cancelled at once.

    fastlob has a bug this stream hits: a maker filled whole inside a level (``engine.
    fill_whole_orders``) leaves the queue but keeps a live status, so cancelling it later raises
    KeyError (its level is gone) or miscounts its level. The adapter counts those and goes on;
    the timing stays representative but its book drifts from the true one.
    """
    import logging

    from fastlob import Orderbook, OrderParams, OrderSide, ResultType

    logging.disable(logging.CRITICAL)  # it logs a warning for every cancel of a gone order
    book = Orderbook("bench", start=True)  # start=True also starts its GTD-expiry thread
    try:
        sides = {BUY: OrderSide.BID, SELL: OrderSide.ASK}
        extreme = {BUY: 10**10, SELL: 1}
        id_of: dict[int, str] = {}
        matched = errors = 0
        process, cancel = book.process, book.cancel
        partial = ResultType.PARTIAL_MARKET
        start = time.perf_counter()
        for code, oid, side, price, qty in ops:
            if code == LIMIT:
                result = process(OrderParams(sides[side], price, qty))
                id_of[oid] = result.orderid()
                matched += result.n_orders_matched()
            elif code == CANCEL:
                fid = id_of.pop(oid, None)
                if fid is not None:
                    try:
                        cancel(fid)
                    except KeyError:
                        errors += 1
            else:
                result = process(OrderParams(sides[side], extreme[side], qty))
                matched += result.n_orders_matched()
                if result.kind() == partial:
                    cancel(result.orderid())
        seconds = time.perf_counter() - start
    finally:
        book.stop()
        logging.disable(logging.NOTSET)
    return seconds, {"whole_fills": matched, "cancel_errors": errors}


def measure(
    name: str, run: Callable[[list[Op]], tuple[float, dict[str, int]]], ops: list[Op], repeat: int
) -> int:
    """Run ``repeat`` times, print each run and the median; return the median ops/s."""
    rates = []
    for i in range(repeat):
        seconds, figures = run(ops)
        rate = len(ops) / seconds
        rates.append(rate)
        shown = " ".join(f"{k}={v}" for k, v in figures.items())
        print(f"{name} run {i + 1}: ops={len(ops)} {shown} seconds={seconds:.3f} ops/s={rate:,.0f}")
    return int(statistics.median(rates))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stream", help="a file written by orderstream.py")
    parser.add_argument("--repeat", type=int, default=1, help="runs per book (median reported)")
    parser.add_argument("--rivals", action="store_true", help="also time lobby and fastlob")
    args = parser.parse_args()

    ops = parse(args.stream)
    counts = {c: 0 for c in (LIMIT, MARKET, CANCEL)}
    for op in ops:
        counts[op[0]] += 1
    print(
        f"stream: {len(ops)} ops ({counts[LIMIT]} limit, {counts[MARKET]} market,"
        f" {counts[CANCEL]} cancel)"
    )

    if args.rivals:
        for name, run in (("lobby", run_lobby), ("fastlob", run_fastlob)):
            try:
                __import__(name)
            except ImportError:
                print(f"{name}: not installed, skipped")
                continue
            rate = measure(name, run, ops, args.repeat)
            print(f"{name} ops_per_s: {rate}")

    rate = measure("perpgame", run_perpgame, ops, args.repeat)
    print(f"perpgame ops_per_s: {rate}")


if __name__ == "__main__":
    main()
