"""Textual test settings: colour on, animations off, so snapshots are stable."""

import os

os.environ.pop("NO_COLOR", None)
os.environ["TEXTUAL_ANIMATIONS"] = "none"
