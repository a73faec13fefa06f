"""The ``perpgame`` command: play, simulate headless, check level files, list the curriculum."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from perpgame import __version__
from perpgame.level.errors import LevelError

if TYPE_CHECKING:
    from perpgame.saves import Replay

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2
SAVES_HELP = (
    "where progress, settings and replays are kept (default: $PERPGAME_SAVES, else the user's"
    " data folder; `perpgame where` shows it)"
)
ADOPTS_OLD_SAVES = (None, "play", "demo", "replay", "serve")
"""The commands that use the saves folder: they copy an older version's ./saves there first."""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="perpgame",
        description="Live through a perpetual-futures exchange: liquidations, the backstop vault "
        "and auto-deleveraging. With no command, the game opens on its title screen.",
    )
    p.add_argument("--version", action="version", version=f"perpgame {__version__}")
    p.add_argument("--saves", metavar="DIR", help=SAVES_HELP)
    p.add_argument("--visitor-saves", metavar="ROOT", help=argparse.SUPPRESS)
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    _add_play(sub)
    _add_demo(sub)
    _add_sim(sub)
    from perpgame.lab_cli import add_parser as add_lab

    add_lab(sub)
    check = sub.add_parser("check", help="validate level files")
    check.add_argument("paths", nargs="+", metavar="PATH")
    sub.add_parser("levels", help="list the curriculum, in order")
    shots = sub.add_parser("screenshots", help="play scripted moments and save SVG screenshots")
    shots.add_argument("dir", help="the folder to write the SVGs to")
    _add_serve(sub)
    _add_host(sub)
    _add_join(sub)
    _add_replay(sub)
    sub.add_parser("where", help="print every folder the game reads and writes")
    sub.add_parser("schema", help="print the JSON schema of a level file (for editors)")
    for command in sub.choices.values():  # `perpgame play x --saves DIR` works too
        command.add_argument("--saves", metavar="DIR", default=argparse.SUPPRESS, help=SAVES_HELP)
    return p


Subcommands = Any
"""What ``ArgumentParser.add_subparsers`` returns (its class is private to argparse)."""


def _add_play(sub: Subcommands) -> None:
    play = sub.add_parser("play", help="play one level in the terminal")
    play.add_argument("level", help="a level id (see `perpgame levels`) or a path to a .toml file")
    play.add_argument("--seed", type=int, default=None, help="random seed (default: the level's)")


def _add_demo(sub: Subcommands) -> None:
    demo = sub.add_parser(
        "demo",
        help="attract mode: the autopilot plays the crash levels until a key is pressed",
        description="The autopilot plays a playlist of levels (the waterfall: happy path, thin "
        "book, the vault runs dry, the big one; or just LEVEL) on the real game screen. Press any "
        "key to take over the game in progress; q in that dialog quits.",
    )
    demo.add_argument("level", nargs="?", help="play only this level (an id or a .toml path)")
    demo.add_argument(
        "--speed", type=int, choices=(1, 2, 5, 10), default=5, help="game speed (default: 5)"
    )
    demo.add_argument(
        "--loop",
        action="store_true",
        help="play the playlist forever, and come back to it after two idle minutes",
    )
    demo.add_argument("--seed", type=int, default=None, help="random seed (default: 1)")


def _add_sim(sub: Subcommands) -> None:
    sim = sub.add_parser("sim", help="play a level headless and report what happened")
    sim.add_argument("level", help="a level id or a path to a .toml file")
    sim.add_argument("--seed", type=int, default=1)
    sim.add_argument("--actions", metavar="FILE", help="the player's scripted inputs (TOML)")
    sim.add_argument("--ticks", type=int, default=None, help="stop after N ticks")
    sim.add_argument("--json", action="store_true", help="print one JSON object")
    sim.add_argument(
        "--autopilot", action="store_true", help="the demo's autopilot plays (to win the level)"
    )
    sim.add_argument("--policy", help="play under this ADL policy instead of the level's")


