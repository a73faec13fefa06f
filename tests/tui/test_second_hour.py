"""The game screen at 80x24 after the first hour: what the last newcomer playtest left confusing.

Each test is one confusion from that playtest's "What still confused me"; it fails on the screen
as it was and passes now.
"""

from __future__ import annotations

import re
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from textual import events
from textual.widgets import Input

from perpgame.level.loader import load_level
from perpgame.session import GameSession
from perpgame.session.frame import PileShare
from perpgame.session.numbers import format_cash
from perpgame.tui.widgets.base import group_name
from tests.tui.harness import GameApp
from tests.tui.test_first_hour import AMOUNT, cents, screen_text
from tests.tui.test_game_screen import calm, feedback, started


def burst(app, text: str) -> None:
    """Hand the app ``text`` as one read from the terminal: every key queued before any is
    handled, as a paste or ``tmux send-keys ':s 3 x50'`` delivers them (Pilot waits per key)."""
    names = {":": "colon", "/": "slash", " ": "space", "@": "at"}
    for char in text:
        key = events.Key(names.get(char, char), char)
        key.set_sender(app)
        app._driver.send_message(key)


async def test_keys_sent_in_one_burst_after_the_colon_all_reach_the_order_line():
    # Before: the keys behind ":" were routed to the screen before ":" gave the line the focus:
    # the line stayed empty (Enter then sent an empty line), or under load `s` sold at market.
    app = calm()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await started(pilot, app)
        burst(app, ":s 3 x50")
        for _ in range(4):
            await pilot.pause()
        line = app.screen.query_one("#order-line", Input)
        assert line.has_focus and line.value == "s 3 x50"
        assert screen.last_sent == "" and app.session.input_log == []
        await pilot.press("enter")
        assert "market sell 3 BTC at 50x" in feedback(screen)


async def test_a_colon_typed_in_the_order_line_is_text():
    # the priority binding must not steal ":" from the line it opened
    app = calm()
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, app)
        await pilot.press("colon", "b", "colon", "slash")
        assert app.screen.query_one("#order-line", Input).value == "b:/"


async def test_the_answer_gets_its_room_back_when_the_line_is_left():
    # Before: Textual kept the typing layout's width on the answer after the line lost focus,
    # so a short answer was cut at 80 columns: "✓ market sell 0.1 BTC at 2x (queued:".
    app = calm()
    async with app.run_test(size=(80, 24)) as pilot:
        answer = feedback(await typed(pilot, app, "s 0.1 x2"))
        assert answer.endswith("(queued: paused)") and answer in screen_text(app)


async def typed(pilot, app, line: str, ticks: int = 0):
    """The started game with ``line`` typed into the order line and sent, ``ticks`` played."""
    screen = await started(pilot, app)
    await pilot.press("colon", *line, "enter")
    screen.advance(ticks)
    await pilot.pause()
    return screen


async def refused_at_80x24(pilot, app):
    """A paused calm game at 80x24 whose last answer is a long refusal, on screen whole."""
    screen = await typed(pilot, app, "b 100", ticks=1)
    answer = feedback(screen)
    assert "refused" in answer and len(answer) > 44 and answer.strip() in screen_text(app)
    assert "press : then" not in screen_text(app)  # the long answer has the hint's room
    return screen


async def test_the_order_line_hint_comes_back_on_the_next_key():
    # Before: after the first long answer the "press : then b 0.5 x10" hint was gone for good.
    app = calm()
    async with app.run_test(size=(80, 24)) as pilot:
        await refused_at_80x24(pilot, app)
        await pilot.press("escape")
        await pilot.pause()
        assert "press : then  b 0.5 x10" in screen_text(app)
        assert "× market buy 100" in screen_text(app)  # the answer stays, cut to its room


async def test_the_order_line_hint_comes_back_once_the_answer_has_aged():
    from perpgame.tui.screens import game

    app = calm()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await refused_at_80x24(pilot, app)
        read_seconds = getattr(game, "READ_SECONDS", 6)
        patience = read_seconds * 1000 // app.session.level.tick_ms  # ticks, at 1x
        screen.advance(patience - 2)
        await pilot.pause()
        assert "press : then" not in screen_text(app)  # still being read
        screen.advance(2)
        await pilot.pause()
        assert "press : then  b 0.5 x10" in screen_text(app)


