"""Text every screen shows the same way: a level's clock, stars, difficulty, lesson and goals,
signed cash, a player's input in words, and the keys of a screen for the help page."""

from __future__ import annotations

import re

from textual.binding import Binding
from textual.content import Content

from perpgame.level import Level
from perpgame.session import PlayerInput
from perpgame.session.numbers import BUY, format_cash, format_coin, format_price

MUTED = "$foreground-muted"
"""Secondary text. (``$text-muted`` is ``auto 60%``, which Content styles cannot resolve.)"""


def clock(tick: int, tick_ms: int) -> str:
    """Game time of ``tick`` as ``m:ss``."""
    seconds = tick * tick_ms // 1000
    return f"{seconds // 60}:{seconds % 60:02d}"


def seconds_clock(ms: int) -> str:
    seconds = ms // 1000
    return f"{seconds // 60}:{seconds % 60:02d}"


def stars_text(stars: int, *, out_of: int = 3, muted: bool = False) -> Content:
    """``★★☆``: filled stars earned, hollow ones not (readable without colour)."""
    filled = "★" * max(0, min(stars, out_of))
    empty = "☆" * (out_of - len(filled))
    return Content.assemble((filled, "$text-warning bold"), (empty, MUTED if muted else ""))


def difficulty_text(level: Level) -> Content:
    n = level.meta.difficulty
    return Content.assemble(("●" * n, "$text-accent"), ("○" * (5 - n), MUTED))


_ITEM = re.compile(r"(\d+[.)]|[-*•])\s")


def lesson_text(level: Level) -> str:
    """The lesson reflowed: lines of a paragraph are joined, but list items keep their own lines.

    A line starting ``1.``, ``-``, ``*`` or ``•`` starts an item; an indented line continues it.
    """
    paragraphs = []
    for block in level.meta.lesson.strip().split("\n\n"):
        lines: list[str] = []
        in_item = False
        for raw in block.splitlines():
            line = " ".join(raw.split())
            if not line:
                continue
            if _ITEM.match(line):
                lines.append(line)
                in_item = True
            elif in_item and not raw[:1].isspace():
                lines.append(line)
                in_item = False
            elif lines:
                lines[-1] += " " + line
            else:
                lines.append(line)
        if lines:
            paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs)


def signed_cash(amount: int) -> str:
    return ("+" if amount > 0 else "") + format_cash(amount)


_METRIC = re.compile(r"\b(player_|vault_)?([a-z]+(?:_[a-z]+)*)\b")


def goal_text(label: str) -> str:
    """A goal as a sentence: a written ``text`` stays, a bare condition is made readable.

    ``player_filled_liquidations >= 0.5`` -> ``your filled liquidations >= 0.5``.
    """
    if "_" not in label:
        return label

    def word(m: re.Match[str]) -> str:
        owner = {"player_": "your ", "vault_": "the vault's "}.get(m.group(1) or "", "")
        return owner + m.group(2).replace("_", " ").replace("pnl", "PnL")

    return _METRIC.sub(word, label)


def objectives_text(level: Level) -> Content:
    """To win / you lose if / stars, as the player reads them before playing."""
    return Content("\n").join([goals_text(level), Content(""), stars_list(level)])


def goals_text(level: Level) -> Content:
    """To win / you lose if, as the player reads them before playing."""
    o = level.objectives
    limit = seconds_clock(o.time_limit_ms)
    win = [goal_text(g.label) for g in o.win]
    if o.survive:
        win.append(f"Survive until {limit}")
    lose = [goal_text(g.label) for g in o.lose]
    if not o.survive:
        lose.append(f"Time runs out ({limit})")
    lines: list[Content] = [Content.styled("To win", "bold $text-success")]
    lines += [Content.assemble(("  ☐ ", "$text-success"), text) for text in win]
    if lose:
        lines += [Content(""), Content.styled("You lose if", "bold $text-error")]
        lines += [Content.assemble(("  × ", "$text-error"), text) for text in lose]
    return Content("\n").join(lines)


def star_labels(level: Level) -> list[str]:
    """The level's stars as the player reads them, first to last: the one list the briefing, the
    levels screen and the debrief all show (winning is the first star)."""
    return ["Win the level", *(goal_text(g.label) for g in level.objectives.stars)]


def stars_list(level: Level) -> Content:
    """``Stars`` and one ``★`` line per star, as the briefing shows them before playing."""
    lines = [Content.styled("Stars", "bold $text-warning")]
    lines += [Content.assemble(("  ★ ", "$text-warning"), text) for text in star_labels(level)]
    return Content("\n").join(lines)


def describe(action: PlayerInput, base: str = "coin") -> str:
    """A player action in words: ``market buy 0.2 BTC``, ``limit sell 0.1 BTC @ 60,025.00``."""
    kind = action.kind
    if kind == "order":
        side = "buy" if action.side == BUY else "sell"
        text = f"{side} {format_coin(action.qty)} {base}"
        text = f"limit {text} @ {format_price(action.price)}" if action.price else f"market {text}"
        if action.leverage is not None:
            text += f" at {action.leverage}x"
        return text + (" reduce-only" if action.reduce_only else "")
    if kind == "close":
        return "close the position" + (f" @ {format_price(action.price)}" if action.price else "")
    if kind == "cancel_all":
        return "cancel all orders"
    if kind == "cancel":
        return f"cancel order #{action.order_id}"
    if kind == "leverage":
        return f"leverage {action.leverage}x"
    if kind == "add_margin":
        return f"add {format_cash(action.amount)} margin"
    if kind == "remove_margin":
        return f"remove {format_cash(action.amount)} margin"
    return kind


def key_help(app, bindings) -> list[tuple[str, str, str]]:
    """(group, keys, what it does) for every binding, in the order they are declared."""
    rows: list[tuple[str, str, str]] = []
    for binding in bindings:
        keys = [k.strip() for k in binding.key.split(",")]
        shown = " / ".join(
            binding.key_display
            if (binding.key_display and i == 0)
            else app.get_key_display(Binding(k, ""))
            for i, k in enumerate(keys)
        )
        group = binding.group.description if binding.group else ""
        rows.append((group, shown, binding.tooltip or binding.description))
    return rows


def money_style(amount: int) -> str:
    """Gains green, losses red, zero plain (bold)."""
    return "$text-success bold" if amount > 0 else "$text-error bold" if amount < 0 else ""