def _add_serve(sub: Subcommands) -> None:
    serve = sub.add_parser("serve", help="play in a browser: one game per visitor")
    _add_address(serve, port=8000)
    serve.add_argument(
        "--public-url",
        metavar="URL",
        help="the address players open, e.g. http://192.168.1.20:8000 (default: the one they used)",
    )
    serve.add_argument(
        "--table",
        metavar="URL",
        help="put each visitor on a free seat of this table (the instructor's URL that "
        "`perpgame host` printed) instead of a game of their own",
    )
    serve.add_argument(
        "--max-visitors",
        type=int,
        default=20,
        metavar="N",
        help="games at once, about 60 MB each (default: 20); more visitors are told it is full",
    )


def _add_host(sub: Subcommands) -> None:
    host = sub.add_parser(
        "host",
        help="run one shared table that several players (and programs) join",
        description="One authoritative exchange for a room: each seat is a trader with the "
        "level's starting cash, the level's bots trade around them. Prints a join URL (with its "
        "token) per seat and one for the instructor. Binds loopback unless --host says otherwise.",
    )
    host.add_argument("level", help="a level id or a path to a .toml file")
    host.add_argument("--seats", type=int, default=2, help="how many seats (default: 2)")
    _add_address(host, port=8765)
    host.add_argument("--seed", type=int, default=1)
    host.add_argument(
        "--tps", type=float, default=None, help="ticks per second (default: the level's pace)"
    )
    host.add_argument("--paused", action="store_true", help="wait for the instructor's start")
    host.add_argument("--log", metavar="FILE", help="where the table log goes (a replay)")
    host.add_argument("--urls", metavar="FILE", help="also write the join URLs here, as JSON")
    host.add_argument(
        "--public-url",
        metavar="URL",
        help="the table's address as players reach it, e.g. wss://event.example/t1 behind a "
        "reverse proxy (default: ws://HOST:PORT)",
    )


def _add_address(server: argparse.ArgumentParser, port: int) -> None:
    """``--host`` and ``--port``: where a server listens (loopback unless told otherwise)."""
    server.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback)")
    server.add_argument("--port", type=int, default=port)


def _add_join(sub: Subcommands) -> None:
    join = sub.add_parser(
        "join",
        help="take a seat at a table that `perpgame host` runs (the instructor's URL opens the "
        "instructor's screen)",
    )
    join.add_argument(
        "url",
        nargs="?",
        help="the seat's URL as `perpgame host` printed it (default: $PERPGAME_TABLE)",
    )
    join.add_argument(
        "--claim",
        action="store_true",
        help="URL is the instructor's: take the first free seat (what `serve --table` does)",
    )
    join.add_argument(
        "--headless", action="store_true", help="no screen: play the --actions file and report"
    )
    join.add_argument("--actions", metavar="FILE", help="the seat's inputs (TOML, table ticks)")
    join.add_argument(
        "--name", help="what to be called at the table (1-24 letters, digits, spaces)"
    )


