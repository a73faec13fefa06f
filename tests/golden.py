"""Golden case files, shared by the engine's and the session's case tests.

A case file is comment lines, then ``[name]`` sections. The test gives what the code produced for
its generated sections; they must equal the file's, or, with ``PERPGAME_UPDATE_CASES=1``, they
are written back in place of the file's (then read the diff: a change there is a change of
behaviour).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path


def parse_sections(text: str, names: Iterable[str]) -> dict[str, str]:
    """The sections of a case file, by name; lines before the first section are comments."""
    known = set(names)
    out: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        if line.startswith("[") and line.endswith("]") and line[1:-1] in known:
            current = line[1:-1]
            out[current] = []
        elif current is not None:
            out[current].append(line)
    return {k: "\n".join(v).strip("\n") + "\n" for k, v in out.items()}


def check_or_update(
    path: Path, text: str, case: dict[str, str], got: dict[str, str | None]
) -> None:
    """Each generated section (None: not generated for this case) equals the file's, in order;
    with ``PERPGAME_UPDATE_CASES`` set, the file is rewritten from the first of them on."""
    if os.environ.get("PERPGAME_UPDATE_CASES"):
        first = f"[{next(iter(got))}]"
        head = text[: text.index(first)] if first in text else text
        out = head.rstrip("\n") + "\n"
        for name, value in got.items():
            if value is not None:
                out += f"\n[{name}]\n{value}"
        path.write_text(out)
        return
    for name, value in got.items():
        if value is not None:
            assert value == case[name], name
