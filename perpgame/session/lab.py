"""The policy lab: one level, its seeds and the player's inputs, played under each ADL policy.

Each run is an ordinary headless :class:`GameSession` whose level has its ADL policy replaced
(:func:`with_policy`), so ``perpgame sim --policy P`` plays exactly the same game. While it plays,
a :class:`PolicyRecorder` wrapped around the market's policy notes the candidates the waterfall
hands to it (the winning side as it stood), and :class:`EpisodeCollector` turns each tick's
``deleverage``/``haircut``/``bad_debt`` events into :class:`~perpgame.session.measures.Episode`
records. Nothing here changes the game: the recorder only delegates, and the state hash of a lab
run equals that of ``perpgame sim`` for the same level, seed, inputs and policy.

Runs are independent and deterministic, so they go to a process pool (:func:`run_local`) or to a
Dask cluster (:func:`run_dask`, the optional ``lab`` extra) with identical results.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from perpgame.engine.adl import POLICIES, Position
from perpgame.level.schema import Level
from perpgame.session.game import GameSession
from perpgame.session.measures import Episode, Hit, measure, summarise

LATER_TICKS = 20
"""The "price N ticks later" for lost upside, by default."""

_POLICY_SETTING = "market.waterfall.adl_policy"


def policy_names(spec: str) -> list[str]:
    """``all`` or a comma-separated list, checked against the registry (ValueError names it)."""
    if spec.strip() == "all":
        return list(POLICIES)
    names = [n.strip() for n in spec.split(",") if n.strip()]
    for name in names:
        if name not in POLICIES:
            raise ValueError(f"unknown ADL policy {name!r}; known: {', '.join(POLICIES)}")
    if not names:
        raise ValueError("no policy named")
    return names


def seed_range(spec: str) -> list[int]:
    """``"1-100"``, ``"7"`` or ``"1,3,5-7"`` -> the seeds, in order (ValueError on bad input)."""
    seeds: list[int] = []
    for part in spec.split(","):
        part = part.strip()
        lo, sep, hi = part.partition("-")
        try:
            a = int(lo)
            b = int(hi) if sep else a
        except ValueError:
            raise ValueError(f"bad seed range {part!r}: use N, N-M or a comma list") from None
        if a < 0 or b < a or b - a > 1_000_000:
            raise ValueError(f"bad seed range {part!r}: need 0 <= N <= M")
        seeds.extend(range(a, b + 1))
    return seeds


def with_policy(level: Level, policy: str) -> Level:
    """The same level under another ADL policy, including any timeline entry that sets one.

    The level no longer offers the player a pick (``adl_choices``): a recorded ``pick_policy``
    input is refused, so the run is played under ``policy`` throughout."""
    if policy not in POLICIES:
        raise ValueError(f"unknown ADL policy {policy!r}; known: {', '.join(POLICIES)}")
    waterfall = level.market.waterfall.model_copy(update={"adl_policy": policy, "adl_choices": []})
    market = level.market.model_copy(update={"waterfall": waterfall})
    timeline = [
        e.model_copy(update={"value": policy})
        if getattr(e, "do", None) == "set" and e.setting == _POLICY_SETTING
        else e
        for e in level.timeline
    ]
    return level.model_copy(update={"market": market, "timeline": timeline})


# ------------------------------------------------------------------------------- recording
class PolicyRecorder:
    """Wraps the market's ADL policy: notes the candidates of each waterfall call, then delegates.

    ``seen`` holds ``(index of the next event, candidates)`` for the current tick: the candidates
    are the winning side as it stood when the waterfall asked the policy.
    """

    def __init__(self, policy, market) -> None:
        self._policy = policy
        self._market = market
        self.seen: list[tuple[int, Sequence[Position]]] = []

    def __getattr__(self, name: str):
        return getattr(self._policy, name)

    def _note(self, positions: Sequence[Position]) -> None:
        index = len(self._market.events)
        if self.seen and self.seen[-1][0] == index:  # one waterfall call, several groups
            merged = {p.account: p for p in (*self.seen[-1][1], *positions)}
            self.seen[-1] = (index, tuple(merged[a] for a in sorted(merged)))
        else:
            self.seen.append((index, tuple(positions)))

    def rank(self, positions, *args, **kwargs):
        self._note(positions)
        return self._policy.rank(positions, *args, **kwargs)

    def allocate(self, positions, *args, **kwargs):
        self._note(positions)
        return self._policy.allocate(positions, *args, **kwargs)

    def haircut(self, positions, *args, **kwargs):
        self._note(positions)
        return self._policy.haircut(positions, *args, **kwargs)


def _scale(value: int, num: int, den: int) -> int:
    """``value * num / den`` truncated toward zero: the engine's rounding of a reduced entry."""
    q = abs(value * num) // den
    return q if value >= 0 else -q


