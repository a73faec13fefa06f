"""The command palette (Ctrl+P): the levels, the demo, why?, help and the panel views, by name.

A Textual ``Provider``: what it offers depends on where the player is. On a game screen: why?,
help, pause and the three views (trade, market, tape); everywhere: every unlocked level (its
briefing opens), the demo and the levels list.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider


class PerpCommands(Provider):
    """perpgame's own commands for the palette."""

    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        app = self.app
        screen = self.screen
        out: list[tuple[str, Callable[[], object], str]] = []
        from perpgame.tui.screens.game import VIEWS, GameScreen

        if isinstance(screen, GameScreen):
            out.append(("Why?", screen.action_why, "every number of what last happened to you"))
            out.append(("Help", screen.action_help, "every key, the lesson, the order syntax"))
            out.append(("Pause / resume", screen.action_pause, "stop or start the clock"))
            for view in VIEWS:
                out.append((f"View: {view}", partial(screen.show_view, view), f"the {view} panels"))
        elif hasattr(app, "show_help"):
            out.append(("Help", app.show_help, "how the game works and every key"))
        if hasattr(app, "open_levels"):
            out.append(("Levels", app.open_levels, "the curriculum, in order"))
        if hasattr(app, "start_demo"):
            out.append(("Demo", app.start_demo, "the autopilot plays a level to win it"))
        for level in getattr(app, "levels", []):
            if app.is_unlocked(level):
                out.append(
                    (f"Level: {level.title}", partial(app.open_briefing, level), level.meta.summary)
                )
        return out

    async def discover(self) -> Hits:
        for name, run, help_text in self._commands():
            yield DiscoveryHit(name, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, run, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), run, help=help_text)


__all__ = ["PerpCommands"]
