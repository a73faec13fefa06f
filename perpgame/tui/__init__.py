"""The game in the terminal (Textual): the app, its screens, its widgets, and the one stylesheet."""

from pathlib import Path

STYLESHEET = Path(__file__).with_name("perpgame.tcss")
"""Every static style of the TUI (each app that shows its screens loads it)."""
