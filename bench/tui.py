"""The game screen under load: 200 traders through a crash at 10x, headless.

Usage: python bench/tui.py [--level PATH] [--game-seconds 30] [--speed 10] [--size 120x40]

Plays the level (by default a 200-trader crash written below: 10 market makers, 69 noise, 40
momentum, 40 degenerate, 30 dip buyers, 10 arbitrageurs, 1 whale) on a GameScreen in
``App.run_test`` for the given game time, pressing a key every quarter second, and prints:

* ``frames``: repaints of the Order Book (it changes every tick) and of all panels, per second;
* ``worst_key_latency_ms``: from a key press until the screen has drawn its effect (the order
  size on the ticket line);
* ``worst_step_ms``: the longest single engine step (it runs on the UI's event loop);
* ``worst_paint_ms``: the longest rebuild of the panels from a snapshot;
* ``rss_mb``: peak resident memory;
* ``first_frame_s``: from launching a fresh ``python`` process until the game screen's first paint.

Goals: at least 10 frames a second, keys under 100 ms, under 150 MB, first frame under 1 s.
"""

from __future__ import annotations

import time

LAUNCHED = time.time()  # before anything heavy is imported: the first-frame clock starts here

import argparse  # noqa: E402
import asyncio  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HEAVY = """
[meta]
id = "bench-200"
title = "Bench: 200 traders through a crash"
lesson = "Two hundred traders, a whale and a crash: every panel busy at once."

[market]
start_price = "60000"
max_leverage = 50
maintenance = "1%"

[vault]
cash = "150000"

[player]
cash = "20000"
leverage = 5

[[traders]]
archetype = "market_maker"
count = 10
cash = ["300000", "500000"]
params = { levels = 12, size = 3000, spread_bps = 6, pull_vol_bps = 300, pull_loss_bps = 1500 }

[[traders]]
archetype = "noise"
count = 69
cash = ["5000", "20000"]

[[traders]]
archetype = "momentum"
count = 40
cash = ["5000", "20000"]

[[traders]]
archetype = "degenerate"
count = 40
cash = ["1000", "3000"]
leverage = [25, 50]

[[traders]]
archetype = "dip_buyer"
count = 30
cash = ["2000", "5000"]

[[traders]]
archetype = "arbitrageur"
count = 10
cash = ["100000", "200000"]

[[traders]]
archetype = "whale"
count = 1
cash = ["2000000", "2000000"]
params = { side = "sell", qty = 300000, at_tick = 20, ticks = 20 }

[oracle]
volatility = "0.03%"

[[timeline]]
at = 20
do = "move"
change = "-10%"
ticks = 25

[objectives]
time_limit = 120
survive = true
"""


def make_session(level_path: str | None, seed: int):
    from perpgame.level.loader import load_level, load_level_text
    from perpgame.session import GameSession

    level = load_level(level_path) if level_path else load_level_text(HEAVY, "<bench-200>")
    return GameSession(level, seed)


def make_app(session, speed: int, paused: bool, on_first_paint=None):
    from tests.tui.harness import GameApp

    class BenchApp(GameApp):
        def on_mount(self) -> None:
            super().on_mount()
            if on_first_paint is not None:
                self.set_interval(0.002, self._watch)

        def _watch(self) -> None:
            if self.game.book.paints:
                on_first_paint()
                self.exit()

    return BenchApp(session, speed=speed, paused=paused)


def first_frame(level_path: str | None, seed: int) -> None:
    """Child mode: launch the screen for real (a terminal driver, no pilot) and report."""
    session = make_session(level_path, seed)

    def painted() -> None:
        print(f"FIRST_FRAME {time.time():.6f}", flush=True)

    make_app(session, 1, True, on_first_paint=painted).run(headless=True)


