"""Checks across sections of a whole level: what no section can check alone.

The vault's margin against the market's maintenance, the player's and the accounts' leverage
against the caps, preset positions that net to zero like real trades, the traders' total, the time
limit in ticks, the timeline's groups, commands and settings, and a way to win. Each check reads
the level as the file gave it (unset fields unset: :mod:`perpgame.level.schema.defaults` fills
them afterwards) and returns ``(path, message)`` pairs, in the order the file reads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from perpgame.engine.config import MarketConfig
from perpgame.engine.units import PPM, format_cash
from perpgame.level.schema.base import LIMITS, RESERVED_NAMES, FieldIssue
from perpgame.level.schema.fields import plain_qty, plain_rate
from perpgame.level.schema.names import check_command
from perpgame.level.schema.timeline import Command, PullLiquidity, RestoreLiquidity, Set

if TYPE_CHECKING:
    from perpgame.level.schema.parts import LevelParts
    from perpgame.level.schema.timeline import TimelineEntry

Issues = list[tuple[str, str]]
Preset = tuple[str, int, int, int]  # (where, size, entry, cash)


def level_issues(level: LevelParts) -> Issues:
    """Every cross-section problem of ``level``, in the order the file reads."""
    ticks = level.objectives.time_limit_ms // level.meta.tick_ms
    presets = _presets(level)
    return [
        *_vault_margin(level),
        *_player(level),
        *_accounts(level),
        *_preset_positions(level, presets),
        *_netting(presets),
        *_populations(level),
        *_time(level, ticks),
        *_timeline(level, ticks),
        *_objectives(level),
    ]


def _vault_margin(level: LevelParts) -> Issues:
    """The vault's margin must stay above maintenance at its leverage."""
    maintenance, leverage = level.market.maintenance, level.vault.leverage
    if maintenance * leverage < PPM:
        return []
    return [
        (
            "vault.leverage",
            f"{leverage}x needs {plain_rate(PPM // leverage)} "
            f"initial margin, not above the maintenance {plain_rate(maintenance)}: "
            f"use at most {(PPM - 1) // maintenance}x",
        )
    ]


def _player(level: LevelParts) -> Issues:
    issues: Issues = []
    p, cap = level.player, level.market.max_leverage
    if p.role == "vault":
        issues += [
            (f"player.{name}", 'the player is the vault (role = "vault"): set [vault] instead')
            for name in ("cash", "leverage", "position", "entry")
            if name in p.model_fields_set
        ]
    most = cap if p.max_leverage is None else p.max_leverage
    if p.max_leverage is not None and p.max_leverage > cap:
        issues.append(
            ("player.max_leverage", f"{p.max_leverage}x is above market.max_leverage {cap}x")
        )
    if p.leverage is not None and p.leverage > most:
        issues.append(("player.leverage", f"{p.leverage}x is above the player's cap {most}x"))
    if p.position == 0 and p.entry is not None:
        issues.append(("player.entry", "an entry price needs a position: set player.position"))
    return issues


def _accounts(level: LevelParts) -> Issues:
    issues: Issues = []
    cap = level.market.max_leverage
    seen: dict[str, int] = {}
    for i, a in enumerate(level.accounts, 1):
        where = f"accounts[{i}]"
        if a.name in RESERVED_NAMES:
            issues.append((f"{where}.name", f"{a.name!r} is reserved; choose another name"))
        elif a.name in seen:
            issues.append(
                (f"{where}.name", f"{a.name!r} is already used by accounts[{seen[a.name]}]")
            )
        seen.setdefault(a.name, i)
        if a.leverage is not None and a.leverage > cap:
            issues.append(
                (f"{where}.leverage", f"{a.leverage}x is above market.max_leverage {cap}x")
            )
        if a.position == 0 and a.entry is not None:
            issues.append((f"{where}.entry", "an entry price needs a position"))
    return issues


def _presets(level: LevelParts) -> list[Preset]:
    """Every preset position (the player's unless the player is the vault), entry defaulted."""
    start = level.market.start_price
    p = level.player
    presets: list[Preset] = []
    if p.role == "trader":
        presets.append(("player", p.position, p.entry or start, p.cash))
    presets += [
        (f"accounts[{i}]", a.position, a.entry or start, a.cash)
        for i, a in enumerate(level.accounts, 1)
    ]
    return presets


def _preset_positions(level: LevelParts, presets: list[Preset]) -> Issues:
    """Lot sizes and starting equity of every preset position."""
    issues: Issues = []
    m = level.market
    for where, size, entry, cash in presets:
        if size % m.lot_size:
            issues.append(
                (
                    f"{where}.position",
                    f"{plain_qty(size)} is not a multiple of the lot size {plain_qty(m.lot_size)}",
                )
            )
        equity = cash + size * (m.start_price - entry)
        if size and equity <= 0:
            issues.append(
                (
                    f"{where}.position",
                    f"starts bankrupt: equity at the start price would be "
                    f"{format_cash(equity)} (cash {format_cash(cash)}, unrealized "
                    f"{format_cash(size * (m.start_price - entry))})",
                )
            )
    return issues


