"""The player's profile, resumable games and replays: JSON files that survive crashes and damage.

Three kinds of file live in the saves folder (the user's data folder, ``$PERPGAME_SAVES`` or
``--saves DIR``: :func:`perpgame.places.saves_dir` decides)::

    profile.json                         levels played and won, stars, best P&L, settings
    resume.json                          the game in progress: level, seed, tick and inputs
    replays/<level>-<seed>-<n>.json      a finished game, to watch again

None of them holds the game's state: a game is a pure function of the level file, the seed and the
player's inputs, so a save holds those and is replayed headless to the saved tick. A save also
holds the SHA-256 of the level file it was made with; when the file has changed since, the save is
refused rather than showing a different game.

Safety rules, every one of them tested:

* Every write is atomic: a temporary file in the same folder, fsync, rename, fsync the folder.
  A crash at any point leaves either the old file or the new one, never a mix.
* Every file carries ``kind`` and a schema ``version``. Older versions are upgraded by the
  functions registered in :data:`MIGRATIONS`; a newer version (written by a newer perpgame) is set
  aside, never misread.
* A file that cannot be read or validated is renamed aside with a UTC timestamp
  (``profile.json.damaged-20261125T143000Z``), its bytes intact and no existing file overwritten;
  :attr:`SaveStore.notices` tells the player in a plain sentence, and the game goes on with what is
  still good (a damaged profile keeps the entries that still validate).
* An unwritable folder is a notice, not a crash: progress stays in memory.
* Saves are JSON validated by pydantic (strict, no unknown fields). Nothing is unpickled or
  evaluated. The wall clock only names set-aside files; it never enters a save or the game.
* Two games may share a folder (two terminals, a terminal and the booth): every profile write
  re-reads the file, applies this game's change and writes, under a lock (``.profile.lock``), so
  both games' results count. A running game holds ``.instance.lock``; a second one is told, and a
  resume save names the game that wrote it. Temporary files left by a crashed save are removed
  when a game starts (:meth:`SaveStore.claim`).
* Only regular files are read (a FIFO is refused before it can block), at most
  :data:`MAX_FILE_BYTES`. No save names an absolute path; a replay's inputs are within what a
  player can ask for, and checking one recomputes every recorded field (:func:`check_replay`).

The package, by seam:

* :mod:`~perpgame.saves.files`: atomic writes, reading only regular files, setting damaged files
  aside, removing a crashed save's debris; :mod:`~perpgame.saves.locks`: the folder's locks;
  :mod:`~perpgame.saves.errors`: what goes wrong, in words.
* :mod:`~perpgame.saves.migrations` and :mod:`~perpgame.saves.models`: what a file may hold, by
  format version; :mod:`~perpgame.saves.salvage`: what is still good in a damaged profile.
* :mod:`~perpgame.saves.saved_level`: finding the level a save was made with, unchanged.
* :mod:`~perpgame.saves.replay`: reading, playing and checking a replay file, without a store.
* :mod:`~perpgame.saves.store`: :class:`SaveStore`, one running game's folder, made of
  :mod:`~perpgame.saves.folder` (notices, writes, reads), :mod:`~perpgame.saves.profiles`,
  :mod:`~perpgame.saves.resume` and :mod:`~perpgame.saves.replay_shelf`.

This module is the package's interface: import from here.
"""

from __future__ import annotations

from perpgame.places import ENV_SAVES, saves_dir
from perpgame.saves.errors import ReplayError
from perpgame.saves.files import MAX_FILE_BYTES, atomic_write
from perpgame.saves.folder import PROFILE_FILE, REPLAYS_DIR, RESUME_FILE
from perpgame.saves.migrations import MIGRATIONS, SCHEMA_VERSION, migrate, migration
from perpgame.saves.models import (
    MAX_TICKS,
    Action,
    LevelProgress,
    Profile,
    Replay,
    ReplayResult,
    ResumeSave,
    Settings,
)
from perpgame.saves.replay import (
    ReplayCheck,
    ReplayDifference,
    check_replay,
    read_replay,
    replay_session,
    told_hash,
)
from perpgame.saves.store import SaveStore

__all__ = [
    "ENV_SAVES",
    "MAX_FILE_BYTES",
    "MAX_TICKS",
    "MIGRATIONS",
    "PROFILE_FILE",
    "REPLAYS_DIR",
    "RESUME_FILE",
    "SCHEMA_VERSION",
    "Action",
    "LevelProgress",
    "Profile",
    "Replay",
    "ReplayCheck",
    "ReplayDifference",
    "ReplayError",
    "ReplayResult",
    "ResumeSave",
    "SaveStore",
    "Settings",
    "atomic_write",
    "check_replay",
    "migrate",
    "migration",
    "read_replay",
    "replay_session",
    "saves_dir",
    "told_hash",
]
