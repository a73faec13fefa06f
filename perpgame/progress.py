"""Signs of life for a long headless run: a Rich progress bar on stderr after a few seconds."""

from __future__ import annotations

import sys
from time import monotonic

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from perpgame.session import GameSession

QUIET_SECONDS = 3.0
"""A run shorter than this shows nothing."""
CHECK_EVERY = 25
"""Ticks between looks at the clock."""


def run_with_progress(
    session: GameSession,
    ticks: int | None = None,
    *,
    console: Console | None = None,
    quiet_seconds: float = QUIET_SECONDS,
) -> None:
    """``session.run(ticks)``, with a progress bar on stderr (or ``console``) once it takes a while.

    The game is the same as with ``run()``: only the wall clock decides whether a bar is shown.
    """
    limit = session.level.tick_limit if ticks is None else ticks
    start = monotonic()
    progress: Progress | None = None
    task = None
    try:
        while session.tick < limit and session.step():
            if session.tick % CHECK_EVERY:
                continue
            if progress is None and monotonic() - start > quiet_seconds:
                console = console or Console(file=sys.stderr)
                progress = Progress(
                    TextColumn(f"{session.level.id}: tick {{task.completed:,}} of {limit:,}"),
                    BarColumn(),
                    TimeRemainingColumn(),
                    console=console,
                    transient=True,
                )
                progress.start()
                task = progress.add_task("sim", total=limit)
            if progress is not None and task is not None:
                progress.update(task, completed=session.tick)
    finally:
        if progress is not None:
            progress.stop()
