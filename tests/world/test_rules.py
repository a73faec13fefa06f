"""The world's house rules: a registry, checked parameters, integers only, determinism, layering."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from perpgame.engine.rng import Rng
from perpgame.world.bots import (
    ARCHETYPES,
    Bot,
    ParamError,
    ParamTypeError,
    get_archetype,
    make_bot,
)
from perpgame.world.desk import Desk
from tests.world.harness import START, World, dollars, standard

ROOT = Path(__file__).resolve().parents[2]
WORLD = ROOT / "perpgame" / "world"
OURS = [WORLD / "oracle.py", *sorted((WORLD / "bots").glob("*.py"))]


# ---------------------------------------------------------------------------- the registry
def test_registry_lists_every_archetype_in_a_fixed_order():
    assert list(ARCHETYPES) == [
        "market_maker",
        "noise",
        "momentum",
        "whale",
        "arbitrageur",
        "dip_buyer",
        "degenerate",
        "vault_unwinder",
    ]
    modules = {p.stem for p in (WORLD / "bots").glob("*.py")} - {"__init__", "base"}
    assert modules == set(ARCHETYPES)


@pytest.mark.parametrize("name", list(ARCHETYPES))
def test_each_archetype_explains_itself(name):
    cls = ARCHETYPES[name]
    assert cls.archetype == name
    assert cls.teaches.endswith(".") and len(cls.teaches) > 40
    module = sys.modules[cls.__module__]
    assert "What it teaches" in (module.__doc__ or "")
    params = cls.make_params()  # every field has a default
    assert isinstance(params, cls.Params)
    for field, _default, doc in cls.describe():
        assert doc, f"{name}.{field} has no description"


def test_make_bot_from_a_raw_table():
    w = World()
    acct = w.market.open_account("bot", "x", "x", cash=dollars(1_000))
    bot = make_bot("noise", Desk(w.market, acct.id), {"chance_ppm": 10}, Rng(1))
    assert bot.params.chance_ppm == 10
    with pytest.raises(ParamError, match="unknown bot archetype 'nosie'; known: market_maker"):
        get_archetype("nosie")


# ------------------------------------------------------------------------------ parameters
def test_unknown_parameter_names_the_field_and_the_known_ones():
    with pytest.raises(ParamError) as err:
        ARCHETYPES["market_maker"].make_params({"levls": 3})
    assert str(err.value).startswith(
        "unknown parameter 'levls' for market_maker; known: levels, spread_bps, step_bps"
    )


@pytest.mark.parametrize(
    ("archetype", "raw", "message"),
    [
        ("market_maker", {"levels": 2.5}, "market_maker: parameter 'levels' must be a whole"),
        ("market_maker", {"levels": True}, "parameter 'levels' must be a whole"),
        ("noise", {"chance_ppm": "5%"}, "noise: parameter 'chance_ppm' must be a whole"),
        ("dip_buyer", {"on_liquidations": 1}, "parameter 'on_liquidations' must be true or false"),
        ("whale", {"side": 3}, "whale: parameter 'side' must be text"),
    ],
)
def test_wrong_types_name_the_field(archetype, raw, message):
    with pytest.raises(ParamTypeError, match=message) as err:
        ARCHETYPES[archetype].make_params(raw)
    assert isinstance(err.value, ValueError) and isinstance(err.value, TypeError)


@pytest.mark.parametrize(
    ("archetype", "raw", "message"),
    [
        ("market_maker", {"levels": 0}, "parameter 'levels' must be at least 1, got 0"),
        ("noise", {"chance_ppm": 2_000_000}, "parameter 'chance_ppm' must be at most 1000000"),
        ("degenerate", {"side": "sideways"}, "parameter 'side' must be one of 'long', 'short'"),
        ("market_maker", {"pull_vol_bps": 10}, "'pull_vol_bps' must be above 'widen_vol_bps'"),
    ],
)
def test_out_of_range_values_name_the_field(archetype, raw, message):
    with pytest.raises(ParamError, match=message):
        ARCHETYPES[archetype].make_params(raw)


def test_params_must_be_a_table_and_are_frozen():
    with pytest.raises(ParamTypeError, match="parameters for whale must be a table"):
        ARCHETYPES["whale"].make_params([("qty", 1)])  # type: ignore[arg-type]
    params = ARCHETYPES["whale"].make_params({"qty": 5})
    with pytest.raises(AttributeError):
        params.qty = 6  # type: ignore[misc]


def test_command_arguments_are_checked():
    whale = ARCHETYPES["whale"]
    whale.check_command("sell", {"qty": 10, "ticks": 3})
    whale.check_command("dance", {"anything": 1})  # not its command: ignored
    with pytest.raises(ParamError, match="unknown argument 'qtty' for whale command 'sell'"):
        whale.check_command("sell", {"qtty": 10})
    with pytest.raises(ParamTypeError, match="argument 'qty' must be a whole number"):
        whale.check_command("sell", {"qty": -1})


def test_bots_ignore_commands_that_are_not_theirs():
    w = World()
    (mm,) = w.add("market_maker", cash=dollars(100_000))
    (whale,) = w.add("whale", cash=dollars(100_000))
    mm.command("sell", qty=10)
    whale.command("dance")
    assert whale.plan is None


# ------------------------------------------------------------------------- integers only
def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), str(path))


@pytest.mark.parametrize("path", OURS, ids=lambda p: p.name)
def test_no_floats_no_stdlib_random_no_clock(path):
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.BinOp | ast.AugAssign):
            assert not isinstance(node.op, ast.Div), f"{path.name}:{node.lineno}: true division"
        if isinstance(node, ast.Constant):
            assert not isinstance(node.value, float), f"{path.name}:{node.lineno}: a float"
        if isinstance(node, ast.Attribute):
            assert node.attr not in ("unit", "gauss"), f"{path.name}:{node.lineno}: float rng"
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
            for name in names:
                assert name.split(".")[0] not in ("random", "time", "datetime", "math")


def test_world_imports_no_ui_no_validation_library_and_nothing_above_it():
    code = (
        "import sys, perpgame.world.oracle, perpgame.world.bots\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'rich', 'pydantic')\n"
        "       or m.startswith(('perpgame.level', 'perpgame.session', 'perpgame.tui'))]\n"
        "print(bad)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert out.stdout.strip() == "[]"


# --------------------------------------------------------------------------- determinism
def _crash_run(seed: int, ticks: int = 300) -> str:
    w = standard(seed)
    whale = next(b for b in w.bots if b.archetype == "whale")
    for t in range(1, ticks + 1):
        if t == 100:
            w.oracle.move(-150_000, 30)
            whale.command("sell", qty=200_000, ticks=20)
        if t == 200:
            w.oracle.move_to(START, 60)
        w.step()
    return w.market.state_hash()


def test_same_seed_same_state_hash_and_another_seed_differs():
    assert _crash_run(4) == _crash_run(4)
    assert _crash_run(4) != _crash_run(5)


def test_same_state_hash_in_another_process_with_another_hash_seed():
    code = "from tests.world.test_rules import _crash_run; print(_crash_run(4))"
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, check=True
    )
    assert out.stdout.strip() == _crash_run(4)


def test_the_full_cast_crashes_by_orders_and_the_waterfall_runs():
    w = standard(2)
    whale = next(b for b in w.bots if b.archetype == "whale")
    for t in range(1, 401):
        if t == 100:
            w.oracle.move(-150_000, 30)
            whale.command("sell", qty=200_000, ticks=20)
        if t == 200:
            w.oracle.move_to(START, 100)
        w.step()  # asserts the pile law every tick
    kinds = {e.type for e in w.events}
    assert {"liquidation", "backstop", "deposit"} <= kinds
    assert len(w.bots) == 192 and isinstance(w.bots[0], Bot)