def _after(p: Position, hit: Hit) -> Position | None:
    """``p`` after ``hit`` (the engine's own rounding of the entry on a partial close)."""
    n = abs(p.size)
    left = n - hit.lots
    if left <= 0:
        return None
    sign = 1 if p.size > 0 else -1
    cost = p.entry_cost if hit.lots == 0 else _scale(p.entry_cost, left, n)
    return Position(p.account, sign * left, cost, p.equity - hit.burden, p.mark)


class EpisodeCollector:
    """Turns each tick's events (and what the recorder saw) into episodes."""

    def __init__(self) -> None:
        self.episodes: list[Episode] = []

    def collect(self, tick: int, events: Sequence, seen: Sequence[tuple[int, Sequence[Position]]]):
        spans: list[list] = []  # [first index, last index, kind, bankrupt, events]
        for i, e in enumerate(events):
            kind = e.type
            if kind in ("deleverage", "haircut"):
                if spans and spans[-1][2] == kind and spans[-1][3] == e.counterparty:
                    spans[-1][1] = i
                    spans[-1][4].append(e)
                else:
                    spans.append([i, i, kind, e.counterparty, [e]])
            elif kind == "bad_debt" and spans and spans[-1][3] == e.account:
                spans[-1][4].append(e)
        done: list[tuple[int, Episode]] = []
        for first, last, kind, bankrupt, evs in spans:
            closes = kind == "deleverage"
            hits = [
                Hit(e.account, e.qty if closes else 0, e.lost_pnl if closes else e.amount)
                for e in evs
                if e.type == kind
            ]
            debt = sum(e.amount for e in evs if e.type == "bad_debt")
            candidates = self._state_at(first, last, seen, done)
            mark = evs[0].mark if closes else (candidates[0].mark if candidates else 0)
            side = self._side(candidates, evs, closes)
            ep = Episode(tick, bankrupt, mark, debt, closes, side, candidates, tuple(hits))
            done.append((first, ep))
            self.episodes.append(ep)

    @staticmethod
    def _side(candidates: Sequence[Position], evs: Sequence, closes: bool) -> int:
        if closes:
            return 1 if evs[0].size_before > 0 else -1
        return 1 if candidates and candidates[0].size > 0 else -1

    @staticmethod
    def _state_at(
        first: int,
        last: int,
        seen: Sequence[tuple[int, Sequence[Position]]],
        done: Sequence[tuple[int, Episode]],
    ) -> tuple[Position, ...]:
        """The winning side before the events at ``first``.

        The latest candidates the policy saw at or before ``first``, updated for the episodes
        since then; plus positions the policy was first shown during the episode (the last-resort
        group, asked for only once the first group was used up), as they stood when shown.
        """
        base_index = -1
        state: dict[int, Position] = {}
        for index, positions in reversed(seen):
            if index <= first:
                base_index = index
                state = {p.account: p for p in positions}
                break
        for at, ep in done:
            if at < base_index:
                continue
            for h in ep.hits:
                p = state.get(h.account)
                if p is None:
                    continue
                after = _after(p, h)
                if after is None:
                    del state[h.account]
                else:
                    state[h.account] = after
        for index, positions in seen:
            if first < index <= last:
                for p in positions:
                    state.setdefault(p.account, p)
        return tuple(state[a] for a in sorted(state))


