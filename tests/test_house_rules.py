"""The house rules of issue 17, checked on every run: small files, short functions, simple ones.

A file in ``perpgame/`` is at most 600 lines, a function at most 60 lines and of cyclomatic
complexity at most 20 (radon's count). Static CSS strings are not code and do not count. When a
limit fails, the message names every place over it, so the fix starts from the list.
"""

from __future__ import annotations

import ast
from pathlib import Path

from radon.complexity import cc_visit

PACKAGE = Path(__file__).resolve().parents[1] / "perpgame"
MAX_FILE_LINES = 600
MAX_FUNCTION_LINES = 60
MAX_COMPLEXITY = 20


def sources() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_the_package_has_sources() -> None:
    assert len(sources()) > 50  # the rules below must not pass on an empty folder


def test_no_file_is_over_600_lines() -> None:
    long = {
        str(p.relative_to(PACKAGE)): n
        for p in sources()
        if (n := len(p.read_text().splitlines())) > MAX_FILE_LINES
    }
    assert long == {}


def test_no_function_is_over_60_lines() -> None:
    long: dict[str, int] = {}
    for path in sources():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1  # type: ignore[operator]
                if length > MAX_FUNCTION_LINES:
                    long[f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name}"] = length
    assert long == {}


def test_no_function_has_cyclomatic_complexity_over_20() -> None:
    tangled: dict[str, int] = {}
    for path in sources():
        for block in cc_visit(path.read_text()):
            for item in [block, *getattr(block, "methods", ())]:
                if item.complexity > MAX_COMPLEXITY and not hasattr(item, "methods"):
                    tangled[f"{path.relative_to(PACKAGE)}:{item.lineno} {item.fullname}"] = (
                        item.complexity
                    )
    assert tangled == {}
