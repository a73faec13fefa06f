"""Valid levels load into exact engine units, with the documented defaults."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from perpgame.engine.config import MarketConfig
from perpgame.level import Level, LevelError, load_level, load_level_text
from perpgame.level.schema import (
    ACTION_KINDS,
    NARRATION_PLACEHOLDERS,
    SETTINGS,
    Command,
    End,
    Gap,
    Move,
    MoveTo,
    Narrate,
    PullLiquidity,
    RestoreLiquidity,
    Set,
    Spawn,
    VaultDeposit,
    Volatility,
)
from perpgame.world.conditions import METRICS

FILES = Path(__file__).parent / "files"

HEAD = """
[meta]
id = "t"
title = "T"
lesson = "L"
"""


def level(body: str = "") -> Level:
    return load_level_text(HEAD + body, "t.toml")


def problems(body: str) -> list[str]:
    with pytest.raises(LevelError) as info:
        level(body)
    return info.value.lines()


# ------------------------------------------------------------------------ the minimal level
def test_minimal_level_values_and_defaults() -> None:
    lv = load_level(FILES / "minimal.toml")
    assert len((FILES / "minimal.toml").read_text().splitlines()) <= 30
    assert lv.id == "first-liquidation"
    assert lv.meta.order == 1 and lv.meta.difficulty == 1 and lv.meta.summary == ""
    assert lv.tick_ms == 500
    assert lv.tick_limit == 120  # 60 s of 0.5 s ticks
    # market defaults, in engine units
    m = lv.market
    assert (m.symbol, m.start_price, m.tick_size, m.lot_size) == ("BTC-PERP", 6_000_000, 50, 10)
    assert (m.max_leverage, m.maintenance, m.taker_fee, m.maker_fee) == (20, 25_000, 500, 100)
    assert (m.liquidation_fee, m.mark) == (5_000, "median")
    assert (m.funding.interval, m.funding.interest, m.funding.clamp, m.funding.cap) == (
        0,
        100,
        500,
        40_000,
    )
    w = m.waterfall
    assert (w.book, w.partial, w.partial_min_notional) == (True, 0, 0)
    assert (w.backstop_threshold, w.adl_policy) == (666_667, "pnl_leverage")
    v = lv.vault
    assert (v.cash, v.leverage, v.max_notional, v.unwinder) == (100_000_000_000, 5, 0, True)
    p = lv.player
    assert (p.cash, p.leverage, p.max_leverage, p.role) == (1_000_000_000, 10, 20, "trader")
    assert (p.position, p.entry) == (0, None)
    assert lv.accounts == []
    mm, noise = lv.traders
    assert (mm.archetype, mm.count, mm.group, mm.cash, mm.leverage, mm.params) == (
        "market_maker",
        3,
        "market_maker",
        (10_000_000_000, 10_000_000_000),
        (10, 10),
        {},
    )
    assert (noise.archetype, noise.count, noise.group) == ("noise", 20, "noise")
    assert lv.total_traders == 23
    assert (lv.oracle.volatility, lv.oracle.drift, lv.oracle.keyframes) == (0, 0, [])
    [gap] = lv.timeline
    assert isinstance(gap, Gap)
    assert (gap.at, gap.when, gap.once, gap.every, gap.change) == (40, None, True, None, -120_000)
    o = lv.objectives
    assert (o.time_limit_ms, o.survive, o.win, o.stars, o.hint) == (60_000, True, [], [], "")
    [lose] = o.lose
    assert lose.when.text == "player_liquidations >= 1" and lose.label == lose.when.text


def test_minimal_market_config() -> None:
    lv = load_level(FILES / "minimal.toml")
    assert lv.market_config(seed=7) == MarketConfig(
        symbol="BTC-PERP",
        tick_size=50,
        lot_size=10,
        max_leverage=20,
        maintenance_ppm=25_000,
        taker_fee_ppm=500,
        maker_fee_ppm=100,
        liquidation_fee_ppm=5_000,
        mark_method="median",
        funding_interval=0,
        funding_interest_ppm=100,
        funding_clamp_ppm=500,
        funding_cap_ppm=40_000,
        partial_liquidation_ppm=0,
        partial_min_notional=0,
        backstop_ppm=666_667,
        adl_policy="pnl_leverage",
        adl_trigger="deficit",  # no venue named: ADL only for a real deficit
        vault_leverage=5,
        vault_max_notional=0,
        book_liquidation=True,
        seed=7,
    )


def test_source_and_sha256() -> None:
    path = FILES / "minimal.toml"
    lv = load_level(path)
    assert lv.source == path
    assert lv.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    text = load_level_text(path.read_text())
    assert text.source is None and text.sha256 == lv.sha256


# ------------------------------------------------------------------------ the full level
def test_full_level() -> None:
    lv = load_level(FILES / "full.toml")
    assert lv.meta.difficulty == 4 and lv.tick_limit == 360
    cfg = lv.market_config(1)
    assert (cfg.max_leverage, cfg.maintenance_ppm, cfg.taker_fee_ppm, cfg.maker_fee_ppm) == (
        50,
        10_000,
        500,
        100,
    )
    assert (cfg.funding_interval, cfg.partial_liquidation_ppm, cfg.partial_min_notional) == (
        120,
        250_000,
        5_000_000_000,
    )
    assert (cfg.vault_leverage, cfg.vault_max_notional) == (5, 2_000_000_000_000)
    assert lv.player.position == 5_000 and lv.player.entry == 6_000_000
    assert lv.player.max_leverage == 25
    whale, dan = lv.accounts
    assert (whale.group, whale.position, whale.bot, whale.params) == (
        "whales",
        -25_000,
        "whale",
        {"ticks": 20},
    )
    assert (dan.group, dan.leverage, dan.bot) == ("preset", 50, None)
    mm, crowd = lv.traders
    assert mm.cash == (200_000_000_000, 400_000_000_000) and mm.leverage == (5, 5)
    assert crowd.group == "crowd" and crowd.leverage == (2, 20)
    assert [(k.tick, k.price) for k in lv.oracle.keyframes] == [(200, 5_800_000)]
    assert lv.oracle.volatility == 300
    kinds = [e.do for e in lv.timeline]
    assert set(kinds) == set(ACTION_KINDS)
    by_kind = {e.do: e for e in lv.timeline}
    first = lv.timeline[0]
    assert isinstance(first, Narrate)
    assert first.placeholders == ["player_size", "player_entry", "player_liq_price"]
    cmd = by_kind["command"]
    assert isinstance(cmd, Command) and cmd.args == {"qty": 50_000, "ticks": 30}
    assert isinstance(by_kind["pull_liquidity"], PullLiquidity)
    assert by_kind["pull_liquidity"].group is None
    assert isinstance(by_kind["restore_liquidity"], RestoreLiquidity)
    s = by_kind["set"]
    assert isinstance(s, Set)
    assert (s.setting, s.config_field, s.value) == (
        "market.waterfall.adl_policy",
        "adl_policy",
        "pro_rata",
    )
    assert s.when is not None and s.when.clauses[0].value == 50_000_000_000
    mv = by_kind["move"]
    assert isinstance(mv, Move) and (mv.change, mv.ticks) == (-50_000, 20)
    mt = by_kind["move_to"]
    assert isinstance(mt, MoveTo) and (mt.price, mt.ticks) == (5_900_000, 40)
    vol = by_kind["volatility"]
    assert isinstance(vol, Volatility) and vol.value == 1_000
    sp = by_kind["spawn"]
    assert isinstance(sp, Spawn)
    assert (sp.archetype, sp.count, sp.group, sp.leverage) == ("dip_buyer", 10, "dip_buyer", (3, 3))
    dep = by_kind["vault_deposit"]
    assert isinstance(dep, VaultDeposit)
    assert (dep.at, dep.every, dep.once, dep.cash) == (100, 50, False, 10_000_000_000)
    assert dep.repeats
    end = by_kind["end"]
    assert isinstance(end, End) and end.result == "lose"
    o = lv.objectives
    assert [g.label for g in o.lose] == ["Don't get liquidated"]
    assert [g.label for g in o.stars] == ["Finish in profit", "player_margin_added == 0"]
    assert lv.total_traders == 54
    assert set(lv.groups()) == {"whales", "preset", "market_maker", "crowd", "dip_buyer", "vault"}


def test_level_model_dump_is_plain_data() -> None:
    data = load_level(FILES / "full.toml").model_dump(mode="json")
    assert data["timeline"][3]["when"] == "liquidations >= 5"
    assert data["objectives"]["lose"][0] == {
        "when": "player_liquidations >= 1",
        "text": "Don't get liquidated",
    }


# ------------------------------------------------------------------------ amounts
@pytest.mark.parametrize(
    ("raw", "cents"),
    [
        ('"60000"', 6_000_000),
        ("60000", 6_000_000),
        ("60000.5", 6_000_050),
        ('"61,000.25"', 6_100_025),
        ('"$61_000"', 6_100_000),
        ("6e4", 6_000_000),
    ],
)
def test_price_forms(raw: str, cents: int) -> None:
    lv = level(f"[market]\nstart_price = {raw}\ntick_size = 0.01\n")
    assert lv.market.start_price == cents


@pytest.mark.parametrize(
    ("raw", "ppm"),
    [('"0.05%"', 500), ('"5bps"', 500), ('"0.0005"', 500), ("0.0005", 500), ('"5 bps"', 500)],
)
def test_rate_forms(raw: str, ppm: int) -> None:
    assert level(f"[market]\ntaker_fee = {raw}\n").market.taker_fee == ppm


def test_inexact_float_is_an_error() -> None:
    [line] = problems("[player]\ncash = 0.0000001\n")
    assert line == "t.toml: player.cash: '1e-07' has more than 6 decimal places"


def test_tick_seconds_as_string_and_float() -> None:
    assert level().tick_ms == 500
    assert load_level_text(HEAD.replace("lesson", 'tick_seconds = "0.25"\nlesson')).tick_ms == 250
    assert load_level_text(HEAD.replace("lesson", "tick_seconds = 2\nlesson")).tick_ms == 2_000
    bad = HEAD.replace("lesson", "tick_seconds = 0.0001\nlesson")
    with pytest.raises(
        LevelError, match=r"meta\.tick_seconds: 0\.0001 is finer than a millisecond"
    ):
        load_level_text(bad, "t.toml")


def test_lot_size_multiple() -> None:
    lines = problems(
        '[player]\nposition = "0.0005"\n[[accounts]]\nname="a"\ncash=1000\nposition="-0.0005"\n'
    )
    assert "t.toml: player.position: 0.0005 is not a multiple of the lot size 0.001" in lines
    assert (
        level(
            '[market]\nlot_size = "0.0001"\n[player]\nposition = "0.0005"\n'
            '[[accounts]]\nname="a"\ncash=1000\nposition="-0.0005"\n'
        ).player.position
        == 5
    )


def test_start_price_multiple_of_tick() -> None:
    [line] = problems("[market]\nstart_price = 60000.25\n")
    assert line == "t.toml: market.start_price: 60000.25 is not a multiple of the tick size 0.50"


# ------------------------------------------------------------------------ defaults and caps
def test_default_leverages_follow_a_low_market_cap() -> None:
    lv = level(
        "[market]\nmax_leverage = 5\nmaintenance = '5%'\n"
        "[[traders]]\narchetype = 'noise'\n"
        "[[accounts]]\nname = 'a'\ncash = 100\n"
    )
    assert (lv.player.leverage, lv.player.max_leverage) == (5, 5)
    assert lv.traders[0].leverage == (5, 5)
    assert lv.accounts[0].leverage == 5


def test_leverage_above_market_cap() -> None:
    lines = problems(
        "[player]\nmax_leverage = 30\n"
        "[[traders]]\narchetype = 'noise'\nleverage = [2, 40]\n"
        "[[accounts]]\nname = 'a'\ncash = 100\nleverage = 21\n"
    )
    assert "t.toml: player.max_leverage: 30x is above market.max_leverage 20x" in lines
    assert "t.toml: traders[1].leverage: 40x is above market.max_leverage 20x" in lines
    assert "t.toml: accounts[1].leverage: 21x is above market.max_leverage 20x" in lines


def test_vault_role() -> None:
    lv = level('[player]\nrole = "vault"\n[vault]\ncash = "50000"\n')
    assert lv.player_is_vault and lv.vault.cash == 50_000_000_000
    assert "vault" not in lv.groups()  # no unwinder when the player runs the vault
    [line] = problems('[player]\nrole = "vault"\nposition = "1"\n')
    assert line.startswith("t.toml: player.position: the player is the vault")


def test_preset_entry_defaults_to_start_price() -> None:
    lv = level('[player]\nposition = "-1"\n[[accounts]]\nname = "a"\ncash = 5000\nposition = 1\n')
    assert lv.player.entry == 6_000_000 and lv.accounts[0].entry == 6_000_000


def test_preset_bankrupt_at_start() -> None:
    lines = problems(
        '[player]\ncash = 100\nposition = "1"\nentry = "61000"\n'
        '[[accounts]]\nname = "a"\ncash = 5000\nposition = -1\nentry = "61000"\n'
    )
    assert lines == [
        "t.toml: player.position: starts bankrupt: equity at the start price would be -900.00 "
        "(cash 100.00, unrealized -1,000.00)"
    ]


def test_account_names() -> None:
    lines = problems(
        '[[accounts]]\nname = "vault"\ncash = 1\n'
        '[[accounts]]\nname = "bob"\ncash = 1\n[[accounts]]\nname = "bob"\ncash = 1\n'
        '[[accounts]]\nname = "two words"\ncash = 1\n'
    )
    assert "t.toml: accounts[4].name: 'two words' is not a usable name" in lines[0]
    lines = problems(
        '[[accounts]]\nname = "vault"\ncash = 1\n'
        '[[accounts]]\nname = "bob"\ncash = 1\n[[accounts]]\nname = "bob"\ncash = 1\n'
    )
    assert lines == [
        "t.toml: accounts[1].name: 'vault' is reserved; choose another name",
        "t.toml: accounts[3].name: 'bob' is already used by accounts[2]",
    ]


def test_preset_account_limit() -> None:
    body = '[[accounts]]\nname = "a"\ncash = 1\n' * 501
    lines = problems(body)
    assert "t.toml: accounts: has 501 entries; the limit is 500" in lines


def test_curriculum_level_needs_a_way_to_win() -> None:
    [line] = problems_of(HEAD.replace("lesson", "order = 3\nlesson"))
    assert line.startswith("t.toml: objectives: a curriculum level (meta.order > 0) needs a way")


def problems_of(text: str) -> list[str]:
    with pytest.raises(LevelError) as info:
        load_level_text(text, "t.toml")
    return info.value.lines()


# ------------------------------------------------------------------------ timeline
def test_trigger_rules() -> None:
    lines = problems(
        "[[timeline]]\ndo = 'narrate'\ntext = 'x'\n"
        "[[timeline]]\nat = 1\nwhen = 'tick > 1'\ndo = 'narrate'\ntext = 'x'\n"
        "[[timeline]]\nat = 1\nevery = 5\nonce = true\ndo = 'narrate'\ntext = 'x'\n"
        "[[timeline]]\nat = 500\ndo = 'narrate'\ntext = 'x'\n"
    )
    assert lines == [
        't.toml: timeline[1]: needs a trigger: `at = TICK` or `when = "CONDITION"`',
        "t.toml: timeline[2].when: give either `at` or `when`, not both",
        "t.toml: timeline[3].once: `once = true` contradicts `every`: drop one of them",
    ]
    [line] = problems("[[timeline]]\nat = 601\ndo = 'narrate'\ntext = 'x'\n")
    assert line == "t.toml: timeline[1].at: tick 601 is after the level ends (tick 600)"


def test_when_repeating() -> None:
    lv = level(
        "[[timeline]]\nwhen = 'mark < 50000'\nonce = false\ndo = 'narrate'\ntext = 'x'\n"
        "[[timeline]]\nwhen = 'mark < 50000'\nevery = 20\ndo = 'narrate'\ntext = 'x'\n"
    )
    first, second = lv.timeline
    assert first.repeats and not first.once and first.every is None
    assert second.repeats and not second.once and second.every == 20


def test_narration_placeholders() -> None:
    assert {"player_liq_price", "player_entry", "vault_cash"} <= set(NARRATION_PLACEHOLDERS)
    assert set(METRICS) <= set(NARRATION_PLACEHOLDERS)
    [line] = problems("[[timeline]]\nat = 1\ndo = 'narrate'\ntext = 'Mark {mark:.2f}'\n")
    assert line.startswith("t.toml: timeline[1].text: braces are only for placeholders")


@pytest.mark.parametrize(
    ("setting", "value", "field", "engine"),
    [
        ("market.maintenance", '"2%"', "maintenance_ppm", 20_000),
        ("maintenance", '"2%"', "maintenance_ppm", 20_000),
        ("market.max_leverage", "10", "max_leverage", 10),
        ("market.mark", '"index"', "mark_method", "index"),
        ("market.funding.interval", "60", "funding_interval", 60),
        ("market.waterfall.book", "false", "book_liquidation", False),
        ("market.waterfall.partial_min_notional", '"1000"', "partial_min_notional", 10**9),
        ("waterfall.backstop_threshold", '"50%"', "backstop_ppm", 500_000),
        ("vault.leverage", "3", "vault_leverage", 3),
        ("vault.max_notional", '"1000000"', "vault_max_notional", 10**12),
    ],
)
def test_set_settings(setting: str, value: str, field: str, engine: object) -> None:
    lv = level(f"[[timeline]]\nat = 1\ndo = 'set'\nsetting = '{setting}'\nvalue = {value}\n")
    [entry] = lv.timeline
    assert isinstance(entry, Set)
    assert entry.config_field == field and entry.value == engine
    assert entry.setting in SETTINGS
    lv.market_config(0).with_changes(**{entry.config_field: entry.value})


def test_set_that_breaks_the_market() -> None:
    [line] = problems(
        "[[timeline]]\nat = 1\ndo = 'set'\nsetting = 'market.maintenance'\nvalue = '6%'\n"
    )
    assert line.startswith("t.toml: timeline[1].value: the market would be invalid")


def test_command_checks_against_the_bots() -> None:
    body = "[[accounts]]\nname = 'moby'\ngroup = 'whales'\ncash = 100000\nbot = 'whale'\n"
    lv = level(
        body + "[[timeline]]\nat = 3\ndo = 'command'\ngroup = 'whales'\nname = 'sell'\n"
        "args = { qty = 10000, ticks = 5 }\n"
    )
    assert lv.timeline[0].name == "sell"
    lines = problems(
        body + "[[timeline]]\nat = 3\ndo = 'command'\ngroup = 'whales'\n"
        "name = 'dump'\n[[timeline]]\nat = 4\ndo = 'command'\ngroup = 'whales'\n"
        "name = 'sell'\nargs = { size = 1 }\n"
    )
    assert lines[0].startswith("t.toml: timeline[1].name: no bot in this group understands 'dump'")
    assert lines[1].startswith("t.toml: timeline[2].args.size: unknown argument 'size'")


def test_pull_liquidity_needs_market_makers() -> None:
    [line] = problems("[[timeline]]\nat = 3\ndo = 'pull_liquidity'\n")
    assert line == "t.toml: timeline[1].group: there are no market makers in this level"


def test_keyframes_in_order() -> None:
    [line] = problems(
        "[[oracle.keyframes]]\ntick = 50\nprice = 1\n[[oracle.keyframes]]\ntick = 20\nprice = 2\n"
    )
    assert line.startswith("t.toml: oracle.keyframes[2].tick: keyframes must be in increasing")


def test_unknown_field_in_a_timeline_entry_names_the_action_fields() -> None:
    [line] = problems("[[timeline]]\nat = 1\ndo = 'move'\nchange = '1%'\nticks = 3\nprice = 1\n")
    assert line == (
        "t.toml: timeline[1].price: unknown field 'price'; allowed here: at, when, once, every, "
        "do, change, ticks"
    )


def test_a_setting_can_be_named_by_its_unambiguous_tail():
    text = (FILES / "minimal.toml").read_text()
    level = load_level_text(
        text + '\n[[timeline]]\nat = 5\ndo = "set"\nsetting = "adl_policy"\nvalue = "pro_rata"\n'
    )
    assert level.timeline[-1].setting == "market.waterfall.adl_policy"
    assert level.timeline[-1].config_field == "adl_policy"


# ------------------------------------------------------------------ the waterfall's venue rules


@pytest.mark.parametrize(
    ("venue", "trigger"),
    [
        ("hyperliquid", "deficit"),
        ("dydx", "deficit"),
        ("bitmex", "takeover"),
        ("binance", "takeover"),
    ],
)
def test_venue_sets_the_adl_trigger(venue: str, trigger: str) -> None:
    lv = level(f'[market.waterfall]\nvenue = "{venue}"\n')
    assert lv.market_config(seed=1).adl_trigger == trigger


def test_adl_trigger_contradicting_the_venue_is_an_error() -> None:
    msg = "\n".join(
        problems('[market.waterfall]\nvenue = "hyperliquid"\nadl_trigger = "takeover"\n')
    )
    assert "market.waterfall.adl_trigger" in msg and "hyperliquid runs the 'deficit'" in msg


def test_vault_leverage_must_keep_its_margin_above_maintenance() -> None:
    # maintenance 2.5%: 40x is 2.5% initial margin (not above it), 39x is 2.56%
    msg = "\n".join(problems('[market]\nmaintenance = "2.5%"\n\n[vault]\nleverage = 40\n'))
    assert "vault.leverage" in msg and "use at most 39x" in msg
    assert level('[market]\nmaintenance = "2.5%"\n\n[vault]\nleverage = 39\n')
