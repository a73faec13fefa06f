"""The game screen's keys: every binding (the footer, the help page and the palette read them),
the order sizes and leverage steps they step through, and which of them trade."""

from __future__ import annotations

from textual.binding import Binding, BindingType

from perpgame.level.schema import GAME_SPEEDS

SPEEDS = GAME_SPEEDS
SIZE_STEPS = (10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000)
"""Order sizes in lots (10,000 lots = 1 coin)."""
LEVERAGE_STEPS = (1, 2, 3, 5, 10, 15, 20, 25, 30, 40, 50, 75, 100, 125)
TRADING = frozenset(
    {"market", "limit", "cursor", "recentre", "size", "leverage", "cancel_all", "close", "margin"}
    | {"order_line"}
)
"""The actions that place, change or aim orders: off while watching a replay or the autopilot."""


def capped_speed(speed: int, fastest: int) -> tuple[int, str]:
    """The speed a key asks for, at most the level's ``max_speed``, and what the order line says
    when it is capped: on a timing level the moment to act passes too fast at 10x."""
    if speed <= fastest:
        return speed, ""
    return fastest, f"{speed}x is too fast to act in time here: this level plays at most {fastest}x"


_MARKET = Binding.Group("Market")
_LIMIT = Binding.Group("Limit")
_PRICE = Binding.Group("Price ▶")
_SIZE = Binding.Group("Size")
_LEV = Binding.Group("Lev set")
_MARGIN = Binding.Group("Margin")
_SPEED = Binding.Group("Speed")


def _b(
    keys: str,
    action: str,
    label: str,
    what: str,
    *,
    group=None,
    show=True,
    key_display=None,
    priority=False,
):
    return Binding(
        keys,
        action,
        label,
        show=show,
        group=group,
        tooltip=what,
        key_display=key_display,
        priority=priority,
    )


GAME_KEYS: list[BindingType] = [
    # The footer shows the keys a newcomer needs, in this order, so that at 80 columns it
    # keeps Why?, Order and Quit; the rest is on the ticket line and in help (?).
    _b("question_mark,f1", "help", "Help", "Pause and show every key", key_display="?"),
    _b("b", "market(1)", "buy", "Market buy the order size now", group=_MARKET),
    _b("s", "market(-1)", "sell", "Market sell the order size now", group=_MARKET),
    _b("space,p", "pause", "Pause", "Pause or resume the game", key_display="space"),
    _b("w", "why", "Why?", "Explain the last thing that happened to you, with its numbers"),
    # priority: the app runs it in turn with the keys it reads, so a burst (a paste, fast typing)
    # after : reaches the line; otherwise the keys behind : were routed before the line had focus
    _b(
        "colon,slash",
        "order_line",
        "Order",
        "Type an order: b 0.5 x10, s 1 @ 61000, close",
        priority=True,
    ),
    _b("x", "close", "Close", "Close your whole position at market"),
    _b("c", "cancel_all", "Cancel", "Cancel all your resting orders"),
    _b(
        "v",
        "view",
        "View",
        "Next view on a small screen: trade; market (Chart of mark vs index, Waterfall); tape",
    ),
    _b("q", "quit", "Quit", "Leave the level (asks first; it can be resumed)"),
    _b("B", "limit(1)", "buy", "Limit buy the order size at the ▶ price", group=_LIMIT),
    _b("S", "limit(-1)", "sell", "Limit sell the order size at the ▶ price", group=_LIMIT),
    _b("up", "cursor(1)", "up", "Move the ▶ price cursor one row up", group=_PRICE, show=False),
    _b("down", "cursor(-1)", "down", "Move it one row down", group=_PRICE, show=False),
    _b("pageup", "cursor(10)", "", "Move the ▶ cursor ten rows up", group=_PRICE, show=False),
    _b("pagedown", "cursor(-10)", "", "Move it ten rows down", group=_PRICE, show=False),
    _b("home", "recentre", "", "Back to the best bid, following it", group=_PRICE, show=False),
    _b(
        "plus,equals_sign",
        "size(1)",
        "more",
        "Bigger order size",
        group=_SIZE,
        key_display="+",
        show=False,
    ),
    _b("minus", "size(-1)", "less", "Smaller order size", group=_SIZE, show=False),
    _b(
        "right_square_bracket",
        "leverage(1)",
        "up",
        "Raise the leverage setting (x): an order puts up its value / x as margin",
        group=_LEV,
        show=False,
    ),
    _b(
        "left_square_bracket",
        "leverage(-1)",
        "down",
        "Lower it (next tick). Actual leverage is position value / equity",
        group=_LEV,
        show=False,
    ),
    _b("m", "margin(1)", "add", "Add margin: deposit 10% of your start cash", group=_MARGIN),
    _b("M", "margin(-1)", "remove", "Remove margin: withdraw 10% of it", group=_MARGIN),
    _b("1", "speed(1)", "1x", "Play at normal speed", group=_SPEED, show=False),
    _b("2", "speed(2)", "2x", "Play twice as fast", group=_SPEED, show=False),
    _b("3", "speed(5)", "5x", "Play five times as fast", group=_SPEED, show=False),
    _b("4", "speed(10)", "10x", "Play ten times as fast", group=_SPEED, show=False),
    _b("escape", "escape", "Back", "Leave the order line, hide the why? note", show=False),
]
"""In this order: the footer shows the keys a newcomer needs first."""

__all__ = ["GAME_KEYS", "LEVERAGE_STEPS", "SIZE_STEPS", "SPEEDS", "TRADING"]