# ------------------------------------------------------------------------------- one run
@dataclass(frozen=True, slots=True)
class RunSpec:
    """One lab run: a level file, an ADL policy, a seed and an optional actions file."""

    level_path: str
    policy: str
    seed: int
    actions_path: str | None = None
    later_ticks: int = LATER_TICKS
    episodes: bool = False


@lru_cache(maxsize=8)
def _level(path: str) -> Level:
    from perpgame.level.loader import load_level

    return load_level(path)


@lru_cache(maxsize=8)
def _actions(path: str) -> tuple:
    from perpgame.session.inputs import load_inputs

    return tuple(load_inputs(path))


def play(
    level: Level, policy: str, seed: int, actions: Iterable = (), ticks: int | None = None
) -> tuple[GameSession, list[Episode], list[int]]:
    """Play one game headless under ``policy``: the session, its episodes, the mark per tick."""
    session = GameSession(with_policy(level, policy), seed, quiet=True)
    session.schedule(actions)
    market = session.market
    recorder = PolicyRecorder(market.policy, market)
    market.policy = recorder
    collector = EpisodeCollector()
    marks = [market.mark]
    limit = level.tick_limit if ticks is None else ticks
    while market.tick < limit:
        recorder.seen = []
        if not session.step():
            break
        if market.policy is not recorder:  # the timeline reconfigured the market
            recorder = PolicyRecorder(market.policy, market)
            market.policy = recorder
        marks.append(market.mark)
        if recorder.seen:
            collector.collect(market.tick, session.tick_events, recorder.seen)
    return session, collector.episodes, marks


def run(spec: RunSpec) -> dict:
    """One run, as a plain JSON-able dict (what a worker process or a Dask task returns)."""
    level = _level(spec.level_path)
    actions = _actions(spec.actions_path) if spec.actions_path else ()
    return run_level(level, spec.policy, spec.seed, actions, spec.later_ticks, spec.episodes)


def compare(
    level: Level,
    seed: int,
    actions: Iterable = (),
    policies: Sequence[str] | None = None,
    later_ticks: int = LATER_TICKS,
) -> Iterable[dict]:
    """The same level, seed and inputs under each policy, one record at a time (for a screen that
    fills in as they come): what would have happened to you under each rule."""
    actions = tuple(actions)
    for policy in policies or list(POLICIES):
        yield run_level(level, policy, seed, actions, later_ticks)


def run_level(
    level: Level,
    policy: str,
    seed: int,
    actions: Iterable = (),
    later_ticks: int = LATER_TICKS,
    episodes: bool = False,
) -> dict:
    """:func:`run` on a level already loaded."""
    session, found, marks = play(level, policy, seed, actions)
    last = len(marks) - 1
    measured = [measure(ep, marks[min(ep.tick + later_ticks, last)]) for ep in found]
    groups = session.groups_of
    market = session.market

    def group_of(account: int) -> str:
        return groups.get(account, market.accounts[account].group)

    metrics = session.metrics
    record = {
        "policy": policy,
        "seed": seed,
        "level": session.level.id,
        "ticks": market.tick,
        "status": session.status,
        "stars": session.stars,
        "state_hash": session.state_hash(),
        "counts": dict(session.counts),
        "bad_debt": session.bad_debt,
        "player_pnl": metrics["player_pnl"],
        "player_deleverages": metrics["player_deleverages"],
        "measures": summarise(measured, group_of),
    }
    top = record["measures"]["top1_account"]
    if top is not None:  # who paid most, by name and group
        record["measures"]["top1_name"] = market.accounts[top].name
        record["measures"]["top1_group"] = group_of(top)
    if episodes:
        record["episodes"] = [m.to_dict() for m in measured]
    return record


# ------------------------------------------------------------------------------- many runs
Progress = Callable[[int, int], None]


