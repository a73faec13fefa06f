"""perpgame: live through a perpetual-futures exchange's liquidation waterfall in your terminal."""

__version__ = "0.1.0"
