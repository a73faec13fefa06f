"""The policy lab: runs only observe the game, agree with `perpgame sim` run by run, and give the
same results in one process, in a process pool and on a Dask cluster."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from perpgame.level.catalog import find_level
from perpgame.level.loader import load_level
from perpgame.session import GameSession
from perpgame.session.lab import (
    aggregate,
    play,
    policy_names,
    run,
    run_local,
    seed_range,
    specs_for,
    with_policy,
)

ROOT = Path(__file__).resolve().parents[2]
LEVEL = str(find_level("vault-runs-dry").resolve())


def cli(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "perpgame", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=check,
    )


def _from_events(events: list[dict]) -> dict:
    """The lab's event-based sums, recomputed from `perpgame sim --json` events."""
    adl = [e for e in events if e["type"] == "deleverage"]
    cuts = [e for e in events if e["type"] == "haircut"]
    return {
        "cash_taken": sum(e["lost_pnl"] for e in adl) + sum(e["amount"] for e in cuts),
        "closed_notional": sum(e["qty"] * e["mark"] for e in adl),
        "hits": len(adl) + len(cuts),
    }


def test_recording_does_not_change_the_game():
    level = load_level(LEVEL)
    session, episodes, marks = play(level, "water_fill", 2)
    plain = GameSession(with_policy(level, "water_fill"), 2)
    plain.run()
    assert session.state_hash() == plain.state_hash()  # recorded and quiet: the same game
    assert session.counts == plain.counts and session.metrics == plain.metrics
    assert session.quiet and not session.tape and plain.tape  # quiet skips the screen's stories
    assert episodes and len(marks) == session.tick + 1


@pytest.mark.parametrize("policy", ["pnl_leverage", "water_fill", "socialized_loss"])
def test_lab_runs_match_sim_one_by_one(policy):
    record = run(specs_for(LEVEL, [policy], [3])[0])
    sim = json.loads(cli("sim", LEVEL, "--seed", "3", "--policy", policy, "--json").stdout)
    assert record["state_hash"] == sim["state_hash"]
    assert record["counts"] == sim["counts"]
    assert record["status"] == sim["objectives"]["status"]
    assert record["player_pnl"] == sim["player"]["pnl"]
    measures = record["measures"]
    assert {k: measures[k] for k in ("cash_taken", "closed_notional", "hits")} == _from_events(
        sim["events"]
    )


def test_a_pool_gives_the_same_results_as_one_process():
    specs = specs_for(LEVEL, ["hyperliquid", "pro_rata"], [1, 2])
    seen = []
    alone = run_local(specs, workers=1, progress=lambda done, total: seen.append((done, total)))
    pooled = run_local(specs, workers=2)
    assert alone == pooled
    assert [(r["policy"], r["seed"]) for r in pooled] == [(s.policy, s.seed) for s in specs]
    assert seen[-1] == (4, 4)
    summary = aggregate(pooled)
    assert list(summary) == ["hyperliquid", "pro_rata"] and summary["pro_rata"]["runs"] == 2


def test_a_dask_cluster_gives_the_same_results_bit_for_bit():
    distributed = pytest.importorskip("distributed")
    from perpgame.session.lab import run_dask

    specs = specs_for(LEVEL, ["binance", "water_fill"], [1])
    with (
        distributed.LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=None) as c,
        distributed.Client(c) as client,
    ):
        remote = run_dask(specs, client)
    assert remote == run_local(specs, workers=1)


def test_policy_and_seed_arguments():
    assert policy_names("all")[-2:] == ["water_fill", "binance"]
    assert policy_names("binance, pro_rata") == ["binance", "pro_rata"]
    assert seed_range("1-3,7") == [1, 2, 3, 7]
    for bad in ("3-1", "x", "-2"):
        with pytest.raises(ValueError):
            seed_range(bad)
    with pytest.raises(ValueError, match="known"):
        policy_names("bitmex")


def test_lab_command_json_and_errors():
    out = cli("lab", "vault-runs-dry", "--policies", "pro_rata", "--seeds", "1", "--json")
    doc = json.loads(out.stdout)
    assert doc["level"] == "vault-runs-dry" and doc["seeds"] == [1]
    assert doc["aggregate"]["pro_rata"]["runs"] == 1
    assert set(doc["aggregate"]["pro_rata"]["cash_taken"]) >= {"mean", "median", "max"}
    bad = cli("lab", "vault-runs-dry", "--policies", "nope", check=False)
    assert bad.returncode == 2 and "unknown ADL policy 'nope'" in bad.stderr
    assert "Traceback" not in bad.stderr
    bad = cli("sim", "vault-runs-dry", "--policy", "nope", check=False)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_lab_table_prints_every_policy():
    out = cli("lab", "vault-runs-dry", "--policies", "largest_first,water_fill", "--seeds", "1")
    assert "largest_first" in out.stdout and "water_fill" in out.stdout and "top-1" in out.stdout
