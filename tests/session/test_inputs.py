"""The actions file (``perpgame sim --actions FILE``) and PlayerInput records."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from perpgame.level import LevelError
from perpgame.session.inputs import (
    KINDS,
    PlayerInput,
    inputs_to_toml,
    load_inputs,
    load_inputs_text,
)

FILES = Path(__file__).parents[1] / "level" / "files"


def test_example_actions_file() -> None:
    actions = load_inputs(FILES / "actions.toml")
    assert actions == [
        PlayerInput(5, "order", side=1, qty=2_500, leverage=5),
        PlayerInput(10, "order", side=-1, qty=1_000, price=6_100_000, reduce_only=True),
        PlayerInput(20, "add_margin", amount=250_500_000),
        PlayerInput(30, "cancel", order_id=7),
        PlayerInput(31, "cancel_all"),
        PlayerInput(40, "leverage", leverage=3),
        PlayerInput(50, "remove_margin", amount=100_000_000),
        PlayerInput(60, "close"),
        PlayerInput(70, "pick_policy", policy="water_fill"),
    ]
    assert {a.kind for a in actions} == set(KINDS)


def test_round_trip_through_toml_and_dicts() -> None:
    actions = load_inputs(FILES / "actions.toml")
    assert load_inputs_text(inputs_to_toml(actions)) == actions
    dicts = [a.to_dict() for a in actions]
    assert dicts[0] == {"tick": 5, "kind": "order", "side": 1, "qty": 2_500, "leverage": 5}
    assert dicts[-2] == {"tick": 60, "kind": "close"}
    assert dicts[-1] == {"tick": 70, "kind": "pick_policy", "policy": "water_fill"}
    assert [PlayerInput.from_dict(d) for d in dicts] == actions
    assert PlayerInput.from_dict(actions[1].as_dict()) == actions[1]


def test_sorted_by_tick_keeping_file_order() -> None:
    text = (
        '[[action]]\ntick = 9\ndo = "close"\n'
        '[[action]]\ntick = 3\ndo = "buy"\nqty = 1\n'
        '[[action]]\ntick = 3\ndo = "sell"\nqty = 1\n'
    )
    assert [(a.tick, a.side) for a in load_inputs_text(text)] == [(3, 1), (3, -1), (9, 0)]


def test_empty_actions_file_is_no_actions(tmp_path: Path) -> None:
    path = tmp_path / "none.toml"
    path.write_text("")
    assert load_inputs(path) == []


def test_actions_errors_name_file_and_field() -> None:
    text = (
        '[[action]]\ntick = 1\ndo = "buy"\nqty = "0"\n'
        '[[action]]\ntick = 2\ndo = "sel"\nqty = 1\n'
        '[[action]]\ntick = -1\ndo = "close"\n'
        '[[action]]\ntick = 4\ndo = "buy"\nqty = 1\nprice = "abc"\nlimit = 5\n'
        '[[action]]\ntick = 5\ndo = "cancel"\n'
        "[[actions]]\ntick = 6\n"
    )
    with pytest.raises(LevelError) as info:
        load_inputs_text(text, "acts.toml")
    assert info.value.lines() == [
        "acts.toml: action[1].qty: must be more than 0, got 0",
        "acts.toml: action[2].do: unknown action 'sel' (did you mean 'sell'?); known: buy, sell, "
        "close, cancel_all, cancel, leverage, add_margin, remove_margin, pick_policy",
        "acts.toml: action[3].tick: must be at least 0, got -1",
        "acts.toml: action[4].price: expected a number like \"60000\", got 'abc'",
        "acts.toml: action[4].limit: unknown field 'limit'; allowed here: tick, qty, price, "
        "leverage, reduce_only, do",
        "acts.toml: action[5].order: is required but missing",
        "acts.toml: actions: unknown section 'actions' (did you mean 'action'?); allowed here: "
        "action",
    ]


def test_actions_file_syntax_and_missing(tmp_path: Path) -> None:
    with pytest.raises(LevelError) as info:
        load_inputs_text("[[action]]\ntick = \n", "a.toml")
    assert info.value.lines()[0].startswith("a.toml: line 2, column 8: TOML syntax")
    with pytest.raises(LevelError) as info:
        load_inputs(tmp_path / "missing.toml")
    assert info.value.lines() == [f"{tmp_path / 'missing.toml'}: no such file"]
    with pytest.raises(LevelError, match="is a folder, not an actions file"):
        load_inputs(tmp_path)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"tick": 1}, "needs 'kind'"),
        ({"tick": 1, "kind": "jump"}, "unknown kind 'jump'"),
        ({"tick": 1, "kind": "order", "side": 2, "qty": 1}, "side is 1 (buy) or -1 (sell)"),
        ({"tick": 1, "kind": "order", "side": 1}, "qty must be positive"),
        ({"tick": 1, "kind": "close", "colour": 1}, "unknown field 'colour'"),
        ({"tick": "1", "kind": "close"}, "tick must be a whole number"),
        ({"tick": 1, "kind": "cancel"}, "needs order_id"),
        ({"tick": 1, "kind": "add_margin"}, "needs a positive amount"),
        ([1, 2], "a player action is a mapping"),
    ],
)
def test_from_dict_rejects(data: object, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        PlayerInput.from_dict(data)  # type: ignore[arg-type]


def test_player_action_is_frozen() -> None:
    action = PlayerInput.order(3, -1, 500, 6_000_000)
    with pytest.raises(AttributeError):
        action.tick = 4  # type: ignore[misc]
    assert action == PlayerInput(3, "order", side=-1, qty=500, price=6_000_000)
