"""A seat at a shared table, for your own Python program: connect, read, trade.

    import asyncio
    from perpgame.client import TableClient

    async def main(url):
        async with await TableClient.connect(url) as seat:   # the URL `perpgame host` printed
            frame = await seat.next_frame()
            print(seat.best_bid, seat.best_ask, seat.account["equity"])
            await seat.buy("0.1")                            # a market order
            frame = await seat.shown()                       # the first frame that shows it

Prices, quantities and cash in frames are integers in the table's units (``seat.units``): cents,
1/10,000 coin and micro-dollars. Orders take them as text, as level files do ("0.1", "59000").
See ``examples/table_bot.py`` and ``docs/table.md``.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import aiohttp

Frame = dict[str, Any]
FRAMES_KEPT = 16
"""Frames a client keeps for :meth:`TableClient.next_frame` (1.6 s at 10 ticks/s); older go.
Few: a frame is a few hundred Python objects, and fifty clients in one process keeping a hundred
each made the garbage collector stop that process for up to 125 ms (bench/table.py)."""
REPLICA_FRAMES_KEPT = 100
"""A replica's copy of the game needs every frame and arrival: it keeps more (10 s)."""


class TableError(Exception):
    """The table refused a message (``reason``) or the connection is gone."""


class TableClient:
    """One websocket connection to one seat (or, with the host's token, the instructor)."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        ws: aiohttp.ClientWebSocketResponse,
        frames_kept: int = FRAMES_KEPT,
    ) -> None:
        self._http = session
        self._ws = ws
        self._ids = itertools.count(1)
        self._answers: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._frames: asyncio.Queue[Frame] = asyncio.Queue(maxsize=frames_kept)
        self._changed = asyncio.Condition()
        self.welcome: dict[str, Any] = {}
        self.frame: Frame | None = None
        """The newest frame."""
        self.account: dict[str, Any] = {}
        self.market: dict[str, Any] = {}
        """The newest market: a tick's frame's, or after any seat's order applied on arrival
        the ``book`` message's (the book and prices then; its tape is empty, the trades come in
        the next tick's frame)."""
        self.board: list[dict[str, Any]] = []
        self.errors: list[str] = []
        """Errors the table sent that answered no message of ours."""
        self.closed = asyncio.Event()
        self.last_answer: dict[str, Any] | None = None
        """The table's answer to this client's last message it accepted."""
        self._url = ""
        self._reader = asyncio.create_task(self._read())

    # ------------------------------------------------------------ connecting
    @classmethod
    async def connect(
        cls, url: str, *, timeout: float = 10.0, replica: bool = False, name: str | None = None
    ) -> TableClient:
        """Connect to ``ws://HOST:PORT/ws?seat=S&token=T`` and wait for the table's welcome.

        With ``replica``, the welcome holds the table's log so far, every frame the tick's
        inputs, and :meth:`next_frame` also gives every input the table applied on arrival
        (``{"type": "arrival", "input": ...}``), so the client can play the same game itself
        (:mod:`perpgame.table.replica`).
        """
        if replica:
            url += "&replica=1"
        if name:
            url += "&" + urlencode({"name": name})
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        if parts.scheme not in ("ws", "wss") or "seat" not in query or "token" not in query:
            raise TableError("a table URL looks like ws://HOST:PORT/ws?seat=SEAT&token=TOKEN")
        http = aiohttp.ClientSession()
        try:
            ws = await http.ws_connect(url, timeout=aiohttp.ClientWSTimeout(ws_close=timeout))
        except (aiohttp.ClientError, OSError) as exc:
            await http.close()
            raise TableError(f"cannot reach the table at {parts.netloc}: {exc}") from None
        client = cls(http, ws, REPLICA_FRAMES_KEPT if replica else FRAMES_KEPT)
        client._url = url
        try:
            await asyncio.wait_for(client._welcomed(), timeout)
        except BaseException:
            await client.close()
            raise
        return client

    async def _welcomed(self) -> None:
        async with self._changed:
            await self._changed.wait_for(
                lambda: self.welcome or self.errors or self.closed.is_set()
            )
        if not self.welcome:
            raise TableError(self.errors[0] if self.errors else "the table closed the connection")

    async def close(self) -> None:
        await self._ws.close()
        self._reader.cancel()
        await self._http.close()

    async def __aenter__(self) -> TableClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # --------------------------------------------------------------- reading
    @property
    def seat(self) -> str:
        return self.welcome.get("seat", "")

    @property
    def units(self) -> dict[str, int]:
        return self.welcome.get("units", {})

    @property
    def tick(self) -> int:
        return self.market.get("tick", 0)

    @property
    def best_bid(self) -> int | None:
        bids = self.market.get("bids") or []
        return bids[0][0] if bids else None

    @property
    def best_ask(self) -> int | None:
        asks = self.market.get("asks") or []
        return asks[0][0] if asks else None

    async def next_frame(self, timeout: float = 10.0) -> Frame:
        """The next frame not yet taken (the newest ``FRAMES_KEPT``, for a replica
        ``REPLICA_FRAMES_KEPT``, wait to be taken)."""
        return await asyncio.wait_for(self._frames.get(), timeout)

    async def wait_for(self, test: Callable[[Frame], bool], timeout: float = 10.0) -> Frame:
        """Wait (at most ``timeout`` seconds) until the newest frame passes ``test``."""

        def ready() -> bool:
            return self.frame is not None and test(self.frame)

        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: ready() or self.closed.is_set()), timeout
            )
        if not ready():
            raise TableError("the table closed the connection")
        assert self.frame is not None
        return self.frame

    async def wait_market(
        self, test: Callable[[dict[str, Any]], bool], timeout: float = 10.0
    ) -> dict[str, Any]:
        """Wait (at most ``timeout`` seconds) until the newest market (:attr:`market`: of a
        tick's frame, or of a ``book`` message after any seat's order applied on arrival) passes
        ``test``."""
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: test(self.market) or self.closed.is_set()),
                timeout,
            )
        if not test(self.market):
            raise TableError("the table closed the connection")
        return self.market

    async def shown(self, timeout: float = 10.0) -> Frame:
        """The first frame that shows this client's last accepted input applied (see
        :func:`shows_applied`)."""
        if self.last_answer is None:
            raise TableError("no input of this client has been accepted yet")
        return await self.wait_for(shows_applied(self.last_answer), timeout)

    async def _read(self) -> None:
        try:
            async for msg in self._ws:
                if msg.type != aiohttp.WSMsgType.TEXT:
                    continue
                data = json.loads(msg.data)
                kind = data.get("type")
                if kind == "frame":
                    self.frame = data
                    self.market = data["market"]
                    if "account" in data:
                        self.account = data["account"]
                    if data.get("board") is not None:
                        self.board = data["board"]
                    if self._frames.full():
                        self._frames.get_nowait()
                    self._frames.put_nowait(data)
                elif kind == "book":  # any seat's order applied on arrival: the market now
                    self.market = data["market"]
                elif kind == "arrival":  # a replica's: an input applied between two ticks
                    if self._frames.full():
                        self._frames.get_nowait()
                    self._frames.put_nowait(data)
                elif kind == "welcome":
                    self.welcome = data
                    self.market = data.get("market", {})
                    self.account = data.get("account", {})
                    self.board = data.get("board", [])
                elif kind in ("ack", "error"):
                    future = self._answers.pop(data.get("id") or -1, None)
                    if future is not None and not future.done():
                        future.set_result(data)
                    elif kind == "error":
                        self.errors.append(data.get("error", ""))
                async with self._changed:
                    self._changed.notify_all()
        finally:
            self.closed.set()
            for future in self._answers.values():
                if not future.done():
                    future.set_exception(TableError("the table closed the connection"))
            async with self._changed:
                self._changed.notify_all()

    # --------------------------------------------------------------- sending
    async def send(self, message: dict[str, Any], timeout: float = 10.0) -> dict[str, Any]:
        """Send one message and wait for its answer; :class:`TableError` if it was refused."""
        msg_id = next(self._ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._answers[msg_id] = future
        if self.closed.is_set():
            raise TableError("the table closed the connection")
        await self._ws.send_str(json.dumps({**message, "id": msg_id}))
        answer = await asyncio.wait_for(future, timeout)
        if answer["type"] == "error":
            raise TableError(answer["error"])
        self.last_answer = answer
        return answer

    async def send_raw(self, text: str) -> None:
        """Send text as it is (for tests of what the table refuses)."""
        await self._ws.send_str(text)

    async def order(self, side: str, qty: str, price: str | None = None, **options: Any) -> int:
        """A limit order (with ``price``) or a market order, with :func:`order_message`'s
        ``options`` (``leverage``, ``reduce_only``); returns the tick it applies at, or on a
        running table, which applies it on arrival, the tick after which it applied (the answer
        of :meth:`send` also has its ``arrival`` number; :meth:`shown` waits for the frame)."""
        return (await self.send(order_message(side, qty, price, **options)))["tick"]

    async def buy(self, qty: str, price: str | None = None, **kw: Any) -> int:
        return await self.order("buy", qty, price, **kw)

    async def sell(self, qty: str, price: str | None = None, **kw: Any) -> int:
        return await self.order("sell", qty, price, **kw)

    async def close_position(self, price: str | None = None) -> int:
        msg: dict[str, Any] = {"type": "close"}
        if price is not None:
            msg["price"] = price
        return (await self.send(msg))["tick"]

    async def cancel_all(self) -> int:
        return (await self.send({"type": "cancel_all"}))["tick"]

    async def set_leverage(self, value: int) -> int:
        return (await self.send({"type": "leverage", "value": value}))["tick"]

    async def add_margin(self, dollars: str) -> int:
        """Fresh cash into the seat's account ("500", "250.50")."""
        return (await self.send({"type": "add_margin", "amount": dollars}))["tick"]

    async def remove_margin(self, dollars: str) -> int:
        """Cash out of the seat's account (the table says why when it refuses)."""
        return (await self.send({"type": "remove_margin", "amount": dollars}))["tick"]

    # ------------------------------------------------------------ instructor
    async def start(self) -> dict[str, Any]:
        return await self.send({"type": "start"})

    async def pause(self) -> dict[str, Any]:
        return await self.send({"type": "pause"})

    async def speed(self, ticks_per_second: float) -> dict[str, Any]:
        return await self.send({"type": "speed", "ticks_per_second": ticks_per_second})

    async def step(self, ticks: int = 1) -> int:
        """Play ``ticks`` ticks of a paused table now; returns the table's tick after them."""
        return (await self.send({"type": "step", "ticks": ticks}))["tick"]

    async def claim(self) -> str:
        """A free seat's URL (instructor only): for a booth that seats each visitor."""
        answer = await self.send({"type": "claim"})
        parts = urlsplit(self._url)
        query = urlencode({"seat": answer["seat"], "token": answer["token"]})
        return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))

    async def fire(self, event: int) -> int:
        """Fire the level's timeline entry ``event`` at the next tick; returns that tick."""
        return (await self.send({"type": "fire", "event": event}))["tick"]


