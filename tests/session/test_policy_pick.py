"""The player picks the ADL rule before the crash (level 11): a recorded input that changes who
pays, replays to the same state, and is refused where the level offers no pick and after the crash."""

from __future__ import annotations

from collections import Counter

import pytest

from perpgame.engine.adl import POLICIES
from perpgame.level import find_level as find_file
from perpgame.level import load_level
from perpgame.saves import SaveStore, check_replay, replay_session
from perpgame.session import GameSession
from perpgame.session.inputs import PlayerInput, inputs_to_toml, load_inputs_text
from perpgame.session.lab import with_policy
from perpgame.session.policy_pick import choices, crash_tick
from perpgame.session.rules import RULES, rule


def find_level(level_id: str):
    return load_level(find_file(level_id))


CRASH = 100
"""Level 11's first gap: wave one's auto-deleverages happen on this tick."""
SHORT = PlayerInput.order(25, -1, 1_000, leverage=10)
"""Level 11's solution: 1 coin short at 10x from tick 25."""


def pick(tick: int, policy: str) -> PlayerInput:
    return PlayerInput(tick, "pick_policy", policy=policy)


def wave_one(policy: str | None, seed: int = 1) -> GameSession:
    """Level 11 played to just after its first crash, with ``policy`` picked at tick 1."""
    session = GameSession(find_level("policy-lab"), seed)
    session.schedule([SHORT] + ([pick(1, policy)] if policy else []))
    session.run(CRASH + 2)
    return session


def who_paid(session: GameSession) -> Counter:
    groups = session.groups_of
    return Counter(
        groups.get(e.account, session.market.accounts[e.account].group)
        for e in session.waterfall_log
        if e.type in ("deleverage", "haircut")
    )


def test_level_11_offers_a_pick_with_plain_words() -> None:
    offered = choices(find_level("policy-lab"))
    assert [r.name for r in offered][:2] == ["pnl_leverage", "hyperliquid"]
    assert all(r.title and r.venue and r.words for r in offered)
    assert "_" not in "".join(r.title + r.venue for r in offered)
    assert choices(find_level("happy-path")) == []
    assert set(RULES) == set(POLICIES)
    assert rule("made_up").title == "made up"


@pytest.mark.parametrize("seed", [1, 7])
def test_picking_the_rule_changes_who_is_deleveraged(seed: int) -> None:
    queue = wave_one("pnl_leverage", seed)
    largest = wave_one("largest_first", seed)
    # BitMEX's queue closes the most levered winners; largest-first the biggest short, the whale
    assert set(who_paid(queue)) <= {"shorts-25x", "shorts-12x"} and "shorts-25x" in who_paid(queue)
    assert set(who_paid(largest)) == {"whale-short"}
    # a pick of the rule already in force plays the same game as no pick at all
    assert queue.state_hash() == wave_one(None, seed).state_hash()
    assert queue.input_log[0] == pick(1, "pnl_leverage")
    assert "ADL rule picked: Queue: biggest position first" in "\n".join(largest.narration)


def test_a_pick_after_the_crash_is_refused() -> None:
    session = wave_one(None)
    assert crash_tick(session.waterfall_log) == CRASH
    session.submit(pick(0, "pro_rata"))
    session.step()
    assert session.market.config.adl_policy == "pnl_leverage"
    assert "Too late: the crash has happened" in session.narration[-1]
    assert session.input_log[-1] == pick(CRASH + 3, "pro_rata")  # recorded all the same


def test_a_pick_is_refused_where_the_level_offers_none_or_not_that_rule() -> None:
    plain = GameSession(find_level("happy-path"), 1)
    plain.submit(pick(0, "water_fill"))
    plain.step()
    assert plain.market.config.adl_policy != "water_fill"
    assert "fixed its ADL rule" in plain.narration[-1]
    level = find_level("policy-lab")
    waterfall = level.market.waterfall.model_copy(update={"adl_choices": ["pro_rata"]})
    narrow = level.model_copy(
        update={"market": level.market.model_copy(update={"waterfall": waterfall})}
    )
    session = GameSession(narrow, 1)
    session.submit(pick(0, "water_fill"))
    session.step()
    assert session.market.config.adl_policy == "pnl_leverage"
    assert (
        "does not offer" in session.narration[-1]
        and "Every winner a slice" in session.narration[-1]
    )


def test_the_lab_plays_its_own_policy_over_a_recorded_pick() -> None:
    level = with_policy(find_level("policy-lab"), "water_fill")
    session = GameSession(level, 1)
    session.schedule([pick(1, "largest_first")])
    session.run(CRASH + 2)
    assert session.market.config.adl_policy == "water_fill"
    assert "whale-short" not in who_paid(session)


def test_a_pick_round_trips_through_an_actions_file() -> None:
    inputs = [pick(1, "water_fill"), SHORT]
    assert load_inputs_text(inputs_to_toml(inputs)) == inputs
    assert 'do = "pick_policy"\npolicy = "water_fill"' in inputs_to_toml(inputs)
    with pytest.raises(ValueError, match="unknown ADL policy"):
        PlayerInput(1, "pick_policy", policy="nope")
    with pytest.raises(ValueError, match="only there"):
        PlayerInput(1, "close", policy="pro_rata")


def test_a_game_with_a_pick_replays_to_the_same_state(tmp_path) -> None:
    original = GameSession(find_level("policy-lab"), 1)
    original.submit(pick(0, "water_fill"))  # as the briefing does: before the first tick
    original.schedule([SHORT])
    original.run()
    assert original.status in ("won", "lost")
    store = SaveStore(tmp_path / "saves")
    replay = store.load_replay(store.save_replay(original))
    assert replay.inputs[0] == pick(1, "water_fill")
    again = replay_session(replay)
    again.run()
    assert again.state_hash() == original.state_hash() == replay.final_state_hash
    assert check_replay(replay).ok
    # without the pick the game is another one
    other = GameSession(find_level("policy-lab"), 1)
    other.schedule([SHORT])
    other.run()
    assert other.state_hash() != original.state_hash()


def test_a_game_with_a_pick_resumes_to_the_same_state(tmp_path) -> None:
    played = GameSession(find_level("policy-lab"), 1)
    played.submit(pick(0, "largest_first"))
    played.schedule([SHORT])
    played.run(60)
    store = SaveStore(tmp_path / "saves")
    assert store.save_resume(played)
    resumed = store.resume_session()
    assert resumed is not None and resumed.tick == 60
    assert resumed.market.config.adl_policy == "largest_first"
    played.run(CRASH + 2)
    resumed.run(CRASH + 2)
    assert resumed.state_hash() == played.state_hash()
    assert set(who_paid(resumed)) == {"whale-short"}


@pytest.mark.parametrize(
    ("choices_toml", "message"),
    [
        (
            '["pro_rata", "pro_rata"]',
            "market.waterfall.adl_choices: each policy once, got pro_rata",
        ),
        ('["pro_rat"]', "unknown ADL policy 'pro_rat' (did you mean 'pro_rata'?)"),
        ('"pro_rata"', "market.waterfall.adl_choices"),
    ],
)
def test_a_level_names_its_choices_clearly(choices_toml: str, message: str) -> None:
    from perpgame.level import LevelError
    from perpgame.level.loader import load_level_text

    text = (
        '[meta]\nid = "x"\ntitle = "X"\nlesson = "x"\n'
        f"[market.waterfall]\nadl_choices = {choices_toml}\n"
    )
    with pytest.raises(LevelError) as info:
        load_level_text(text, "x.toml")
    assert message in "\n".join(info.value.lines())
