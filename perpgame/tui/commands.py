"""The command palette (Ctrl+P): the levels, the demo, why?, help and the panel views, by name.

A Textual ``Provider``: what it offers depends on where the player is. On a game screen: why?,
help, pause and the three views (trade, market, tape); everywhere: every unlocked level (its
briefing opens), the demo and the levels list.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from perpgame.tui.campaign import Campaign
from perpgame.tui.messages import OpenBriefing, OpenLevels, ShowHelp, StartDemo

HELP_TEXT = "how the game works and every key"
DEMO_TEXT = "the autopilot plays a level to win it"


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
        campaign = getattr(app, "campaign", None)
        if not isinstance(campaign, Campaign):  # an app of another kind (a test's, the bench's)
            return out
        if not isinstance(screen, GameScreen):
            out.append(("Help", partial(app.post_message, ShowHelp()), HELP_TEXT))
        out.append(("Levels", partial(app.post_message, OpenLevels()), "the curriculum, in order"))
        out.append(("Demo", partial(app.post_message, StartDemo()), DEMO_TEXT))
        for level in campaign.levels:
            if campaign.is_unlocked(level):
                open_it = partial(app.post_message, OpenBriefing(level))
                out.append((f"Level: {level.title}", open_it, level.meta.summary))
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
