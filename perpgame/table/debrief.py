"""The table's story for people: who paid whom as it happens, and the debrief at the end.

Pure functions of the views in :mod:`perpgame.table.views` (and the session at the end), so the
host prints them and the instructor's screen shows the same sentences.
"""

from __future__ import annotations

from typing import Any

from perpgame.session import GameSession
from perpgame.session.views import group_equity
from perpgame.table.views import UNPLAYED, leaderboard


def money(micro: int) -> str:
    """Micro-dollars as ``-$1,234.56`` (whole cents, rounded toward zero)."""
    sign = "-" if micro < 0 else ""
    cents = abs(micro) // 10_000
    return f"{sign}${cents // 100:,}.{cents % 100:02d}"


def price(cents: int | None) -> str:
    return "—" if cents is None else f"{cents // 100:,}.{cents % 100:02d}"


def coin(lots: int, sign: bool = True) -> str:
    mark = ("-" if lots < 0 else "+" if lots > 0 else " ") if sign else ""
    return f"{mark}{abs(lots) // 10_000}.{abs(lots) % 10_000:04d}"


def who_paid_whom(market: dict[str, Any], seats: set[str]) -> list[str]:
    """This tick's waterfall as sentences, where a seat is on at least one side."""
    lines = []
    liquidated = {w["account"] for w in market["waterfall"] if w["kind"] == "liquidation"}
    tick = market["tick"]
    for fill in market["tape"]:
        if not fill["liquidation"]:
            continue
        loser = fill["seller"] if fill["seller"] in liquidated else fill["buyer"]
        taker = fill["buyer"] if loser == fill["seller"] else fill["seller"]
        side = "bid" if loser == fill["seller"] else "offer"
        if loser not in seats and taker not in seats:
            continue
        lines.append(
            f"{tick}: {loser} liquidated into {taker}'s {side}: "
            f"{coin(fill['qty'], False)} at {price(fill['price'])}"
        )
    for w in market["waterfall"]:
        if w["account"] not in seats and w.get("against") not in seats:
            continue
        if w["kind"] == "deleverage":
            lines.append(
                f"{tick}: {w['account']} deleveraged against {w['against']}: "
                f"{coin(w['qty'], False)} at {price(w['price'])}"
            )
        elif w["kind"] == "backstop":
            lines.append(f"{tick}: the vault took over {w['account']}")
    return lines


def table_debrief(
    session: GameSession, seats: list[str], paid: list[str], names: dict[str, str] | None = None
) -> dict[str, Any]:
    """Where the money went: each seat's result, each group's (seats, bots, vault, house) won or
    lost against what it paid in (the pile's shares; they add up to zero), and who paid whom."""
    equity = group_equity(session)
    result = {g: equity.get(g, 0) - session.paid_in.get(g, 0) for g in session.paid_in}
    unplayed = result.pop("player", 0)  # the level's one player: nobody plays it at a table
    if unplayed or session.level.player.position:
        result[UNPLAYED] = unplayed
    groups = dict(sorted(result.items()))
    board = leaderboard(session, seats, names)
    return {"board": board, "groups": groups, "paid": list(paid)}


def debrief_text(debrief: dict[str, Any], seat: str | None = None) -> str:
    """The debrief as lines of text (for the host's terminal, the instructor's screen and, with
    its row marked ``you``, a ``seat``'s: in front, so the row still fits 80 columns)."""
    out = ["Table debrief", "", "Seats, best first:"]
    for i, row in enumerate(debrief["board"], 1):
        who = f"{row['seat']} {row.get('name', '')}".strip()
        mark = "  " if seat is None else "you  " if row["seat"] == seat else "     "
        out.append(f"{mark}{i:>3}. {who:<30} {money(row['pnl']):>14}  size {coin(row['size'])}")
    out += ["", "Where the money went (won + / lost -, against what each paid in):"]
    for group, result in debrief["groups"].items():
        out.append(f"  {group:<14} {money(result):>14}")
    out += ["", "Who paid whom:"]
    out += [f"  {line}" for line in debrief["paid"]] or ["  nobody at a seat was liquidated"]
    return "\n".join(out)
