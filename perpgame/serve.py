"""``perpgame serve``: the game in a browser through textual-serve, one game process per visitor.

Every browser tab that connects starts its own ``perpgame`` process (textual-serve does that per
websocket) with its own saves folder under ``ROOT/visitors/``, so visitors never share progress.
Closing the tab sends the process textual-serve's quit message and it exits. The server binds to
loopback unless told otherwise, and serves its own JavaScript and fonts: no internet needed.
"""

from __future__ import annotations

import os
import shlex
import sys
import time
from pathlib import Path

VISITORS = "visitors"


def visitor_saves(root: Path) -> Path:
    """A fresh saves folder for one visitor's process (named by time and process id)."""
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    folder = root / VISITORS / f"{stamp}-{os.getpid()}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def serve(host: str, port: int, saves_root: Path) -> int:
    """Run the web server until interrupted."""
    try:
        from textual_serve.server import Server
    except ImportError:
        print("perpgame serve needs textual-serve: pip install textual-serve", file=sys.stderr)
        return 1
    root = saves_root.resolve()
    command = " ".join(
        shlex.quote(part)
        for part in (sys.executable, "-m", "perpgame", "--visitor-saves", str(root))
    )
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(f"perpgame serve: listening on {host}: anyone who can reach it can play.")
    print(f"perpgame serve: http://{host}:{port}  (Ctrl+C stops the server)", flush=True)
    Server(command, host=host, port=port, title="perpgame").serve()
    return 0
