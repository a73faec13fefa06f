"""`perpgame host` and `perpgame join --headless` as real processes on loopback."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from perpgame.cli import main

from .conftest import DUEL

PERPGAME = [sys.executable, "-m", "perpgame"]


def _wait_for_file(path: Path, proc: subprocess.Popen, seconds: float = 20.0) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.exists():
            return json.loads(path.read_text())
        assert proc.poll() is None, proc.communicate()[1]
        time.sleep(0.05)  # polling a file another process writes, with a deadline
    raise AssertionError(f"{path} did not appear in {seconds} s")


def test_host_and_two_headless_joins_trade_and_the_log_replays(tmp_path, capsys):
    urls_file, log = tmp_path / "urls.json", tmp_path / "table.json"
    host = subprocess.Popen(
        [
            *PERPGAME,
            "host",
            str(DUEL),
            "--seats",
            "2",
            "--port",
            "0",
            "--tps",
            "20",
            "--urls",
            str(urls_file),
            "--log",
            str(log),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    try:
        urls = _wait_for_file(urls_file, host)
        assert all(url.startswith("ws://127.0.0.1:") for url in urls.values())
        (tmp_path / "sell.toml").write_text(
            '[[action]]\ntick = 5\ndo = "sell"\nqty = "0.5"\nprice = "60000"\n'
        )
        (tmp_path / "buy.toml").write_text('[[action]]\ntick = 10\ndo = "buy"\nqty = "0.5"\n')
        joins = [
            subprocess.run(
                [*PERPGAME, "join", urls[seat], "--headless", "--actions", str(tmp_path / f)],
                capture_output=True,
                text=True,
                timeout=60,
            )
            for seat, f in (("seat-2", "sell.toml"), ("seat-1", "buy.toml"))
        ]
        for done in joins:
            assert done.returncode == 0, done.stderr
        seller, buyer = (json.loads(done.stdout) for done in joins)
        assert buyer["account"]["size"] == 5_000 and buyer["tick"] >= 10
        assert seller["seat"] == "seat-2"
        # a booth visitor: --claim with the instructor's URL (from the environment) takes a seat
        # nobody is at; every seat has been used, so it takes seat-1 over, position and all
        claimed = subprocess.run(
            [*PERPGAME, "join", "--claim", "--headless"],
            capture_output=True,
            text=True,
            timeout=60,
            env=os.environ | {"PERPGAME_TABLE": urls["instructor"]},
        )
        assert claimed.returncode == 0, claimed.stderr
        assert json.loads(claimed.stdout)["account"]["size"] == 5_000
    finally:
        host.send_signal(signal.SIGTERM)
        out, err = host.communicate(timeout=30)
    assert host.returncode == 0, err
    assert "table log:" in out
    assert main(["replay", str(log), "--headless"]) == 0
    assert "final state: matches" in capsys.readouterr().out


def test_join_with_a_bad_url_says_so(capsys):
    assert main(["join", "http://example.invalid/", "--headless"]) == 1
    assert "ws://HOST:PORT" in capsys.readouterr().err


def test_serve_puts_visitors_on_a_table_without_the_token_on_a_command_line(tmp_path, capsys):
    from perpgame.serve import game_command, serve

    command = game_command(tmp_path, table=True)
    assert command.endswith("join --claim") and "token" not in command
    assert serve("127.0.0.1", 0, tmp_path, table="ws://127.0.0.1:1/ws?seat=seat-1&token=x") == 2
    assert "instructor's URL" in capsys.readouterr().err


def test_where_lists_the_folder_the_host_writes_table_logs_to(tmp_path, capsys, monkeypatch):
    from perpgame.level.loader import load_level
    from perpgame.table.host import default_log_path

    monkeypatch.delenv("PERPGAME_SAVES", raising=False)
    assert main(["where", "--saves", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith("tables "))
    assert lines[row].split(None, 1)[1] == str(tmp_path / "tables")
    assert "perpgame host" in lines[row + 1] and "perpgame replay" in lines[row + 1]
    log = default_log_path(tmp_path, load_level(DUEL), 1)
    assert log.parent == tmp_path / "tables"


def _host(log: Path, urls: Path) -> subprocess.Popen:
    args = ["host", str(DUEL), "--seats", "1", "--port", "0", "--urls", str(urls)]
    return subprocess.Popen(
        [*PERPGAME, *args, "--paused", "--log", str(log)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_host_started_twice_on_one_log_keeps_both_logs(tmp_path, capsys):
    """Each table claims a free name for its log (never over another file), so the second host
    on the same ``--log`` (or two in the same second on the default name) loses neither."""
    log = tmp_path / "tables" / "table.json"
    first = _host(log, tmp_path / "urls-1.json")
    try:
        _wait_for_file(tmp_path / "urls-1.json", first)
        second = _host(log, tmp_path / "urls-2.json")
        try:
            _wait_for_file(tmp_path / "urls-2.json", second)
        finally:
            second.send_signal(signal.SIGTERM)
            out2, err2 = second.communicate(timeout=30)
    finally:
        first.send_signal(signal.SIGTERM)
        out1, err1 = first.communicate(timeout=30)
    assert first.returncode == 0 and second.returncode == 0, err1 + err2
    second_log = tmp_path / "tables" / "table-2.json"
    assert f"{log} is taken; this table logs to {second_log}" in out2
    assert f"table log: {log} (tick 0)" in out1 and f"table log: {second_log} (tick 0)" in out2
    assert sorted(p.name for p in log.parent.iterdir()) == ["table-2.json", "table.json"]
    for path in (log, second_log):
        assert main(["replay", str(path), "--headless"]) == 0
    assert capsys.readouterr().out.count("final state: matches") == 2
