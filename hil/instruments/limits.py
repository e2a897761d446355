"""Software safety limits of a source and the ratings of the instruments themselves."""

from __future__ import annotations

from dataclasses import dataclass

from hil.errors import LimitError


@dataclass(frozen=True)
class Ratings:
    """What an instrument model can do at all (its datasheet), per class."""

    v_max_v: float
    i_max_a: float
    width_min_s: float
    """Shortest pulse the instrument makes reliably."""
    width_max_s: float


@dataclass(frozen=True)
class SourceLimits:
    """What this bench allows a source to do (from the bench TOML), per instance.

    Every setter checks them before anything is sent; they can only narrow the ratings.
    """

    v_max_v: float
    """Largest |V| the source may ever apply, V."""
    i_compliance_max_a: float
    """Largest current compliance that may be set, A (the device's forming/SET current cap)."""

    def __post_init__(self) -> None:
        if not (self.v_max_v > 0 and self.i_compliance_max_a > 0):
            raise ValueError(f"source limits must be positive, got {self}")

    def voltage_bounds_v(self, ratings: Ratings) -> tuple[float, float]:
        v = min(self.v_max_v, ratings.v_max_v)
        return (-v, v)

    def compliance_bounds_a(self, ratings: Ratings) -> tuple[float, float]:
        # 1 nA: below every SMU's smallest current range (2400: 1 uA range, 10 pA resolution)
        return (1e-9, min(self.i_compliance_max_a, ratings.i_max_a))

    def check_pulse(self, v: float, width_s: float, ratings: Ratings) -> None:
        """Raise LimitError (before any I/O) for a pulse outside the limits or the ratings."""
        low, high = self.voltage_bounds_v(ratings)
        if not low <= v <= high:
            raise LimitError(f"pulse of {v} V exceeds +-{high:g} V; nothing was sent")
        if not ratings.width_min_s <= width_s <= ratings.width_max_s:
            raise LimitError(
                f"pulse width {width_s:g} s is outside the instrument's "
                f"[{ratings.width_min_s:g}, {ratings.width_max_s:g}] s; nothing was sent"
            )
