"""The rules of one market, as plain integers (the level layer fills these from TOML)."""

from __future__ import annotations

from dataclasses import dataclass, replace

MARK_METHODS = ("index", "mid", "last", "median")
ADL_TRIGGERS = ("deficit", "takeover")


@dataclass(frozen=True, slots=True)
class MarketConfig:
    """Everything that decides how the exchange behaves; rates are parts per million."""

    symbol: str = "BTC-PERP"
    tick_size: int = 1
    """Smallest price step, in cents."""
    lot_size: int = 1
    """Smallest quantity step, in lots of 1e-4 coin."""
    max_leverage: int = 20
    maintenance_ppm: int = 25_000
    """Maintenance margin fraction (2.5%)."""
    taker_fee_ppm: int = 500
    maker_fee_ppm: int = 100
    liquidation_fee_ppm: int = 5_000
    """Charged on what the book fills of a liquidation, paid to the vault, never beyond equity."""
    mark_method: str = "median"
    funding_interval: int = 0
    """Ticks between funding payments; 0 turns funding off."""
    funding_interest_ppm: int = 100
    funding_clamp_ppm: int = 500
    funding_cap_ppm: int = 40_000
    partial_liquidation_ppm: int = 0
    """Fraction of a position sent to the book per liquidation step; 0 means all of it."""
    partial_min_notional: int = 0
    """Positions at or below this notional (cash units) are liquidated whole."""
    backstop_ppm: int = 666_667
    """The vault takes over at once when equity falls below this fraction of maintenance."""
    adl_policy: str = "pnl_leverage"
    adl_trigger: str = "takeover"
    """When ADL may close winners: ``deficit`` (Hyperliquid, dYdX v4) only against an account whose
    equity is below zero; ``takeover`` (BitMEX) whatever the book and the vault could not take at
    the bankruptcy price."""
    vault_leverage: int = 5
    """The vault takes positions only while its equity covers their margin at this leverage."""
    vault_max_notional: int = 0
    """A cap on the vault's position notional (cash units); 0 means no cap."""
    book_liquidation: bool = True
    """False skips stage 1: positions go straight to the vault (an empty-book exchange)."""
    seed: int = 0

    def __post_init__(self) -> None:
        if self.mark_method not in MARK_METHODS:
            raise ValueError(f"mark_method must be one of {', '.join(MARK_METHODS)}")
        for name in ("tick_size", "lot_size", "max_leverage", "vault_leverage"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if not 0 < self.maintenance_ppm < 1_000_000:
            raise ValueError("maintenance_ppm must be between 0 and 1,000,000")
        if self.maintenance_ppm * self.max_leverage >= 1_000_000:
            raise ValueError("maintenance margin must be below the initial margin at max leverage")
        if self.maintenance_ppm * self.vault_leverage >= 1_000_000:
            raise ValueError(
                "vault leverage is too high: its initial margin must stay above maintenance"
            )
        if self.adl_trigger not in ADL_TRIGGERS:
            raise ValueError(f"adl_trigger must be one of {', '.join(ADL_TRIGGERS)}")
        for name in (
            "taker_fee_ppm",
            "maker_fee_ppm",
            "liquidation_fee_ppm",
            "partial_min_notional",
        ):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if not 0 <= self.partial_liquidation_ppm <= 1_000_000:
            raise ValueError("partial_liquidation_ppm must be between 0 and 1,000,000")
        if not 0 <= self.backstop_ppm <= 1_000_000:
            raise ValueError("backstop_ppm must be between 0 and 1,000,000")

    def with_changes(self, **changes: object) -> MarketConfig:
        """A copy with some settings changed (a level's timeline can do this mid-game)."""
        return replace(self, **changes)
