"""Level files: the TOML format, loading with clear errors, and the curriculum.

``load_level(path)`` gives a validated :class:`Level` (every amount in engine units) or raises
:class:`LevelError`, whose ``lines()`` say ``FILE: FIELD: what is wrong``. The format is documented
in ``docs/levels.md``.
"""

from perpgame.level.catalog import curriculum, find_level, level_files, levels_dir, scan_levels
from perpgame.level.errors import LevelError, Problem
from perpgame.level.loader import load_level, load_level_text
from perpgame.level.schema import Level

__all__ = [
    "Level",
    "LevelError",
    "Problem",
    "curriculum",
    "find_level",
    "level_files",
    "levels_dir",
    "load_level",
    "load_level_text",
    "scan_levels",
]