# ------------------------------------------------------------------ the Pile
SHIPPED_DIR = Path(__file__).resolve().parents[2] / "perpgame" / "levels"
SHIPPED = sorted(SHIPPED_DIR.glob("*.toml"))


@asynccontextmanager
async def playing(path: Path, ticks: int):
    """The shipped level at ``path`` (seed 1) at 80x24, paused, ``ticks`` played in:
    ``(app, pilot, screen)``."""
    app = GameApp(GameSession(load_level(path), 1), paused=True)
    async with app.run_test(size=(80, 24)) as pilot:
        yield app, pilot, await started(pilot, app, ticks=ticks)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
async def test_the_pile_always_lists_the_vault_and_the_house_at_80x24(path):
    # Before: crowded levels cut the list's tail, "… 5 more groups", and the vault and the house,
    # the lesson, were the tail.
    async with playing(path, ticks=3) as (app, _, screen):
        lines = screen.pile.plain_lines()
        names = {group_name(s.group) for s in app.session.frame().pile.shares}
        for pinned in ("vault", "house"):
            if pinned in names:
                assert any(re.search(rf"\b{pinned}\b", line) for line in lines), lines
        assert not any("more groups" in line for line in lines), lines


def test_the_groups_cut_from_the_pile_are_summed_so_the_list_adds_up():
    from perpgame.tui.widgets.pile import fewer_groups

    equity = {"player": 10, "a": 50, "b": 5, "c": 40, "d": 7, "vault": 20, "house": 3}
    shares = tuple(PileShare(g, e, 0, 1) for g, e in equity.items())
    rows = fewer_groups(shares, 5)
    assert [s.group for s in rows] == ["player", "a", "3 more", "vault", "house"]
    assert sum(s.equity for s in rows) == sum(s.equity for s in shares)
    assert [s.group for s in fewer_groups(shares, 2)] == ["vault", "house"]


# ------------------------------------------------------------------ the Chart
def braille_rows(lines: list[str]) -> int:
    return sum(1 for line in lines if any("\u2801" <= ch <= "\u28ff" for ch in line[9:]))


async def test_the_funding_chart_scales_to_mark_and_index_and_points_at_a_far_liquidation():
    # Before (L12 at 80x24, a 2 BTC short): the axis ran up to "L63,602" and mark and index,
    # what the level teaches, were a flat line along two rows at the bottom.
    from perpgame.tui.widgets.base import whole_price

    async with playing(SHIPPED_DIR / "12-funding.toml", ticks=3) as (app, pilot, screen):
        await pilot.press("colon", *"s 2 x20", "enter")
        screen.advance(200)
        screen.show_view("market")
        await pilot.pause()
        lines = screen.chart.plain_lines()
        liq = app.session.frame().position.liquidation_price
        assert lines[0].startswith(f"↑L{whole_price(liq)}┤"), lines  # far above: an arrow
        assert not any("┈" in line for line in lines)  # no liquidation rule across the plot
        assert braille_rows(lines) >= 5, lines  # mark and index fill the chart's height


async def test_a_near_liquidation_is_still_drawn_across_the_chart():
    from tests.tui.test_game_screen import crash

    app = crash()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await started(pilot, app)
        await pilot.press("colon", *"b 3 x20", "enter")
        screen.advance(70)  # into the crash: the liquidation price is near
        screen.show_view("market")
        await pilot.pause()
        lines = screen.chart.plain_lines()
        assert any(line.lstrip().startswith("L") and "┈" in line for line in lines), lines


# ------------------------------------------------------------------ the Pile's Moved line
@pytest.mark.parametrize("level_file", ["10-dodge-the-queue.toml", "11-policy-lab.toml"])
async def test_the_one_line_moved_shows_amounts_at_80_columns_and_they_add_up(level_file):
    # Before: at 80 columns both sides fell back to names only in most ticks of a crowded level
    # ("Moved 16.35 whale-lo… +1 more → whale-sh… +3": every tick of L11's first minute).
    async with playing(SHIPPED_DIR / level_file, ticks=0) as (_, pilot, screen):
        lines = []
        for _ in range(40):
            screen.advance(3)
            await pilot.pause()
            line = next(x for x in screen.pile.plain_lines() if x.startswith("Moved"))
            if "→" in line:
                lines.append(line)
        names_only = 0
        for line in lines:
            head, left, right = re.match(r"Moved (\S+) (.*) → (.*)", line).groups()
            total = cents(head)
            for side in (left, right):
                parts = [cents(a) for a in AMOUNT.findall(side)]
                assert not parts or sum(parts) == total, line  # what is shown adds up
            names_only += all(re.search(r"\+\d", side) for side in (left, right))
        assert len(lines) >= 30
        assert names_only * 10 <= len(lines), [x for x in lines if x.count("+") == 2]


