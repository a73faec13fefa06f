"""One crash, three markets: a deep book, a thin book, and a thin book with an empty vault."""

from __future__ import annotations

CRASH_LEVEL = """
[meta]
id = "crash-{name}"
title = "Crash test: {name}"
lesson = "The same crash, cascading as deep as the market lets it."

[market]
start_price = "60000"
max_leverage = 50
maintenance = "1%"
mark = "index"

[market.waterfall]
adl_policy = "pnl_leverage"

[vault]
cash = "{vault}"
leverage = 10
unwinder = false

[[traders]]
archetype = "market_maker"
count = 6
cash = ["2000000", "2000000"]
leverage = 20
params = {{ levels = 30, size = {mm_size}, spread_bps = 4, step_bps = 10, max_inventory = 400000, widen_vol_bps = 4000, pull_vol_bps = 5000, widen_loss_bps = 4000, pull_loss_bps = 5000 }}

[[traders]]
archetype = "degenerate"
count = 30
cash = ["2000", "4000"]
leverage = [20, 30]

[[traders]]
archetype = "whale"
count = 1
group = "shorts"
cash = ["3000000", "3000000"]
leverage = 2

[[timeline]]
at = 15
do = "command"
group = "shorts"
name = "sell"
args = {{ qty = 60000, ticks = 2 }}

[[timeline]]
at = 20
do = "{pull}"

[[timeline]]
at = 25
do = "move"
change = "-8%"
ticks = 40

[objectives]
time_limit = 40
survive = true
"""

DEEP = {"name": "deep", "vault": "1000000", "mm_size": 40000, "pull": "restore_liquidity"}
THIN = {"name": "thin", "vault": "1000000", "mm_size": 40000, "pull": "pull_liquidity"}
DRY = {"name": "dry", "vault": "1", "mm_size": 40000, "pull": "pull_liquidity"}


def level_text(params: dict) -> str:
    return CRASH_LEVEL.format(**params)
