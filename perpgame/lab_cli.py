"""``perpgame lab``: the same crash under every ADL policy, side by side (a rich table or JSON).

The runs and the measures live in the session layer (:mod:`perpgame.session.lab`,
:mod:`perpgame.session.measures`); this module only parses the options, shows a progress bar and
prints the table with small inline bars.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from perpgame.session.numbers import format_cash

BLOCKS = " ▏▎▍▌▋▊▉█"
BAR = 5


def add_parser(sub) -> None:
    """The ``lab`` subcommand's options (called by :mod:`perpgame.cli`)."""
    lab = sub.add_parser(
        "lab",
        help="play a level under every ADL policy and compare who paid",
        description="Runs LEVEL for each policy and seed (same player inputs) and prints, per "
        "policy, the mean per run of: ADL episodes, accounts hit, cash taken vs the deficit, "
        "top-1 share, Gini, max %% of one winner's profit seized, max winner leverage after "
        "ADL, lost upside at +10%%, rank inversions.",
    )
    lab.add_argument("level", help="a level id or a path to a .toml file")
    lab.add_argument("--policies", default="all", help="all, or a comma list (default: all)")
    lab.add_argument("--seeds", default="1-20", help="N, N-M or a comma list (default: 1-20)")
    lab.add_argument("--actions", metavar="FILE", help="the player's scripted inputs (TOML)")
    lab.add_argument("--json", action="store_true", help="print per-run and aggregate JSON")
    lab.add_argument(
        "--workers", type=int, default=None, help="processes (default: all cores; 1 = no pool)"
    )
    lab.add_argument(
        "--scheduler",
        metavar="ADDR",
        help="run on a Dask cluster instead (tcp://HOST:8786; needs the lab extra)",
    )
    lab.add_argument(
        "--later", type=int, default=20, metavar="N", help="lost upside at the mark N ticks later"
    )
    lab.add_argument("--episodes", action="store_true", help="include every episode in --json")


def main(args: argparse.Namespace) -> int:
    """Run the sweep and print it."""
    from perpgame.level.catalog import find_level
    from perpgame.level.loader import load_level
    from perpgame.session import lab

    try:
        policies = lab.policy_names(args.policies)
        seeds = lab.seed_range(args.seeds)
    except ValueError as exc:
        print(f"perpgame lab: {exc}", file=sys.stderr)
        return 2
    if args.workers is not None and args.workers < 1:
        print("perpgame lab: --workers must be at least 1", file=sys.stderr)
        return 2
    if not 0 <= args.later <= 100_000:
        print("perpgame lab: --later must be between 0 and 100,000 ticks", file=sys.stderr)
        return 2
    path = str(find_level(args.level).resolve())
    load_level(path)  # a clear error for a bad level, before any worker starts
    actions = None
    if args.actions:
        from perpgame.session.inputs import load_inputs

        load_inputs(args.actions)
        actions = os.path.abspath(args.actions)
    specs = lab.specs_for(path, policies, seeds, actions, args.later, args.episodes)
    try:
        records = _run(specs, args)
    except ImportError as exc:
        print(f"perpgame lab: {exc}", file=sys.stderr)
        return 2
    except (OSError, TimeoutError) as exc:
        print(
            f"perpgame lab: cannot reach the Dask scheduler {args.scheduler}: {exc}",
            file=sys.stderr,
        )
        return 1
    summary = lab.aggregate(records)
    if args.json:
        doc = {
            "level": records[0]["level"] if records else None,
            "policies": policies,
            "seeds": seeds,
            "later_ticks": args.later,
            "aggregate": summary,
            "runs": records,
        }
        print(json.dumps(doc))
    else:
        _table(summary, records)
    return 0


def _run(specs, args) -> list[dict]:
    from perpgame.session import lab

    quiet = args.json or not sys.stderr.isatty()
    if quiet:
        if args.scheduler:
            return lab.run_dask(specs, args.scheduler)
        return lab.run_local(specs, args.workers)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("runs", total=len(specs))

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done)

        if args.scheduler:
            return lab.run_dask(specs, args.scheduler, progress)
        return lab.run_local(specs, args.workers, progress)


def bar(value: float | None, top: float | None) -> str:
    """A small inline bar: ``value / top`` of ``BAR`` characters, in eighths."""
    if value is None or not top or top <= 0 or value <= 0:
        return " " * BAR
    eighths = round(min(1.0, value / top) * BAR * 8)
    full, part = divmod(eighths, 8)
    return ("█" * full + (BLOCKS[part] if part else "")).ljust(BAR)


def _mean(row: dict, key: str) -> float | None:
    return row[key]["mean"]


def _money(value: float | None) -> str:
    """Whole dollars, in thousands past $10,000 ("$41k")."""
    if value is None:
        return "-"
    sign, units = ("-" if value < 0 else ""), abs(round(value))
    if units >= 10_000_000_000:  # $10,000
        return f"{sign}${format_cash(units // 1000, places=0)}k"
    return f"{sign}${format_cash(units, places=0)}"


def _table(summary: dict, records: list[dict]) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    level = records[0]["level"] if records else "?"
    runs = max((row["runs"] for row in summary.values()), default=0)
    table = Table(
        title=f"ADL policies on {level}: mean per run over {runs} seed(s)",
        caption="taken = cash winners gave up at the mark; top-1 = the largest winner's share of "
        "it; seized = max % of one winner's profit taken (red: principal touched); lev = max "
        "winner leverage before -> after ADL; +10% = lost upside if the price goes on 10%",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    for name, justify in (
        ("policy", "left"),
        ("won", "right"),
        ("ADLs", "right"),
        ("hit", "right"),
        ("taken/deficit", "right"),
        ("top-1", "left"),
        ("Gini", "right"),
        ("seized", "right"),
        ("lev", "left"),
        ("+10%", "right"),
        ("inv", "right"),
    ):
        table.add_column(name, justify=justify, no_wrap=True)
    tops = {
        key: max((_mean(row, key) or 0 for row in summary.values()), default=0)
        for key in ("top1_share", "max_leverage_after")
    }
    for policy, row in summary.items():
        taken, deficit = _mean(row, "cash_taken"), _mean(row, "deficit")
        share = _mean(row, "top1_share")
        seized = _mean(row, "max_profit_seized")
        before, after = _mean(row, "max_leverage_before"), _mean(row, "max_leverage_after")
        seized_text = "-" if seized is None else f"{seized * 100:.0f}%"
        if seized is not None and seized > 1:
            seized_text = f"[red]{seized_text}[/]"
        table.add_row(
            policy,
            f"{row['won']}/{row['runs']}",
            f"{_mean(row, 'episodes') or 0:.1f}",
            f"{_mean(row, 'accounts_hit') or 0:.1f}",
            f"{_money(taken)} / {_money(deficit)}",
            f"{bar(share, 1.0)}{0 if share is None else share * 100:3.0f}%",
            f"{_mean(row, 'gini') or 0:.2f}",
            seized_text,
            f"{before or 0:.1f}→{after or 0:.1f}x {bar(after, tops['max_leverage_after'])}",
            _money(_mean(row, "lost_upside_up10")),
            f"{_mean(row, 'inversions') or 0:.1f}",
        )
    console = Console()
    if not console.is_terminal:
        console = Console(width=120)
    console.print(table)


__all__ = ["add_parser", "bar", "main"]
