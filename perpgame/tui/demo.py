"""The demo (attract mode): its plan, and how the app runs it.

A ``DemoPlan`` (a playlist of levels, a speed, whether to loop) is played by the ``Autopilot`` on
the real game screen, each level followed by its debrief for a few seconds. ``DemoFlow`` is the
app's part of it (a mixin of ``PerpGameApp``: it uses the app's campaign, ``watch`` and screens).
"""

from __future__ import annotations

from dataclasses import dataclass
from time import monotonic

from perpgame.level import Level
from perpgame.session import PLAYING, GameSession
from perpgame.session.autopilot import Autopilot
from perpgame.tui.screens.demo_debrief import DemoDebrief

DEMO_PLAYLIST = ("happy-path", "thin-book", "vault-runs-dry", "the-big-one")
"""What ``perpgame demo`` plays: the waterfall stage by stage, book -> vault -> ADL -> all at once."""
DEMO_SPEED = 5
DEMO_END_SECONDS = 3.0
"""How long a demo level's end notice stays up."""
DEMO_DEBRIEF_SECONDS = 10.0
"""How long a demo level's debrief stays up before the next level."""
IDLE_SECONDS = 120.0
"""With ``--loop``: this long without a key or click, away from a running game, and the demo
comes back."""
DEMO_BANNER = "DEMO{n} · the autopilot is trading at {speed}x — press any key to take over"
TITLE_DEMO_BANNER = "DEMO · the autopilot is trading — press any key to take over"


@dataclass(frozen=True)
class DemoPlan:
    """What ``perpgame demo`` plays, and how."""

    levels: tuple[Level, ...] = ()
    """The playlist (empty: ``DEMO_PLAYLIST`` from the levels folder, else its last level)."""
    speed: int = DEMO_SPEED
    loop: bool = False
    """Start the playlist again after its last level (else the app exits, status 0)."""
    debrief_seconds: float = DEMO_DEBRIEF_SECONDS
    """How long each debrief shows (0: none, straight to the next level)."""
    end_seconds: float = DEMO_END_SECONDS
    idle_seconds: float = IDLE_SECONDS


class DemoFlow:
    """The demo's navigation: the next level, taking over, playing the level shown, stopping."""

    def start_demo(self) -> None:
        """The title's Demo: the autopilot plays the last level once, at the usual speed."""
        level = self.campaign.demo_level()
        if level is None:
            self.notify("There are no levels to demonstrate.", severity="warning")
            return
        self._demo_on = False
        self.watch(
            lambda: GameSession(level, self.play_seed), "Demo", Autopilot, banner=TITLE_DEMO_BANNER
        )

    def demo_playlist(self) -> list[Level]:
        """The demo's levels: the plan's, else ``DEMO_PLAYLIST`` found in the folder, else the last."""
        if self.demo is not None and self.demo.levels:
            return list(self.demo.levels)
        found = [lv for lv in self.campaign.levels if lv.id in DEMO_PLAYLIST]
        if found:
            return found
        last = self.campaign.demo_level()
        return [last] if last is not None else []

    def next_demo(self) -> None:
        """Start the demo's next level (after the last: again with ``loop``, else exit 0)."""
        plan = self.demo or DemoPlan()
        playlist = self.demo_playlist()
        if not playlist:
            self.notify("There are no levels to demonstrate.", severity="error")
            self._demo_on = False
            return
        self._demo_at += 1
        if self._demo_at >= len(playlist):
            if not plan.loop:
                self.exit(0)
                return
            self._demo_at = 0
        level = playlist[self._demo_at]
        self._demo_on = True
        self._taken = None
        self._unwind()
        count = f" {self._demo_at + 1}/{len(playlist)}" if len(playlist) > 1 else ""
        self.watch(
            lambda: GameSession(level, self.play_seed),
            "Demo",
            Autopilot,
            speed=plan.speed,
            end_seconds=plan.end_seconds,
            banner=DEMO_BANNER.format(n=count, speed=plan.speed),
        )

    def take_over(self, session: GameSession) -> None:
        """Called by the game screen: the player has taken the controls of a watched game."""
        if session is self._watched:
            self._watched = None
        self._taken = session
        self._watching = None
        self._demo_on = False
        self._last_input = monotonic()

    def restart_from_demo(self, level: Level) -> None:
        """From the take-over dialog: the visitor plays the demo's level from its start."""
        self._demo_on = False
        self._watching = None
        self._watched = None
        self.call_later(self.play, level)

    def play_from_demo(self, level: Level) -> None:
        """From a demo debrief: the player plays the level just shown, from its start."""
        self._demo_on = False
        self._watching = None
        self.play(level)

    def stop_demo(self) -> None:
        """q in a demo's take-over dialog: ``perpgame demo`` exits; the title's demo goes back."""
        attract = self._demo_on
        self._demo_on = False
        if attract:
            self.exit(0)
        else:
            self._unwind()

    def _idle_check(self) -> None:
        """With ``loop``: bring the demo back when nobody has touched the game for a while."""
        from perpgame.tui.screens.game import GameScreen
        from perpgame.tui.screens.level_end import LevelEnd

        plan = self.demo
        if plan is None or not plan.loop:
            return
        now = monotonic()
        screen = self.screen
        if isinstance(screen, GameScreen):
            moving = not screen.paused
        elif isinstance(screen, DemoDebrief):
            moving = screen.counting
        else:
            moving = isinstance(screen, LevelEnd)
        if moving:  # a game running, or a screen that goes on by itself: not idle
            self._last_input = now
            return
        if now - self._last_input >= plan.idle_seconds:
            self._last_input = now
            self.next_demo()

    def _demo_level_over(self, session: GameSession | None) -> None:
        plan = self.demo or DemoPlan()
        if session is None or session.status == PLAYING:  # q in the take-over dialog
            self.stop_demo()
            return
        if plan.debrief_seconds <= 0:
            self.next_demo()
            return
        playlist = self.demo_playlist()
        following = self._demo_at + 1
        if following < len(playlist) or plan.loop:
            next_title = playlist[following % len(playlist)].title
        else:
            next_title = ""
        self.push_screen(
            DemoDebrief(
                session,
                seconds=plan.debrief_seconds,
                next_title=next_title,
                banner=f"DEMO {self._demo_at + 1}/{len(playlist)}" if len(playlist) > 1 else "",
            )
        )
