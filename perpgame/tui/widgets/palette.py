"""Colours that mean something, taken from the app's theme so the game fits any of them.

Every colour here is doubled by a sign, an arrow or a label in the widgets, so the screen still
reads with ``NO_COLOR``.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.style import Style
from textual.app import App
from textual.color import Color


@dataclass(frozen=True, slots=True)
class Palette:
    bid: Style
    """Buy side: bids, buys, longs."""
    ask: Style
    """Sell side: asks, sells, shorts."""
    gain: Style
    loss: Style
    warn: Style
    accent: Style
    muted: Style
    strong: Style
    book: Style
    """Waterfall stage 1: the order book."""
    vault: Style
    """Waterfall stage 2: the backstop vault."""
    adl: Style
    """Waterfall stage 3: auto-deleveraging."""
    mark: Style
    index: Style
    last: Style
    entry: Style
    liq: Style
    cursor: Style
    """Reversed: lit tags and badges."""
    row: Style
    """The ladder row under the price cursor: a band of the theme's primary colour."""
    flash: Style
    you: Style


_CACHE: dict[str, Palette] = {}


def _colour(variables: dict[str, str], name: str, fallback: str) -> Color:
    try:
        return Color.parse(variables.get(name) or fallback)
    except Exception:  # a theme variable that is not a plain colour
        return Color.parse(fallback)


def palette(app: App) -> Palette:
    """The palette for the app's current theme (built once per theme)."""
    v = app.theme_variables
    # keyed by the colours it is built from: right after a theme switch ``app.theme`` already
    # names the new theme while the variables are still the old one's (a light theme then got
    # the dark theme's white text, cached for good)
    key = f"{app.ansi_color}:{app.current_theme.name}:{v.get('foreground')}:{v.get('background')}"
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    dark = app.current_theme.dark
    success = _colour(v, "success", "#4EBF71")
    error = _colour(v, "error", "#B93C5B")
    warning = _colour(v, "warning", "#FEA62B")
    primary = _colour(v, "primary", "#0178D4")
    accent = _colour(v, "accent", "#FEA62B")
    if dark:  # lift the darker theme colours so thin text stays legible on a dark ground
        error = error.lighten(0.12)
        primary = primary.lighten(0.15)
    green, red, amber, blue = success.hex, error.hex, warning.hex, primary.hex
    ground = _colour(v, "background", "#121212" if dark else "#EFEFEF")
    band = ground.blend(_colour(v, "primary", "#0178D4"), 0.45).hex
    fg = _colour(v, "foreground", "#E0E0E0" if dark else "#202020").hex
    pal = Palette(
        bid=Style(color=green),
        ask=Style(color=red),
        gain=Style(color=green, bold=True),
        loss=Style(color=red, bold=True),
        warn=Style(color=amber, bold=True),
        accent=Style(color=accent.hex, bold=True),
        muted=Style(dim=True),
        strong=Style(bold=True),
        book=Style(color=blue, bold=True),
        vault=Style(color=amber, bold=True),
        adl=Style(color=red, bold=True),
        mark=Style(color=fg, bold=True),
        index=Style(color=blue),
        last=Style(color=amber),
        entry=Style(color=accent.hex),
        liq=Style(color=red, bold=True),
        cursor=Style(reverse=True, bold=True),
        row=Style(bgcolor=band, bold=True),
        flash=Style(color=amber, reverse=True, bold=True),
        you=Style(color=accent.hex, bold=True),
    )
    _CACHE[key] = pal
    return pal
