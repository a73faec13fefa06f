"""The debrief: what happened to you, where the money went, the stars, and where to go next.

Everything here is read from the finished GameSession: the price chart and the waterfall's markers
make the timeline, ``player_stories`` say what touched the player, and ``group_history`` (equity
of each group of accounts, every tick) shows the cash that moved between the groups.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Footer, Static

from perpgame.level import Level
from perpgame.session import WON, GameSession
from perpgame.session.debrief import adl_hits, player_mark, timeline_entries
from perpgame.session.numbers import format_cash, format_coin
from perpgame.session.policy_pick import crash_tick
from perpgame.tui import messages
from perpgame.tui.screens.briefing import KeyButton
from perpgame.tui.text import (
    MUTED,
    clock,
    goal_text,
    money_style,
    signed_cash,
    star_labels,
    stars_text,
)
from perpgame.tui.widgets.event_list import EventList
from perpgame.tui.widgets.legend import Legend
from perpgame.tui.widgets.money_flow import MoneyFlow
from perpgame.tui.widgets.timeline import PLAYER_STYLES, STAGE_MARKS, Timeline

MAX_EVENTS = 200
ADL_HINT = "winners were auto-deleveraged. Press p to replay this game under every ADL rule."


def pile_caption(session: GameSession) -> Content:
    """The pile at the start and the end: money moved, none was made."""
    history = session.group_history
    start = sum(history[0][1].values()) if history else 0
    end = sum(history[-1][1].values()) if history else 0
    fresh = end - start
    if fresh == 0:
        return Content.assemble(
            f"The pile held {format_cash(start, places=0)} at the start and at the end: ",
            ("every gain above is someone else's loss.", MUTED),
        )
    moved = (
        f"{format_cash(fresh)} of fresh cash came in (new traders, deposits)"
        if fresh > 0
        else f"{format_cash(-fresh)} was taken out (withdrawals)"
    )
    return Content.assemble(
        f"The pile went from {format_cash(start, places=0)} to {format_cash(end, places=0)}: ",
        (f"{moved}; every gain above is someone else's loss.", MUTED),
    )


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


# ---------------------------------------------------------------------------------- the screen
class DebriefScreen(Screen[None]):
    """After a level: the story of the game and the choices that follow it."""

    AUTO_FOCUS = "#debrief-body"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "next", "Next level"),
        Binding("r", "retry", "Retry"),
        Binding("l", "levels", "Levels"),
        Binding("v", "watch_replay", "Watch replay"),
        Binding("p", "compare", "Who pays?", show=False),
        Binding("escape", "levels", "Levels", show=False),
        Binding("enter", "default", "Go on", show=False),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(
        self,
        session: GameSession,
        *,
        next_level: Level | None = None,
        replay: Path | None = None,
        watched: str = "",
    ) -> None:
        super().__init__(classes="-won" if session.status == WON else "-lost")
        self.session = session
        self.next_level = next_level if session.status == WON else None
        self.replay = replay
        self.entries = timeline_entries(session)
        self.watched = watched
        """"Demo" or "Replay" when the game was not the player's (not recorded); else ""."""

    def compose(self) -> ComposeResult:
        s = self.session
        with Vertical(id="debrief-page"):
            yield Static(self._banner(), id="debrief-banner")
            with VerticalScroll(id="debrief-body"):
                yield Static(self._summary(), id="debrief-summary")
                with Horizontal(id="debrief-columns"):
                    with Vertical(id="debrief-left"):  # the money first: above the fold at 80x24
                        yield Static("Where the money went", classes="section-title")
                        yield MoneyFlow(s, id="debrief-money")
                        yield Static(pile_caption(s), id="debrief-pile")
                        yield Static("What happened", classes="section-title")
                        yield Timeline(s, self.entries, id="debrief-timeline")
                        yield Legend(id="debrief-legend")
                    with Vertical(id="debrief-right"):
                        yield Static("What happened to you", classes="section-title")
                        yield EventList(self._events(), id="debrief-events")
            with Horizontal(classes="button-row"):
                if self.watched:
                    yield KeyButton("Watch again", "r", id="retry", variant="primary")
                    yield KeyButton("Title", "esc", id="levels")
                else:
                    if self.next_level is not None:
                        label = f"Next: {self.next_level.title}"
                        yield KeyButton(label, "n", id="next", variant="success")
                    retry_variant = "default" if self.next_level is not None else "primary"
                    yield KeyButton("Retry", "r", id="retry", variant=retry_variant)
                    if self.replay is not None:
                        yield KeyButton("Watch replay", "v", id="watch-replay")
                    yield KeyButton("Levels", "l", id="levels")
        yield Footer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next":
            return self.next_level is not None and not self.watched
        if action == "watch_replay":
            return self.replay is not None and not self.watched
        return True

    # --------------------------------------------------------------- content
    def _banner(self) -> Content:
        s = self.session
        won = s.status == WON
        result = "LEVEL COMPLETE" if won else "LEVEL LOST"
        if self.watched:
            result = f"{self.watched.upper()}: {result}"
        return Content.assemble(
            (f" {result} ", "bold reverse $text-success" if won else "bold reverse $text-error"),
            "  ",
            stars_text(s.stars),
            ("  " + s.level.title, "bold"),
            (f"  ·  {clock(s.tick, s.level.tick_ms)} played", MUTED),
        )

    def _summary(self) -> Content:
        s = self.session
        won = s.status == WON
        reason = goal_text(s.end_reason or ("you won" if won else "the level is over"))
        lines: list[Content] = [
            Content.assemble(
                ("Won: " if won else "Lost: ", "bold $text-success" if won else "bold $text-error"),
                reason[0].upper() + reason[1:] + ".",
            )
        ]
        lines.append(self._you())
        earned = [won] + [won and g.done for g in s.frame().goals if g.kind == "star"]
        stars = [
            Content.assemble(("★ " if got else "☆ ", "$text-warning"), (text, "" if got else MUTED))
            for text, got in zip(star_labels(s.level), earned, strict=True)
        ]
        lines.append(Content.assemble(("Stars: ", "bold"), Content("   ").join(stars)))
        hint = s.level.objectives.hint
        if hint and (not won or s.stars < 3):
            lines.append(Content.assemble(("Hint: ", "bold $text-accent"), hint))
        if crash_tick(s.waterfall_log) is not None:
            lines.append(Content.assemble(("Who pays? ", "bold $text-accent"), ADL_HINT))
        if self.replay is not None:
            lines.append(Content.styled(f"Replay saved: {self.replay}", MUTED))
        return Content("\n").join(lines)

    def _you(self) -> Content:
        """You: PnL · equity · fills · what was caught · what hit you."""
        s = self.session
        m = s.metrics
        pnl = m["player_pnl"]
        parts = [
            Content.assemble("PnL ", (signed_cash(pnl), money_style(pnl))),
            Content(f"equity {format_cash(m['player_equity'])}"),
            Content(_plural(s.player_trades, "fill", "fills")),
        ]
        if s.player_filled_liquidations:
            caught = format_coin(s.player_filled_liquidations)
            parts.append(Content(f"{caught} coin bought from liquidations"))
        hits = [
            (s.player_counts["liquidation"], "liquidated"),
            (s.player_counts["backstop"], "taken over by the vault"),
        ]
        parts += [Content.styled(f"{word} {n}×", "$text-error") for n, word in hits if n]
        parts += [Content.styled(hit, "$text-error") for hit in adl_hits(s)]  # with the rule
        return Content.assemble(("You: ", "bold"), Content(" · ").join(parts))

    def _events(self) -> list[tuple[str, tuple[str, str], str, str]]:
        s = self.session
        entries = self.entries
        lines: list[tuple[str, tuple[str, str], str, str]] = []
        for e in entries[:MAX_EVENTS]:
            when = clock(e.tick, s.level.tick_ms)
            if e.player:
                mark = player_mark(e) or "·"
                lines.append((when, (mark, PLAYER_STYLES.get(mark, "bold")), e.text, ""))
            else:
                mark, style = STAGE_MARKS.get(e.kind, ("·", ""))
                lines.append((when, (mark, style + " bold"), e.text, MUTED))
        if len(entries) > MAX_EVENTS:
            more = f"… and {len(entries) - MAX_EVENTS} more"
            lines.append(("", (" ", ""), more, MUTED))
        if not any(e.player for e in entries):
            lines.append(("", (" ", ""), "You did not trade: nothing touched your account.", ""))
        end = "Level complete" if s.status == WON else "Level over"
        reason = goal_text(s.end_reason)
        lines.append((clock(s.tick, s.level.tick_ms), ("■", "bold"), f"{end}: {reason}.", "bold"))
        return lines

    # --------------------------------------------------------------- actions
    def action_default(self) -> None:
        """Enter: the next level after a win, else try again."""
        if self.next_level is not None and not self.watched:
            self.action_next()
        else:
            self.action_retry()

    @on(Button.Pressed, "#next")
    def action_next(self) -> None:
        if self.next_level is not None and not self.watched:
            self.app.post_message(messages.OpenBriefing(self.next_level))

    @on(Button.Pressed, "#retry")
    def action_retry(self) -> None:
        if self.watched:
            self.app.post_message(messages.WatchAgain())
        else:
            self.app.post_message(messages.PlayLevel(self.session.level))

    @on(Button.Pressed, "#levels")
    def action_levels(self) -> None:
        if self.watched:
            self.app.pop_screen()
        else:
            self.app.post_message(messages.OpenLevels())

    @on(Button.Pressed, "#watch-replay")
    def action_watch_replay(self) -> None:
        """Watch the game just played again, from its replay file (with pause and speed)."""
        from perpgame.saves import ReplayError, read_replay, replay_session

        if self.replay is None or self.watched:
            return
        try:
            replay = read_replay(self.replay)
        except ReplayError as exc:
            self.notify(str(exc), title="Replay", severity="error")
            return
        self.app.post_message(messages.WatchReplay(lambda: replay_session(replay)))

    def action_compare(self) -> None:
        """The same game under every ADL rule (perpgame/tui/screens/compare.py)."""
        from perpgame.tui.screens.compare import CompareScreen

        self.app.push_screen(CompareScreen(self.session))

    def action_help(self) -> None:
        self.app.post_message(messages.ShowHelp())