def measure_first_frame(level_path: str | None, seed: int) -> float:
    cmd = [sys.executable, __file__, "--first-frame", "--seed", str(seed)]
    if level_path:
        cmd += ["--level", level_path]
    start = time.time()
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=60, cwd=ROOT)
    for line in out.stdout.splitlines():
        if line.startswith("FIRST_FRAME "):
            return float(line.split()[1]) - start
    raise RuntimeError(f"no first frame reported:\n{out.stdout}\n{out.stderr}")


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def play(args) -> dict[str, float]:
    session = make_session(args.level, args.seed)
    worst_step = 0.0
    step = session.step

    def timed_step() -> bool:
        nonlocal worst_step
        t0 = time.perf_counter()
        try:
            return step()
        finally:
            worst_step = max(worst_step, time.perf_counter() - t0)

    session.step = timed_step  # measure each engine step where the screen calls it
    app = make_app(session, args.speed, False)
    width, height = (int(n) for n in args.size.split("x"))
    latencies: list[float] = []
    async with app.run_test(size=(width, height)) as pilot:
        await pilot.pause()
        screen = app.game
        panels = screen.panels
        worst_paint = 0.0
        paint = screen._paint

        def timed_paint() -> None:
            nonlocal worst_paint
            t0 = time.perf_counter()
            paint()
            worst_paint = max(worst_paint, time.perf_counter() - t0)

        screen._paint = timed_paint  # the panels' rebuild from a snapshot, once per repaint
        book_start = screen.book.paints
        all_start = sum(p.paints for p in panels)
        tick_start = session.tick
        wall_start = time.perf_counter()
        target = session.seconds + args.game_seconds
        keys = ("plus", "minus")
        presses = 0
        while session.seconds < target and session.status == "playing":
            await asyncio.sleep(0.25)
            # A key, then wait until the ticket line shows the new size and has been drawn.
            line = screen.ticket_line
            before_text = line.plain_lines()[0]
            before_paints = line.paints
            t0 = time.perf_counter()
            app.simulate_key(keys[presses % 2])
            presses += 1
            while time.perf_counter() - t0 < 2:
                if line.plain_lines()[0] != before_text and line.paints > before_paints:
                    break
                await asyncio.sleep(0.0005)
            latencies.append(time.perf_counter() - t0)
        wall = time.perf_counter() - wall_start
        book_frames = screen.book.paints - book_start
        all_frames = sum(p.paints for p in panels) - all_start
        ticks = session.tick - tick_start
    return {
        "wall_s": wall,
        "ticks": ticks,
        "game_s": ticks * session.level.tick_ms / 1000,
        "book_frames": book_frames,
        "fps": book_frames / wall,
        "panel_paints": all_frames,
        "keys": len(latencies),
        "worst_key_ms": max(latencies) * 1000 if latencies else 0.0,
        "median_key_ms": sorted(latencies)[len(latencies) // 2] * 1000 if latencies else 0.0,
        "worst_step_ms": worst_step * 1000,
        "worst_paint_ms": worst_paint * 1000,
        "rss_mb": rss_mb(),
        "traders": len(session.bots),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--level", default=None, help="a level file (default: the 200-trader crash)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--game-seconds", type=float, default=30.0)
    p.add_argument("--speed", type=int, default=10, choices=(1, 2, 5, 10))
    p.add_argument("--size", default="120x40")
    p.add_argument("--first-frame", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.first_frame:
        first_frame(args.level, args.seed)
        return
    r = asyncio.run(play(args))
    first = measure_first_frame(args.level, args.seed)
    print(
        f"level: {args.level or '<bench-200>'} ({r['traders']} bots with the vault's), {args.speed}x"
    )
    print(f"played: {r['ticks']} ticks = {r['game_s']:.1f} game-seconds in {r['wall_s']:.2f} s")
    print(f"frames: {r['book_frames']} book repaints = {r['fps']:.1f} per second (goal >= 10)")
    print(f"panel_paints: {r['panel_paints']} (all panels, each only when it changed)")
    print(f"keys: {r['keys']} presses, median {r['median_key_ms']:.1f} ms")
    print(f"worst_key_latency_ms: {r['worst_key_ms']:.1f} (goal < 100)")
    print(f"worst_step_ms: {r['worst_step_ms']:.1f} (one engine tick, on the UI loop)")
    print(f"worst_paint_ms: {r['worst_paint_ms']:.1f} (panels rebuilt from a snapshot)")
    print(f"rss_mb: {r['rss_mb']:.1f} (goal < 150)")
    print(f"first_frame_s: {first:.2f} (goal < 1)")


if __name__ == "__main__":
    main()