def _add_replay(sub: Subcommands) -> None:
    replay = sub.add_parser("replay", help="watch a saved replay (or check it with --headless)")
    replay.add_argument("file", help="a replay file (saves/replays/*.json)")
    replay.add_argument(
        "--headless",
        action="store_true",
        help="replay without the screen and check the final state matches",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``perpgame`` console script."""
    args = _parser().parse_args(argv)
    if args.saves:
        os.environ["PERPGAME_SAVES"] = args.saves
    if args.visitor_saves:  # a game process started by `perpgame serve` for one visitor
        from perpgame.visitors import visitor_saves

        os.environ["PERPGAME_SAVES"] = str(visitor_saves(Path(args.visitor_saves)))
    adopted = _adopt_old_saves(args)
    try:
        return COMMANDS[args.command](args)
    except LevelError as exc:
        for line in exc.lines():
            print(line, file=sys.stderr)
        return EXIT_FAIL
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `perpgame sim x --json | head -c 100`: the reader has gone
        _quiet_stdout()
        return EXIT_FAIL
    finally:
        if adopted:
            print(adopted, file=sys.stderr)


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so Python's last flush at exit finds no broken pipe."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def _adopt_old_saves(args: argparse.Namespace) -> str | None:
    """Copy an older version's ./saves into the data folder (see perpgame.places)."""
    if args.command not in ADOPTS_OLD_SAVES or args.visitor_saves:
        return None
    from perpgame.places import adopt_old_saves

    return adopt_old_saves()


def _schema(args: argparse.Namespace) -> int:
    from perpgame.level.file_schema import level_file_schema_text

    sys.stdout.write(level_file_schema_text())
    return EXIT_OK


def _lab(args: argparse.Namespace) -> int:
    from perpgame.lab_cli import main as lab

    return lab(args)


def _screenshots(args: argparse.Namespace) -> int:
    from perpgame.tui.screenshots import main as screenshots

    return screenshots(args.dir)


def _serve(args: argparse.Namespace) -> int:
    from perpgame.saves import saves_dir
    from perpgame.serve import serve

    return serve(
        args.host,
        args.port,
        saves_dir(),
        public_url=args.public_url,
        max_visitors=args.max_visitors,
        table=args.table,
    )


def _where(args: argparse.Namespace) -> int:
    from perpgame.level.catalog import levels_dir
    from perpgame.places import places

    found = places(levels_dir())
    width = max(len(place.name) for place in found)
    for place in found:
        print(f"{place.name:<{width}}  {place.path}")
        print(f"{'':<{width}}  {place.what}")
    return EXIT_OK


def _load(name: str):
    from perpgame.level.catalog import find_level
    from perpgame.level.loader import load_level

    return load_level(find_level(name))


def _sim(args: argparse.Namespace) -> int:
    from perpgame.progress import run_with_progress
    from perpgame.session import GameSession
    from perpgame.session.inputs import load_inputs
    from perpgame.session.report import report, summary

    level = _load(args.level)
    if args.policy:
        from perpgame.session.lab import with_policy

        try:
            level = with_policy(level, args.policy)
        except ValueError as exc:
            print(f"perpgame sim: {exc}", file=sys.stderr)
            return EXIT_USAGE
    if args.ticks is not None and not 0 < args.ticks <= 1_000_000:
        print("perpgame sim: --ticks must be between 1 and 1,000,000", file=sys.stderr)
        return EXIT_USAGE
    session = GameSession(level, args.seed)
    if args.actions:
        session.schedule(load_inputs(args.actions))
    if args.autopilot:
        from perpgame.session.autopilot import Autopilot

        pilot = Autopilot(level)
        limit = level.tick_limit if args.ticks is None else args.ticks
        while session.tick < limit and session.step():
            for action in pilot(session.frame()):
                session.submit(action)
    else:
        run_with_progress(session, args.ticks)
    if args.json:
        print(json.dumps(report(session)))
    else:
        print(summary(session))
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    from perpgame.level.loader import load_level, slow_warning

    failed = 0
    for path in args.paths:
        try:
            level = load_level(path)
        except LevelError as exc:
            failed += 1
            for line in exc.lines():
                print(line)
        else:
            print(f"{path}: ok")
            if warning := slow_warning(level):
                print(f"{path}: warning: {warning}")
    return EXIT_FAIL if failed else EXIT_OK


def _levels(args: argparse.Namespace) -> int:
    from perpgame.level.catalog import curriculum

    for level in curriculum():
        order = f"{level.meta.order:>2}" if level.meta.order else " -"
        stars = "*" * level.meta.difficulty
        print(f"{order}  {level.id:<22} {level.title:<34} {stars:<5} {level.meta.summary}")
    return EXIT_OK


def _play(args: argparse.Namespace) -> int:
    from perpgame.level.catalog import is_level_path

    name = args.level
    level_path = Path(name) if is_level_path(name) else None
    level = _load(name)  # before the screen is loaded: a bad level is told at once
    from perpgame.tui.app import run_app

    return run_app(start_level=level, level_path=level_path, seed=args.seed)


def _demo(args: argparse.Namespace) -> int:
    from perpgame.tui.app import run_demo

    level = _load(args.level) if args.level else None
    return run_demo(level, speed=args.speed, loop=args.loop, seed=args.seed)


def _host(args: argparse.Namespace) -> int:
    from perpgame.saves import saves_dir
    from perpgame.table.host import default_log_path, run_host

    if not 1 <= args.seats <= 200 or not 0 < (args.tps or 1) <= 100:
        print("perpgame host: --seats is 1 to 200, --tps above 0 and at most 100", file=sys.stderr)
        return EXIT_USAGE
    if args.public_url and not re.fullmatch(
        r"wss?://[A-Za-z0-9.:\[\]-]+(/[A-Za-z0-9._~/-]*)?", args.public_url
    ):
        print("perpgame host: --public-url is a plain ws:// or wss:// address", file=sys.stderr)
        return EXIT_USAGE
    level = _load(args.level)
    log = Path(args.log) if args.log else default_log_path(saves_dir(), level, args.seed)
    return run_host(
        level,
        seats=args.seats,
        host=args.host,
        port=args.port,
        seed=args.seed,
        ticks_per_second=args.tps,
        paused=args.paused,
        log_path=log,
        urls_path=Path(args.urls) if args.urls else None,
        public_url=args.public_url,
    )


def _join(args: argparse.Namespace) -> int:
    import asyncio

    from perpgame.client import TableError, claim_seat, play_actions
    from perpgame.session.inputs import load_inputs

    args.url = args.url or os.environ.get("PERPGAME_TABLE", "")
    if not args.url:
        print("perpgame join: give the table's URL (or set PERPGAME_TABLE)", file=sys.stderr)
        return EXIT_USAGE
    if args.claim:
        try:
            args.url = asyncio.run(claim_seat(args.url))
        except (TableError, TimeoutError) as exc:
            print(f"perpgame join: no seat: {exc}", file=sys.stderr)
            return EXIT_FAIL
    if not args.headless:
        if re.search(r"[?&]seat=host(&|$)", args.url):
            from perpgame.tui.instructor import run_instructor

            return run_instructor(args.url)
        from perpgame.tui.seat import run_seat

        return run_seat(args.url, args.name)
    actions = load_inputs(args.actions) if args.actions else []
    try:
        report = asyncio.run(play_actions(args.url, actions, name=args.name))
    except TableError as exc:
        print(f"perpgame join: {exc}", file=sys.stderr)
        return EXIT_FAIL
    print(json.dumps(report))
    return EXIT_FAIL if report["refused"] else EXIT_OK


def _replay(args: argparse.Namespace) -> int:
    from perpgame.table.log import is_table_log

    path, headless = args.file, args.headless

    if is_table_log(path):
        from perpgame.table.log import replay_command as table_replay

        if not headless:
            print("perpgame replay: a table log is checked headless.", file=sys.stderr)
        return table_replay(path)
    from perpgame.replay_cli import replay_command

    def watch(replay: Replay) -> int:  # the screen is loaded once the replay has been read
        from perpgame.tui.app import watch_replay

        return watch_replay(replay)

    return replay_command(path, headless=headless, watch=None if headless else watch)


def _title(args: argparse.Namespace) -> int:
    from perpgame.tui.app import run_app

    return run_app()


COMMANDS: dict[str | None, Callable[[argparse.Namespace], int]] = {
    "where": _where,
    "schema": _schema,
    "sim": _sim,
    "lab": _lab,
    "check": _check,
    "levels": _levels,
    "screenshots": _screenshots,
    "serve": _serve,
    "host": _host,
    "join": _join,
    "demo": _demo,
    "replay": _replay,
    "play": _play,
    None: _title,
}
"""What each command runs, given its parsed arguments (no command: the title screen)."""
