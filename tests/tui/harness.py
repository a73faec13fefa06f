"""The one way the TUI tests (and ``bench/tui.py``) boot a game: an app per case, Posting-style.

``GameApp`` pushes one GameScreen (with the real stylesheet) and keeps what it dismissed with and
every autosave; ``perp_app`` makes the whole game on test folders; ``settle`` lets messages run
until a condition holds; ``level`` finds a level of the app's folder by id;
``short_in_adl_queue`` reads the Position panel of a short in the ADL queue.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.app import App
from textual.pilot import Pilot

from perpgame.level import Level
from perpgame.session import GameSession
from perpgame.tui import STYLESHEET
from perpgame.tui.app import DEFAULT_SEED, PerpGameApp
from perpgame.tui.screens.game import GameScreen


class GameApp(App):
    """Pushes one GameScreen and keeps what it dismissed with."""

    CSS_PATH = STYLESHEET

    def __init__(self, session: GameSession, **options: Any) -> None:
        super().__init__()
        self.session = session
        self.options = options
        self.results: list[GameSession] = []
        self.saves: list[int] = []

    def on_mount(self) -> None:
        self.game = GameScreen(self.session, **{"autosave": self.autosave, **self.options})
        self.push_screen(self.game, self.results.append)

    def autosave(self, session: GameSession) -> None:
        self.saves.append(session.tick)


def perp_app(levels_dir: Path, saves_dir: Path, **options: Any) -> PerpGameApp:
    """The whole game on these folders with the default seed (``options`` override)."""
    return PerpGameApp(
        **{"levels_dir": levels_dir, "saves_dir": saves_dir, "seed": DEFAULT_SEED, **options}
    )


async def settle(pilot: Pilot, until: Callable[[], bool] | None = None, tries: int = 20) -> None:
    """Let messages run (until ``until()`` holds, when given)."""
    for _ in range(tries):
        await pilot.pause()
        if until is None or until():
            return
    raise AssertionError("the app did not get there")


def level(app: PerpGameApp, level_id: str) -> Level:
    """The level ``level_id`` of the app's folder (it must be there)."""
    found = app.campaign.find(level_id)
    assert found is not None
    return found


async def short_in_adl_queue(level: Level, size: tuple[int, int]) -> tuple[str, int]:
    """The Position panel's text (and the ADL lights) once a small short on ``level`` has a place
    in the ADL queue (the level must crash within 200 ticks)."""
    from perpgame.session import PlayerInput
    from perpgame.session.numbers import SELL

    app = GameApp(GameSession(level, 1), paused=True)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = app.game
        screen.session.submit(PlayerInput.order(0, SELL, 1000))
        for _ in range(200):
            screen.advance(1)
            if screen.session.frame().position.adl_rank is not None:
                break
        await pilot.pause()
        position = screen.session.frame().position
        assert position.adl_rank is not None
        return " ".join(screen.query_one("#position").plain_lines()), position.adl_lights
