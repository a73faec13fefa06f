"""``perpgame host``: one authoritative table in one process, served over websockets (aiohttp).

The ticker steps the table at the chosen rate and pushes a frame to every seat after each tick.
Messages are handled on the same event loop, so the table is only ever touched by one thing at a
time. While the table runs, a seat's input is applied when it arrives (as a venue matches an order
on arrival), acknowledged with the tick after which it applied and its arrival number, and the
seat gets a frame of the market and its account at once (``arrived``: that number); every other
seat gets the market after it at once (``{"type": "book"}``, as a venue's market data goes out),
and seats that play their own copy of the game get every arrival instead (``{"type": "arrival"}``).
While it is paused,
an input waits for the next tick and is acknowledged with that tick. Every
connection has a send queue of its own, so a slow client never holds the table up: it misses
frames (each frame is whole, so the next one is enough) and is cut off if it falls far behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import time
from collections.abc import Callable
from typing import Any

from aiohttp import WSMsgType, web

from perpgame.table import views
from perpgame.table.core import Table, TableError
from perpgame.table.debrief import table_debrief, who_paid_whom
from perpgame.table.log import table_log
from perpgame.table.protocol import (
    MAX_MESSAGE_BYTES,
    BadMessage,
    Claim,
    Fire,
    Hello,
    InstructorMessage,
    Pause,
    RateLimit,
    Speed,
    Start,
    Step,
    parse,
    to_action,
)

INSTRUCTOR = "host"
"""The seat name an instructor says hello with (with the host's token)."""
QUEUE = 256
"""Messages waiting to be sent to one connection before it is cut off as too slow."""
HELLO_SECONDS = 10.0
CLAIM_SECONDS = 60.0
"""A seat handed out by a claim is not handed out again this soon (its visitor is joining)."""
MAX_CONNECTIONS_PER_SEAT = 4
"""Open connections the table accepts: this many per seat, and a few more (instructors)."""
BOARD_EVERY = 10
"""Ticks between leaderboards in the seats' frames (the instructor gets one every tick)."""


class _Conn:
    """One websocket and its send queue."""

    def __init__(self, ws: web.WebSocketResponse) -> None:
        self.ws = ws
        self.queue: asyncio.Queue[str | list[str] | None] = asyncio.Queue(QUEUE)
        self.seat: str | None = None
        self.replica = False
        """True when the client plays the game itself from every input (``replica=1``)."""
        self._book: list[str] | None = None
        """The ``book`` message waiting last in the queue, while nothing has been queued after it:
        a newer book takes its place (each is whole), so a seat that reads slowly at a busy table
        is not cut off for the market data alone."""
        self.sender = asyncio.create_task(self._send_all())

    def send(self, text: str) -> None:
        self._book = None  # what follows it keeps its place: the book before it stays as it is
        self._put(text)

    def send_book(self, text: str) -> None:
        """Queue the market after an arrival, or put it in place of the one still waiting."""
        if self._book is not None:
            self._book[0] = text
            return
        self._book = [text]
        self._put(self._book)

    def _put(self, item: str | list[str]) -> None:
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:  # far behind: cut it off (it can join again)
            self.close(drop=True)

    def close(self, *, drop: bool = False) -> None:
        """Close once what is queued has been sent (or at once, dropping it, with ``drop``)."""
        while drop or self.queue.full():
            if self.queue.empty():
                break
            self.queue.get_nowait()
        self.queue.put_nowait(None)

    async def _send_all(self) -> None:
        try:
            while (item := await self.queue.get()) is not None:
                if isinstance(item, list):  # the newest book (see send_book)
                    if item is self._book:
                        self._book = None
                    item = item[0]
                await self.ws.send_str(item)
        except (ConnectionError, RuntimeError):
            pass
        finally:
            await self.ws.close()


class TableServer:
    """A :class:`Table` behind a websocket endpoint at ``/ws`` (and ``/`` for people)."""

    def __init__(
        self,
        table: Table,
        *,
        ticks_per_second: float,
        running: bool = True,
        on_end: Callable[[TableServer], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.table = table
        self.tokens = {seat: secrets.token_urlsafe(16) for seat in table.seats}
        self.host_token = secrets.token_urlsafe(16)
        self.tps = ticks_per_second
        self.running = running
        self.on_end = on_end
        self.clock = clock
        self.conns: dict[str, _Conn] = {}
        self.instructors: list[_Conn] = []
        self.step_seconds: list[float] = []
        """How long each tick took to play and send (for the benchmark)."""
        self._wake = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._ticker: asyncio.Task | None = None
        self._ended = False
        self._seat_set = set(table.seats)
        self._inputs_sent = 0
        self._open = 0
        self.claimed: dict[str, float] = {}
        """When each seat was last handed out by a ``claim``."""
        self.joined: set[str] = set()
        self.names: dict[str, str] = {}
        """What the players at the seats call themselves (shown beside the seat; not logged)."""
        """Seats someone has joined."""
        self.hello_seconds = HELLO_SECONDS
        """A connection that has not said who it is by then is closed."""
        self.paid: list[str] = []
        """Who paid whom so far: every liquidation and deleverage with a seat on a side."""
        self.debrief: dict[str, Any] | None = None
        """The table debrief, once the game has ended."""
        self.address: tuple[str, int] | None = None

    # ------------------------------------------------------------------ life
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> tuple[str, int]:
        app = web.Application()
        app.router.add_get("/ws", self._websocket)
        app.router.add_get("/", self._about)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound = self._runner.addresses[0]
        self.address = (bound[0], bound[1])
        self._ticker = asyncio.create_task(self._tick_loop())
        return self.address

    async def stop(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
        for conn in [*self.conns.values(), *self.instructors]:
            conn.close()
        if self._runner is not None:
            await self._runner.cleanup()

    def url(self, seat: str | None = None, public: str | None = None) -> str:
        """The address a seat (or, with no seat, the instructor) joins with, token included.

        ``public`` is the table's address as players reach it (``wss://event.example/t1``, behind
        a reverse proxy); without it, the address the server is bound to.
        """
        assert self.address is not None
        host, port = self.address
        base = public.rstrip("/") if public else f"ws://{host}:{port}"
        token = self.host_token if seat is None else self.tokens[seat]
        return f"{base}/ws?seat={seat or INSTRUCTOR}&token={token}"

    # ----------------------------------------------------------------- ticks
    async def _tick_loop(self) -> None:
        deadline = self.clock()
        while True:
            if not self.running or not self.table.playing:
                self._wake.clear()
                await self._wake.wait()
                deadline = self.clock()
                continue
            self.play(1)
            deadline += 1 / self.tps
            wait = deadline - self.clock()
            if wait < -1:  # far behind (a slow machine): do not try to catch up in a burst
                deadline = self.clock()
            self._wake.clear()
            if wait > 0:
                try:
                    await asyncio.wait_for(self._wake.wait(), wait)
                    deadline = self.clock()
                except TimeoutError:
                    pass
            else:
                await asyncio.sleep(0)  # let messages in between ticks

    def play(self, ticks: int) -> None:
        """Play up to ``ticks`` ticks now, sending a frame to everyone after each."""
        for _ in range(ticks):
            began = self.clock()
            if not self.table.step():
                break
            self._broadcast()
            self.step_seconds.append(self.clock() - began)
        if not self.table.playing and not self._ended:
            self._ended = True
            if self.on_end is not None:
                self.on_end(self)

    def _broadcast(self) -> None:
        session = self.table.session
        market_view = self._market_view(self.table.events_since)
        self.paid += who_paid_whom(market_view, self._seat_set)
        market = json.dumps(market_view, separators=(",", ":"))
        notes: dict[int, list[str]] = {}
        for account_id, story in session.seat_notes:
            notes.setdefault(account_id, []).append(story.text)
        session.seat_notes.clear()
        rows = None
        if self.instructors or session.tick % BOARD_EVERY == 0 or not self.table.playing:
            rows = views.leaderboard(session, self.table.seats, self.names)
        board = json.dumps(rows, separators=(",", ":"))
        shared_board = None  # the seats' board: place, seat and profit only
        if rows is not None and (session.tick % BOARD_EVERY == 0 or not self.table.playing):
            short = [{"seat": r["seat"], "name": r["name"], "pnl": r["pnl"]} for r in rows]
            shared_board = json.dumps(short, separators=(",", ":"))
        log = session.input_log
        played = [a.to_dict() for a in log[self._inputs_sent :]]
        self._inputs_sent = len(log)
        fired = [i for t, i in self.table.fires if t == session.tick]
        inputs = ',"inputs":' + json.dumps(played) + ',"fires":' + json.dumps(fired)
        end = ""
        if not self.table.playing:
            self.debrief = table_debrief(session, self.table.seats, self.paid, self.names)
            end = ',"debrief":' + json.dumps(self.debrief, separators=(",", ":"))
        for seat, conn in self.conns.items():
            account = views.seat_view(session, seat)
            account["notes"] = notes.get(session.seats[seat], [])
            text = '{"type":"frame","market":' + market + ',"account":' + json.dumps(account)
            if shared_board is not None:
                text += ',"board":' + shared_board
            conn.send(text + end + (inputs if conn.replica else "") + "}")
        if self.instructors:
            text = '{"type":"frame","market":' + market + ',"board":' + board + end + "}"
            for conn in self.instructors:
                conn.send(text)

    # -------------------------------------------------------------- messages
    async def _about(self, request: web.Request) -> web.Response:
        t = self.table
        return web.json_response(
            {"level": t.level.id, "seats": len(t.seats), "tick": t.tick, "playing": t.playing}
        )

    async def _websocket(self, request: web.Request) -> web.WebSocketResponse:
        if self._open >= MAX_CONNECTIONS_PER_SEAT * len(self.table.seats) + 8:
            raise web.HTTPServiceUnavailable(text="the table has too many connections\n")
        ws = web.WebSocketResponse(max_msg_size=64 * 1024, heartbeat=30)
        await ws.prepare(request)
        conn = _Conn(ws)
        self._open += 1
        loop = asyncio.get_running_loop()
        loop.call_later(self.hello_seconds, lambda: conn.seat is None and conn.close(drop=True))
        limit = RateLimit()
        query_seat = request.query.get("seat")
        query_token = request.query.get("token")
        conn.replica = request.query.get("replica") == "1"
        if query_seat is not None and query_token is not None:
            hello = {"type": "hello", "seat": query_seat, "token": query_token}
            if "name" in request.query:
                hello["name"] = request.query["name"]
            self._handle(conn, json.dumps(hello))
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    if msg.type == WSMsgType.BINARY:
                        conn.send(_error(None, "messages are JSON text"))
                    continue
                if not limit.allow(self.clock()):
                    conn.send(_error(_id_of(msg.data), "too many messages: slow down"))
                    continue
                self._handle(conn, msg.data)
        finally:
            if conn.seat is not None and self.conns.get(conn.seat) is conn:
                del self.conns[conn.seat]  # the seat stays at the table; only its link is gone
            if conn in self.instructors:
                self.instructors.remove(conn)
            conn.close()
            await conn.sender
            self._open -= 1
        return ws

    def _handle(self, conn: _Conn, raw: str) -> None:
        try:
            msg = parse(raw)
        except BadMessage as exc:
            conn.send(_error(_id_of(raw), str(exc)))
            return
        if isinstance(msg, Hello):
            self._hello(conn, msg)
        elif conn.seat is None:
            conn.send(_error(msg.id, "say hello with your seat and token first"))
        elif isinstance(msg, InstructorMessage):
            if conn.seat != INSTRUCTOR:
                conn.send(_error(msg.id, "only the instructor can do that"))
            else:
                self._instruct(conn, msg)
        elif conn.seat == INSTRUCTOR:
            conn.send(_error(msg.id, "the instructor has no seat to trade"))
        else:
            self._seat_input(conn, msg)

    def _market_view(self, events: list) -> dict[str, Any]:
        """The market every frame carries, with ``events`` in its tape, and the count of arrivals
        so far (a seat's copy checks it is not missing one)."""
        view = views.market_view(self.table.session, events)
        view["arrivals"] = len(self.table.arrivals)
        return view

    def _seat_input(self, conn: _Conn, msg: Any) -> None:
        """Apply (running) or queue (paused) a seat's input; ack it; show an arrival at once."""
        assert conn.seat is not None
        table = self.table
        arrived, noted = len(table.arrivals), len(table.session.seat_notes)
        try:
            tick = table.submit(conn.seat, to_action(msg), now=self.running)
        except TableError as exc:
            conn.send(_error(msg.id, str(exc)))
            return
        if len(table.arrivals) == arrived:
            conn.send(_json({"type": "ack", "id": msg.id, "tick": tick}))
            return
        number = len(table.arrivals)
        conn.send(_json({"type": "ack", "id": msg.id, "tick": tick, "arrival": number}))
        session = table.session
        notes = [story.text for _, story in session.seat_notes[noted:]]
        del session.seat_notes[noted:]  # told now, in the seat's arrival frame
        market = _json(self._market_view([]))
        account = _json(views.seat_view(session, conn.seat) | {"notes": notes})
        conn.send(f'{{"type":"frame","market":{market},"account":{account},"arrived":{number}}}')
        self._feed(conn, market, table.arrivals[-1])

    def _feed(self, sender: _Conn, market: str, arrival: Any) -> None:
        """Every seat hears of an input applied on arrival at once, as a venue's market data
        goes out: a seat that plays its own copy gets the input (the sender too: its copy plays
        it), any other a ``book`` message with the market after it (its trades come in the next
        tick's frame; the sender has had its own frame)."""
        book = f'{{"type":"book","market":{market}}}'
        played = None
        for other in self.conns.values():
            if other.replica:
                played = played or _json({"type": "arrival", "input": arrival.to_dict()})
                other.send(played)
            elif other is not sender:
                other.send_book(book)

    def _hello(self, conn: _Conn, msg: Hello) -> None:
        if conn.seat is not None:
            conn.send(_error(msg.id, f"this connection is already seat {conn.seat}"))
            return
        if msg.seat == INSTRUCTOR:
            ok = secrets.compare_digest(msg.token.encode(), self.host_token.encode())
        else:
            want = self.tokens.get(msg.seat)
            ok = want is not None and secrets.compare_digest(msg.token.encode(), want.encode())
        if not ok:
            conn.send(_error(msg.id, "no such seat, or the token is not that seat's"))
            return
        conn.seat = msg.seat
        if msg.seat == INSTRUCTOR:
            self.instructors.append(conn)
        else:
            old = self.conns.get(msg.seat)
            if old is not None:  # the same seat from somewhere new: the newest link wins
                old.send(_error(None, "your seat was joined from another connection"))
                old.close()
            self.conns[msg.seat] = conn
            self.joined.add(msg.seat)
            if msg.name is not None:
                self.names[msg.seat] = msg.name
        t = self.table
        welcome: dict[str, Any] = {
            "type": "welcome",
            "id": msg.id,
            "seat": msg.seat,
            "level": t.level.id,
            "title": t.level.title,
            "tick": t.tick,
            "tick_limit": t.level.tick_limit,
            "seats": t.seats,
            "units": views.UNITS,
            "running": self.running,
            "timeline": len(t.level.timeline),
        }
        if msg.seat != INSTRUCTOR:
            welcome["account"] = views.seat_view(t.session, msg.seat)
            rows = views.leaderboard(t.session, t.seats, self.names)
            welcome["board"] = [
                {"seat": r["seat"], "name": r["name"], "pnl": r["pnl"]} for r in rows
            ]
            if conn.replica:  # everything needed to play the same game on the client
                welcome["history"] = table_log(t).model_dump(mode="json")
        else:
            welcome["events"] = views.timeline_view(t.level)
            welcome["board"] = views.leaderboard(t.session, t.seats, self.names)
            welcome["tps"] = self.tps
        welcome["market"] = self._market_view(t.events_since)
        conn.send(_json(welcome))

    def _free_seat(self) -> str | None:
        """A seat nobody has used yet; else one nobody is at (its position stays: the visitor
        takes it over), not claimed in the last ``CLAIM_SECONDS``."""
        now = self.clock()
        fresh = [s for s in self.table.seats if s not in self.claimed and s not in self.joined]
        if fresh:
            return fresh[0]
        for seat in self.table.seats:
            recent = now - self.claimed.get(seat, -CLAIM_SECONDS) < CLAIM_SECONDS
            if seat not in self.conns and not recent:
                return seat
        return None

    def _instruct(self, conn: _Conn, msg: InstructorMessage) -> None:
        tick = self.table.tick
        if isinstance(msg, Start):
            self.running = True
        elif isinstance(msg, Pause):
            self.running = False
        elif isinstance(msg, Speed):
            self.tps = msg.ticks_per_second
        elif isinstance(msg, Step):
            if self.running:
                conn.send(_error(msg.id, "pause the table before stepping it"))
                return
            self.play(msg.ticks)
            tick = self.table.tick
        elif isinstance(msg, Claim):
            seat = self._free_seat()
            if seat is None:
                conn.send(_error(msg.id, "every seat at this table is taken"))
                return
            self.claimed[seat] = self.clock()
            answer = {"type": "ack", "id": msg.id, "tick": tick, "running": self.running}
            conn.send(_json(answer | {"tps": self.tps, "seat": seat, "token": self.tokens[seat]}))
            return
        elif isinstance(msg, Fire):
            try:
                tick = self.table.fire(msg.event)
            except TableError as exc:
                conn.send(_error(msg.id, str(exc)))
                return
        self._wake.set()
        answer = {"type": "ack", "id": msg.id, "tick": tick, "running": self.running}
        conn.send(_json(answer | {"tps": self.tps}))


def _id_of(raw: str) -> int | None:
    """The ``id`` of a message that is not valid otherwise, when it has a plain one."""
    if len(raw) > MAX_MESSAGE_BYTES:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    msg_id = data.get("id") if isinstance(data, dict) else None
    return msg_id if type(msg_id) is int and 0 <= msg_id <= 2**53 else None


def _json(data: dict[str, Any]) -> str:
    return json.dumps(data, separators=(",", ":"))


def _error(msg_id: int | None, text: str) -> str:
    return _json({"type": "error", "id": msg_id, "error": text})


__all__ = ["INSTRUCTOR", "MAX_MESSAGE_BYTES", "TableServer"]
