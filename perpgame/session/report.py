"""The headless run's report: one JSON-able dict (``perpgame sim --json``) and a readable summary."""

from __future__ import annotations

from typing import TYPE_CHECKING

from perpgame.engine.units import format_cash, format_price, format_qty

if TYPE_CHECKING:
    from perpgame.session.game import GameSession

REPORTED_EVENTS = ("liquidation", "backstop", "deleverage", "bad_debt", "haircut")


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
