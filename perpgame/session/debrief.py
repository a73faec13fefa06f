"""What the debrief tells of a finished game: where the money went, and what happened when.

Pure functions of a finished :class:`GameSession`: ``money_moves`` (each group's change over the
level, in the pile's order) and ``timeline_entries`` (the player's moments and the first time each
stage of the waterfall ran). The screens draw them; ``crowd_name`` names a group of bots.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from perpgame.session import views
from perpgame.session.frame import MoneyRow
from perpgame.session.game import GameSession
from perpgame.session.rules import rule

CROWD_NAMES = {
    "market_maker": ("market maker", "market makers"),
    "noise": ("noise trader", "noise traders"),
    "momentum": ("momentum trader", "momentum traders"),
    "whale": ("whale", "whales"),
    "arbitrageur": ("arbitrageur", "arbitrageurs"),
    "dip_buyer": ("dip buyer", "dip buyers"),
    "degenerate": ("degenerate", "degenerates"),
}
"""How the screens name a group of bots of one archetype (one, many)."""


def crowd_name(archetype: str, count: int) -> str:
    one, many = CROWD_NAMES.get(archetype, (archetype.replace("_", " "),) * 2)
    return f"{count} {one if count == 1 else many}"


def group_label(group: str, accounts: int, role: str) -> str:
    if group in ("player", "vault", "house", "preset"):
        return views.group_label(group, accounts, role)
    return crowd_name(group, accounts)


def money_moves(session: GameSession) -> list[MoneyRow]:
    """What each group paid into the pile and what it holds at the end, in the pile's order:
    every group, the vault and the house included (the session's money table, also in
    ``sim --json``). Deposits and withdrawals during the level are not gains or losses."""
    return views.money_table(session, label=group_label)


def adl_hits(session: GameSession) -> list[str]:
    """What other traders' bankruptcies took from the player, each with the rule in force when it
    did: ``auto-deleveraged 6× (BitMEX queue 1×, pro rata 5×)``, ``profit cut 3×``. A level can
    change its ADL rule between waves (L11), and a bare count did not say under which."""
    pid = session.player.id
    by_rule: dict[str, int] = {}
    cuts = 0
    for e in session.waterfall_log:
        if e.type == "deleverage" and e.account == pid:
            name = rule(e.policy).short
            by_rule[name] = by_rule.get(name, 0) + 1
        elif e.type == "haircut" and e.account == pid:
            cuts += 1
    hits = []
    if by_rule:
        total = sum(by_rule.values())
        if len(by_rule) == 1:
            hits.append(f"auto-deleveraged {total}× under the {next(iter(by_rule))} rule")
        else:
            each = ", ".join(f"{name} {n}×" for name, n in by_rule.items())
            hits.append(f"auto-deleveraged {total}× ({each})")
    if cuts:
        hits.append(f"profit cut {cuts}× to pay the bankrupt")
    return hits


@dataclass(frozen=True)
class Entry:
    tick: int
    kind: str
    text: str
    player: bool


def _merge_fills(stories: list[Entry]) -> list[Entry]:
    """Fills of one order in one tick, told once: the first, and how many more there were."""
    out: list[Entry] = []
    extra: list[int] = []
    for entry in stories:
        last = out[-1] if out else None
        if (
            last is not None
            and entry.kind == last.kind == "fill"
            and entry.tick == last.tick
            and player_mark(entry) == player_mark(last)
        ):
            extra[-1] += 1
        else:
            out.append(entry)
            extra.append(0)
    return [
        replace(e, text=f"{e.text} And {_more_fills(n)}.") if n else e
        for e, n in zip(out, extra, strict=True)
    ]


def _more_fills(n: int) -> str:
    return f"{n} more fill{'s' if n > 1 else ''} at the same moment"


def timeline_entries(session: GameSession) -> list[Entry]:
    """What happened to the player, and the first time each stage of the waterfall ran."""
    entries = _merge_fills([Entry(s.tick, s.kind, s.text, True) for s in session.player_stories])
    seen: set[str] = set()
    names = {
        "liquidation": "First liquidation",
        "backstop": "The vault steps in",
        "deleverage": "Auto-deleveraging",
    }
    for event in session.waterfall_log:
        kind = event.type
        if kind not in names or kind in seen:
            continue
        seen.add(kind)
        story = session.storyteller.tell(event)
        if story is None or story.player:
            continue
        total = session.counts.get(kind, 1)
        more = f" ({total} in all)" if total > 1 else ""
        entries.append(Entry(event.tick, kind, f"{names[kind]}{more}: {story.text}", False))
    entries.sort(key=lambda e: e.tick)
    return entries


def player_mark(entry: Entry) -> str | None:
    """The glyph the player's lane shows for one of their stories."""
    if entry.kind == "fill":
        return "▲" if entry.text.startswith("You bought") else "▼"
    if entry.kind == "backstop":
        return "X" if " your " in entry.text else "V"
    if entry.kind in ("liquidation", "bad_debt"):
        return "X"
    if entry.kind in ("deleverage", "haircut"):
        return "A"
    return None
