"""The headless run's report: one JSON-able dict (``perpgame sim --json``) and a readable summary."""

from __future__ import annotations

from typing import TYPE_CHECKING

from perpgame.engine.units import CASH_SCALE, format_cash, format_price, format_qty
from perpgame.session.views import money_table, pinned_cents, your_row

if TYPE_CHECKING:
    from perpgame.session.game import GameSession

REPORTED_EVENTS = ("liquidation", "backstop", "deleverage", "bad_debt", "haircut")
CENT = CASH_SCALE // 100


def money(session: GameSession) -> dict:
    """Where the money went, the debrief's table: one row per group (the vault and the house
    included), each group's change in engine units and in cents (rounded so they still sum to
    zero, the player's row cut toward zero to the cent of the PnL every screen shows), and the
    funding each group paid or received within that change."""
    rows = money_table(session)
    changes = [r.change for r in rows]
    shown = pinned_cents(changes, CENT, your_row(rows, session.role))
    funding_on = session.market.config.funding_interval > 0
    return {
        "rows": [
            {
                "group": r.group,
                "label": r.label,
                "accounts": r.accounts,
                "start": r.start,
                "end": r.end,
                "change": r.change,
                "change_cents": c // CENT,
                **({"funding": r.funding} if funding_on else {}),
            }
            for r, c in zip(rows, shown, strict=True)
        ],
        "total": sum(changes),
        "total_cents": sum(shown) // CENT,
        "funding": (
            {
                "on": True,
                "paid": -sum(v for v in session.funding_by_group.values() if v < 0),
                "by_group": dict(sorted(session.funding_by_group.items())),
            }
            if funding_on
            else {"on": False}
        ),
    }


def report(session: GameSession) -> dict:
    """Everything ``perpgame sim --json`` promises: see docs/levels.md."""
    m = session.market
    mark = m.mark
    events = [e.to_dict() for e in session.waterfall_log if e.type in REPORTED_EVENTS]
    accounts = [
        {
            "id": a.id,
            "name": a.name,
            "kind": a.kind,
            "group": session.groups_of.get(a.id, a.group),
            "cash": a.cash,
            "size": a.size,
            "entry": a.entry_price(),
            "cost": a.cost,
            "open_cost": a.open_cost,
            "equity": a.equity(mark),
        }
        for a in m.accounts.values()
    ]
    metrics = session.metrics
    return {
        "level": session.level.id,
        "seed": session.seed,
        "ticks": m.tick,
        "game_seconds": session.seconds,
        "pile_law": {
            "ok": session.pile_ok,
            "checks": session.pile_checks,
            "failure": session.pile_failure or None,
            "pile": m.check_pile().pile,
        },
        "events": events,
        "counts": dict(session.counts),
        "accounts": accounts,
        "player": {
            "id": session.player.id,
            "role": session.role,
            "equity": metrics["player_equity"],
            "pnl": metrics["player_pnl"],
            "size": metrics["player_size"],
            "liquidations": metrics["player_liquidations"],
            "deleverages": metrics["player_deleverages"],
            "actions": len(session.input_log),
        },
        "objectives": {
            "won": session.status == "won",
            "status": session.status,
            "reason": session.end_reason,
            "stars": session.stars,
        },
        "money": money(session),
        "mark": mark,
        "index": m.index,
        "state_hash": session.state_hash(),
    }


def summary(session: GameSession) -> str:
    """The same run for people."""
    r = report(session)
    p = r["player"]
    lines = [
        f"{session.level.title} ({r['level']}), seed {r['seed']}",
        f"  {r['ticks']} ticks = {r['game_seconds']:g} game seconds; "
        f"index {format_price(r['index'])}, mark {format_price(r['mark'])}",
        f"  result: {r['objectives']['status'].upper()}"
        + (f" ({r['objectives']['reason']})" if r["objectives"]["reason"] else "")
        + (f", {r['objectives']['stars']}/3 stars" if r["objectives"]["won"] else ""),
        f"  waterfall: {r['counts']['liquidation']} liquidations, {r['counts']['backstop']} "
        f"backstops, {r['counts']['deleverage']} deleverages",
        f"  you ({p['role']}): equity {format_cash(p['equity'])}, PnL {format_cash(p['pnl'])}, "
        f"position {format_qty(p['size'])}, liquidated {p['liquidations']}x, "
        f"deleveraged {p['deleverages']}x",
        f"  pile law: {'holds' if r['pile_law']['ok'] else 'BROKEN'} on all "
        f"{r['pile_law']['checks']} ticks; pile {format_cash(r['pile_law']['pile'])}",
        f"  state hash: {r['state_hash']}",
    ]
    return "\n".join(lines)