def run_local(
    specs: Sequence[RunSpec], workers: int | None = None, progress: Progress | None = None
) -> list[dict]:
    """Every run, in the order of ``specs``: in this process (1 worker) or a process pool."""
    total = len(specs)
    done = 0
    if workers == 1 or total <= 1:
        out = []
        for spec in specs:
            out.append(run(spec))
            done += 1
            if progress:
                progress(done, total)
        return out
    from concurrent.futures import ProcessPoolExecutor, as_completed

    results: list[dict | None] = [None] * total
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(run, spec): i for i, spec in enumerate(specs)}
        for future in as_completed(futures):
            results[futures[future]] = future.result()
            done += 1
            if progress:
                progress(done, total)
    return [r for r in results if r is not None]


def run_dask(
    specs: Sequence[RunSpec], scheduler: str | object, progress: Progress | None = None
) -> list[dict]:
    """Every run on a Dask cluster (``tcp://HOST:8786`` or a ``distributed.Client``).

    Needs the ``lab`` extra (``pip install 'perpgame[lab]'``); raises ImportError naming it.
    """
    try:
        from distributed import Client, as_completed
    except ImportError:  # pragma: no cover - depends on the install
        raise ImportError(
            "--scheduler needs Dask: pip install 'perpgame[lab]' (dask[distributed])"
        ) from None
    client = scheduler if isinstance(scheduler, Client) else Client(scheduler, timeout="10s")
    try:
        futures = client.map(run, list(specs), pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        results: list[dict | None] = [None] * len(specs)
        for done, future in enumerate(as_completed(futures), start=1):
            results[index[future.key]] = future.result()
            if progress:
                progress(done, len(specs))
    finally:
        if client is not scheduler:
            client.close()
    return [r for r in results if r is not None]


# ------------------------------------------------------------------------------- aggregate
AGGREGATED = (
    "episodes",
    "deficit",
    "cash_taken",
    "overshoot",
    "accounts_hit",
    "closed_notional",
    "top1_share",
    "gini",
    "max_profit_seized",
    "max_leverage_before",
    "max_leverage_after",
    "lost_upside_later",
    "lost_upside_up10",
    "inversions",
)


def _stats(values: list) -> dict:
    """mean, median, max (None values, infinite leverages, are left out and counted)."""
    finite = [v for v in values if v is not None]
    if not finite:
        return {"mean": None, "median": None, "max": None, "infinite": len(values)}
    return {
        "mean": round(statistics.fmean(finite), 6),
        "median": statistics.median(finite),
        "max": max(finite),
        "infinite": len(values) - len(finite),
    }


def aggregate(records: Sequence[dict]) -> dict[str, dict]:
    """Per policy, in the order first seen: runs, wins, and mean/median/max of each measure."""
    by_policy: dict[str, list[dict]] = {}
    for r in records:
        by_policy.setdefault(r["policy"], []).append(r)
    out = {}
    for policy, runs in by_policy.items():
        row: dict = {
            "runs": len(runs),
            "won": sum(1 for r in runs if r["status"] == "won"),
            "bad_debt": _stats([r["bad_debt"] for r in runs]),
            "player_pnl": _stats([r["player_pnl"] for r in runs]),
        }
        for key in AGGREGATED:
            row[key] = _stats([r["measures"][key] for r in runs])
        out[policy] = row
    return out


def specs_for(
    level_path: str,
    policies: Sequence[str],
    seeds: Sequence[int],
    actions_path: str | None = None,
    later_ticks: int = LATER_TICKS,
    episodes: bool = False,
) -> list[RunSpec]:
    """Policies x seeds, policy-major (the order of the results)."""
    return [
        RunSpec(level_path, p, s, actions_path, later_ticks, episodes)
        for p in policies
        for s in seeds
    ]


__all__ = [
    "LATER_TICKS",
    "EpisodeCollector",
    "PolicyRecorder",
    "RunSpec",
    "aggregate",
    "compare",
    "play",
    "policy_names",
    "run",
    "run_dask",
    "run_level",
    "run_local",
    "seed_range",
    "specs_for",
    "with_policy",
]
