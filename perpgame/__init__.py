"""perpgame: live through a perpetual-futures exchange's liquidation waterfall in your terminal."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("perpgame")  # the one place it is written is pyproject.toml
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"