def shows_applied(answer: dict[str, Any]) -> Callable[[Frame], bool]:
    """The test of a frame that shows an acknowledged input applied: for one a running table
    applied on arrival, ``market["arrivals"]`` at least its ``arrival`` number (the frame sent
    at once); for one that waited for a tick (a paused table), the frame of that tick."""
    if "arrival" in answer:
        number = answer["arrival"]
        return lambda f: f["market"].get("arrivals", 0) >= number
    tick = answer["tick"]
    return lambda f: f["market"]["tick"] >= tick


async def claim_seat(instructor_url: str) -> str:
    """Ask the table (with the host's token) for a free seat; that seat's URL."""
    async with await TableClient.connect(instructor_url) as host:
        return await host.claim()


def _coin(lots: int) -> str:
    return f"{lots // 10_000}.{lots % 10_000:04d}"


def _cash(micros: int) -> str:
    """Cash units (micro-dollars) as dollars, exactly: "500", "0.000001"."""
    whole, rest = divmod(micros, 1_000_000)
    return f"{whole}.{rest:06d}".rstrip("0").rstrip(".")


def _dollars(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def order_message(
    side: str,
    qty: str,
    price: str | None = None,
    *,
    leverage: int | None = None,
    reduce_only: bool = False,
) -> dict[str, Any]:
    """An order as the table reads it: ``price`` makes it a limit order; defaults are left out."""
    msg: dict[str, Any] = {"type": "order", "side": side, "qty": qty}
    if price is not None:
        msg["price"] = price
    if leverage is not None:
        msg["leverage"] = leverage
    if reduce_only:
        msg["reduce_only"] = True
    return msg


def action_message(action: Any) -> dict[str, Any]:
    """An actions-file input (a ``PlayerInput``) as a table message."""
    kind = action.kind
    price = _dollars(action.price) if action.price is not None else None
    if kind == "order":
        side = "buy" if action.side > 0 else "sell"
        return order_message(
            side,
            _coin(action.qty),
            price,
            leverage=action.leverage,
            reduce_only=action.reduce_only,
        )
    msg: dict[str, Any] = {"type": kind}
    if kind == "close" and price is not None:
        msg["price"] = price
    if kind == "cancel":
        msg["order"] = action.order_id
    if kind == "leverage":
        msg["value"] = action.leverage
    if kind in ("add_margin", "remove_margin"):
        msg["amount"] = _cash(action.amount)
    return msg


async def play_actions(
    url: str, actions: list[Any], timeout: float = 60.0, name: str | None = None
) -> dict[str, Any]:
    """Play a seat from an actions file: each input is sent once the table has played the tick
    before its own, so it applies at that tick (a paused table) or right after the tick before
    (a running table applies it on arrival); if the table is past it, as soon as it is sent.
    Returns the seat's account once the last input shows, and what was refused."""
    refused: list[str] = []
    async with await TableClient.connect(url, name=name) as seat:
        for action in sorted(actions, key=lambda a: a.tick):
            if action.tick - 1 > seat.tick:
                await seat.wait_for(
                    lambda f, t=action.tick - 1: f["market"]["tick"] >= t, timeout=timeout
                )
            try:
                await seat.send(action_message(action))
            except TableError as exc:
                refused.append(f"tick {action.tick}: {exc}")
        if seat.last_answer is not None:
            await seat.shown(timeout)
        return {
            "seat": seat.seat,
            "tick": seat.tick,
            "account": seat.account,
            "refused": refused,
        }


__all__ = [
    "Frame",
    "TableClient",
    "TableError",
    "action_message",
    "claim_seat",
    "play_actions",
    "shows_applied",
]
