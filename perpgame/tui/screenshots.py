"""``perpgame screenshots DIR``: play scripted moments of the game through Pilot and save SVGs.

Each moment is taken at 120x40 and at 80x24 with a fixed seed, in a throwaway saves folder:

* the title and the level select, with the first levels won by their solution files;
* the briefing of the showcase (the demo playlist's last level, else the last curriculum
  level), the game at its start and in the
  middle of its crash (a paused GameScreen moved on with ``advance``), holding a long bought
  at tick 20;
* the debrief of the showcase played by the demo's autopilot (``perpgame.session.autopilot``), and of the first level the autopilot
  gets liquidated in (when there is one).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from textual.pilot import Pilot

from perpgame.level import Level
from perpgame.saves import SaveStore
from perpgame.session import PLAYING, GameSession, PlayerInput
from perpgame.session.autopilot import Autopilot
from perpgame.session.inputs import load_inputs, solution_path
from perpgame.session.numbers import BUY
from perpgame.tui.app import DEFAULT_SEED, PerpGameApp
from perpgame.tui.demo import DEMO_PLAYLIST
from perpgame.tui.screens.briefing import BriefingScreen
from perpgame.tui.screens.debrief import DebriefScreen

SIZES = ((120, 40), (80, 24))
LONG_AT = 20
"""The tick at which the screenshots' player buys."""

Setup = Callable[[PerpGameApp, Pilot], Awaitable[None]]


def play_headless(level: Level, autopilot: Autopilot | None = None, ticks: int | None = None):
    """The level played to its end (or ``ticks``) without a screen, like the game screen would."""
    session = GameSession(level, DEFAULT_SEED)
    solution = solution_path(level) if autopilot is None else None
    if solution is not None:
        session.schedule(load_inputs(solution))
    limit = level.tick_limit if ticks is None else ticks
    while session.status == PLAYING and session.tick < limit:
        if autopilot is not None:
            for action in autopilot(session.frame()):
                session.submit(action)
        session.step()
    return session


def the_long(level: Level) -> PlayerInput:
    """A market buy of about half what the player's starting cash buys at its leverage."""
    p, m = level.player, level.market
    lots = p.cash * (p.leverage or 1) // 2 // m.start_price
    lots = max(m.lot_size, lots - lots % m.lot_size)
    return PlayerInput.order(LONG_AT, BUY, lots)


def crash_tick(level: Level) -> int:
    """A tick in the thick of the level's crash: a few ticks after the waterfall starts."""
    session = GameSession(level, DEFAULT_SEED)
    session.schedule([the_long(level)])
    first = None
    while session.status == PLAYING and session.tick < level.tick_limit - 1:
        session.step()
        if first is None and sum(session.counts.values()):
            first = session.tick
        if first is not None and session.tick >= first + 6:
            return session.tick
    return first + 1 if first is not None else max(1, session.tick // 2)


class Shooter:
    """Takes the moments one app at a time and writes ``NN-name-WxH.svg`` files."""

    def __init__(self, out: Path, saves: Path, levels_dir: Path | None = None) -> None:
        self.out = out
        self.saves = saves
        self.levels_dir = levels_dir
        self.written: list[Path] = []
        self.count = 0

    def app(self) -> PerpGameApp:
        store = SaveStore(self.saves, levels_folder=self.levels_dir)
        return PerpGameApp(
            levels_dir=self.levels_dir,
            store=store,
            seed=DEFAULT_SEED,
            game_options={"paused": True},
        )

    async def shoot(self, name: str, setup: Setup) -> None:
        self.count += 1
        for width, height in SIZES:
            app = self.app()
            async with app.run_test(size=(width, height)) as pilot:
                await pilot.pause()
                await setup(app, pilot)
                await pilot.pause()
                svg = app.export_screenshot(title=f"perpgame: {name}")
            path = self.out / f"{self.count:02d}-{name}-{width}x{height}.svg"
            path.write_text(svg, encoding="utf-8")
            self.written.append(path)


async def _shoot_all(out: Path, levels_dir: Path | None) -> list[Path]:
    with tempfile.TemporaryDirectory(prefix="perpgame-shots-") as tmp:
        shooter = Shooter(out, Path(tmp), levels_dir)
        probe = shooter.app()
        ordered = [lv for lv in probe.campaign.levels if lv.meta.order > 0]
        if not ordered:
            raise SystemExit("no levels to take pictures of")
        # the demo's showcase (the big crash), not whatever level happens to come last
        showcase = next((lv for lv in ordered if lv.id == DEMO_PLAYLIST[-1]), ordered[-1])
        store = probe.store
        for level in ordered[: max(0, len(ordered) - 2)]:
            if solution_path(level) is not None:
                store.record_result(play_headless(level))

        async def title(app: PerpGameApp, pilot: Pilot) -> None:
            pass

        async def levels(app: PerpGameApp, pilot: Pilot) -> None:
            await pilot.press("l")

        async def briefing(app: PerpGameApp, pilot: Pilot) -> None:
            app.push_screen(BriefingScreen(showcase))

        def game_at(ticks: int) -> Setup:
            async def setup(app: PerpGameApp, pilot: Pilot) -> None:
                session = GameSession(showcase, DEFAULT_SEED)
                session.schedule([the_long(showcase)])
                app.start_game(session)
                await pilot.pause()
                if ticks:
                    app.screen.advance(ticks)  # type: ignore[attr-defined]

            return setup

        def debrief_of(session: GameSession) -> Setup:
            async def setup(app: PerpGameApp, pilot: Pilot) -> None:
                app.push_screen(
                    DebriefScreen(session, next_level=app.campaign.next_level(session.level))
                )

            return setup

        await shooter.shoot("title", title)
        await shooter.shoot("levels", levels)
        await shooter.shoot("briefing", briefing)
        await shooter.shoot("game-start", game_at(0))
        await shooter.shoot("game-crash", game_at(crash_tick(showcase)))
        await shooter.shoot("debrief", debrief_of(play_headless(showcase, Autopilot(showcase))))
        for level in ordered:
            session = play_headless(level, Autopilot(level))
            if session.player_counts["liquidation"]:
                await shooter.shoot("debrief-liquidated", debrief_of(session))
                break
        return shooter.written


def main(out_dir: str | Path, levels_dir: Path | None = None) -> int:
    """Write the screenshots into ``out_dir`` (created if needed); 0 when all were taken."""
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        print(f"perpgame screenshots: cannot create {out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    written = asyncio.run(_shoot_all(out, levels_dir))
    for path in written:
        print(path)
    return 0
