"""The game screen's widgets, one module each."""

from perpgame.tui.widgets.narrator import Narrator
from perpgame.tui.widgets.objectives import Objectives
from perpgame.tui.widgets.order_book import OrderBook
from perpgame.tui.widgets.order_ticket import OrderTicket, Ticket, TicketLine
from perpgame.tui.widgets.pile import PilePanel
from perpgame.tui.widgets.position import PositionPanel
from perpgame.tui.widgets.price_chart import PriceChart
from perpgame.tui.widgets.quick_order import QuickOrder
from perpgame.tui.widgets.status_bar import Status, StatusBar
from perpgame.tui.widgets.tape import Tape
from perpgame.tui.widgets.waterfall import WaterfallPanel

__all__ = [
    "Narrator",
    "Objectives",
    "OrderBook",
    "OrderTicket",
    "PilePanel",
    "PositionPanel",
    "PriceChart",
    "QuickOrder",
    "Status",
    "StatusBar",
    "Tape",
    "Ticket",
    "TicketLine",
    "WaterfallPanel",
]