# ------------------------------------------------------------------ the stars in the header
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
async def test_the_header_names_every_star_at_80x24(path):
    # Before: "☐ Close a long $50 or more up ☆★": two bare glyphs, and nothing said which star
    # was which or what ★ and ☆ meant before the debrief.
    async with playing(path, ticks=2) as (app, _, screen):
        header = screen.status_bar.plain_lines()
        assert len(header) == 2, header
        stars = header[1]
        assert stars.lstrip().startswith("Stars: ☆ win"), header
        for goal in app.session.frame().goals:
            if goal.kind == "star":
                assert f"{'★' if goal.done else '☆'} {goal.text}" in stars, header
        assert not re.search("[☆★]{2}", "\n".join(header)), header
        assert screen.status_bar.plain_lines()[0] in screen_text(app)
        assert stars in screen_text(app)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_position_panel_names_the_margin_resting_orders_hold_while_flat(size):
    # Before: "Margin not in use" while a resting bid held most of the cash (lessons5's playtest:
    # free margin fell with no word on the panel).
    app = calm()
    async with app.run_test(size=size) as pilot:
        screen = await started(pilot, app)
        below = app.session.frame().position.mark * 9 // 10 // 100  # 10% under, whole dollars
        await typed(pilot, app, f"b 0.1 @ {below}", ticks=1)
        position = app.session.frame().position
        assert position.size == 0 and position.order_margin > 0
        text = "\n".join(screen.query_one("#position").plain_lines())
        held = re.escape(format_cash(position.order_margin))
        assert re.search(held + r" held by your orders", text), text
        assert "not in use" not in text


async def test_the_adl_words_are_never_cut_on_the_liquidation_line_at_80x24():
    # Before: level 1 at 80x24 read "Liq 10,330.79 ▼83.3% · ADL ●●●●○ 2/9 early o…"; where the
    # place does not fit, the words stand alone ("early out").
    from perpgame.session import PlayerInput
    from perpgame.session.numbers import BUY
    from perpgame.session.rules import PLACES

    level = load_level(SHIPPED_DIR / "01-no-coin.toml")
    app = GameApp(GameSession(level, 1), paused=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await started(pilot, app, ticks=1)
        app.session.submit(PlayerInput.order(app.session.tick, BUY, 2_000))
        seen = 0
        for _ in range(120):
            screen.advance(10)
            await pilot.pause()
            line = next(x for x in screen.query_one("#position").plain_lines() if "ADL" in x)
            assert "…" not in line, line
            if app.session.frame().position.adl_rank is not None:
                assert PLACES[app.session.frame().position.adl_lights][0] in line, line
                seen += 1
        assert seen > 10


@given(
    st.lists(st.text(alphabet="ab☐ $,", min_size=1, max_size=30), min_size=1, max_size=4),
    st.integers(min_value=1, max_value=90),
)
def test_fit_each_keeps_within_the_width_and_cuts_the_longest_part_first(parts, width):
    from perpgame.tui.widgets.base import fit_each

    text = fit_each(parts, width)
    assert len(text) <= width
    if len(" ".join(parts)) <= width:
        assert text == " ".join(parts)
    elif width >= 3 * len(parts) + len(parts) - 1:  # room for two cells and a space a part
        pieces = text.split(" ") if all(" " not in p for p in parts) else None
        if pieces is not None:
            assert [p[0] for p in pieces] == [p[0] for p in parts]


async def test_every_win_goal_keeps_its_start_on_the_status_line_at_80x24():
    # Before: L13's two goals read "☐ Reach the 270-second mark ☐ M…" at 80x24: the second
    # goal, "Make $1,000", was cut to one letter. The longest goal is cut first now.
    level = load_level(SHIPPED_DIR / "13-the-big-one.toml")
    app = GameApp(GameSession(level, 1), paused=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await started(pilot, app, ticks=1)
        top = screen.status_bar.plain_lines()[0]
        assert "☐ Make $1,000" in top and "☐ Reach the" in top, top