def _netting(presets: list[Preset]) -> Issues:
    """Preset positions add up like trades between the accounts: sizes and notionals net."""
    longs = sum(s for _, s, _, _ in presets if s > 0)
    shorts = -sum(s for _, s, _, _ in presets if s < 0)
    if longs != shorts:
        more, side = (longs - shorts, "short") if longs > shorts else (shorts - longs, "long")
        return [
            (
                "accounts",
                f"preset positions do not net to zero: longs {plain_qty(longs)} coin, "
                f"shorts {plain_qty(shorts)} coin (player included); every long needs a "
                f"short: add {plain_qty(more)} coin {side} to some account",
            )
        ]
    paid = sum(s * e for _, s, e, _ in presets if s > 0)
    received = -sum(s * e for _, s, e, _ in presets if s < 0)
    if paid == received:
        return []
    return [
        (
            "accounts",
            "preset positions must add up like trades between these accounts: the "
            f"longs paid {format_cash(paid)} (position x entry) but the shorts "
            f"received {format_cash(received)}; adjust the entry prices so both "
            "sides match (e.g. give them all the same entry)",
        )
    ]


def _populations(level: LevelParts) -> Issues:
    issues: Issues = []
    cap = level.market.max_leverage
    total = 0
    for where, pop in level.populations():
        total += pop.count
        if pop.leverage is not None and pop.leverage[1] > cap:
            issues.append(
                (f"{where}.leverage", f"{pop.leverage[1]}x is above market.max_leverage {cap}x")
            )
    if total > LIMITS["traders"]:
        issues.append(
            (
                "traders",
                f"{total:,} traders in all ([[traders]] and spawn); the limit is "
                f"{LIMITS['traders']:,}",
            )
        )
    return issues


def _time(level: LevelParts, ticks: int) -> Issues:
    if ticks < 1:
        return [("objectives.time_limit", "is shorter than one tick")]
    if ticks > LIMITS["ticks"]:
        return [
            (
                "objectives.time_limit",
                f"{ticks:,} ticks of {level.meta.tick_ms / 1000:g} s; the limit is "
                f"{LIMITS['ticks']:,} ticks: shorten time_limit or lengthen meta.tick_seconds",
            )
        ]
    return []


def _timeline(level: LevelParts, ticks: int) -> Issues:
    """The market's own settings first (a ``set`` changes them), then each entry in turn."""
    issues: Issues = []
    groups = level.groups()
    try:
        config: MarketConfig | None = level.market_config(0)
    except ValueError as exc:
        issues.append(("market", str(exc)))
        config = None
    for i, entry in enumerate(level.timeline, 1):
        issues += _entry(f"timeline[{i}]", entry, ticks, groups, config)
    return issues


def _entry(
    where: str,
    entry: TimelineEntry,
    ticks: int,
    groups: dict[str, list[str]],
    config: MarketConfig | None,
) -> Issues:
    issues: Issues = []
    if entry.at is not None and 1 <= ticks < entry.at:
        issues.append((f"{where}.at", f"tick {entry.at} is after the level ends (tick {ticks})"))
    group = getattr(entry, "group", None)
    if isinstance(entry, Command | PullLiquidity | RestoreLiquidity) and group is not None:
        issues += _group(where, entry, group, groups)
    makers = any("market_maker" in bots for bots in groups.values())
    if isinstance(entry, PullLiquidity | RestoreLiquidity) and group is None and not makers:
        issues.append((f"{where}.group", "there are no market makers in this level"))
    if isinstance(entry, Set) and config is not None:
        try:
            config.with_changes(**{entry.config_field: entry.value})
        except ValueError as exc:
            issues.append((f"{where}.value", f"the market would be invalid: {exc}"))
    return issues


def _group(where: str, entry: TimelineEntry, group: str, groups: dict[str, list[str]]) -> Issues:
    """The group an entry addresses exists, and a command is one its bots understand."""
    if group not in groups:
        return [
            (
                f"{where}.group",
                f"no group {group!r} in this level; groups: "
                f"{', '.join(sorted(groups)) or '(none)'}",
            )
        ]
    if not isinstance(entry, Command):
        return []
    try:
        check_command(groups[group], entry.name, entry.args)
    except FieldIssue as exc:
        return [(_sub(where, sub), msg) for sub, msg in exc.issues]
    return []


def _sub(path: str, sub: str) -> str:
    return f"{path}.{sub}" if sub else path


def _objectives(level: LevelParts) -> Issues:
    o = level.objectives
    if level.meta.order > 0 and not o.win and not o.survive:
        return [
            (
                "objectives",
                "a curriculum level (meta.order > 0) needs a way to win: "
                "`win = [...]` or `survive = true`",
            )
        ]
    return []
