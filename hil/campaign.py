"""Retention campaigns: read a programmed array at log-spaced times and append every read at once.

Time zero is the end of programming. On a chip with virtual time (simulators) the campaign advances
the chip's clock to each read time, integrating any bake steps at their temperature; on a real chip
it waits on the monotonic clock. Every read is appended to the measurement file (and flushed) the
moment it is taken, with a simulator checkpoint written just before it, so a killed run loses at
most the read in flight and `resume` continues from the next scheduled time.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from hil.chip import Chip
from hil.store import MeasurementFile

ROOM_TEMPERATURE_K = 300.0
"""Ambient of the schedule; the device model's Arrhenius reference (device_models.md 6.3)."""


@dataclass(frozen=True)
class BakeStep:
    """Hold the array at `temperature_k` for `duration_s`, starting `start_s` after programming."""

    start_s: float
    duration_s: float
    temperature_k: float

    def __post_init__(self) -> None:
        if self.start_s < 0 or self.duration_s <= 0:
            raise ValueError(f"a bake needs start_s >= 0 and duration_s > 0, got {self}")
        if not 250.0 <= self.temperature_k <= 600.0:
            raise ValueError(f"bake temperature {self.temperature_k} K outside 250..600 K")

    @classmethod
    def parse(cls, text: str) -> BakeStep:
        """`TEMP_K:DURATION_S@START_S`, e.g. `358:3600@1e4` (85 C for 1 h from 10^4 s)."""
        try:
            temp, rest = text.split(":")
            duration, start = rest.split("@")
            return cls(float(start), float(duration), float(temp))
        except ValueError as error:
            raise ValueError(
                f"bake {text!r}: expected TEMP_K:DURATION_S@START_S, e.g. 358:3600@1e4 ({error})"
            ) from None


@dataclass(frozen=True)
class Schedule:
    """Read times (s after programming) and the temperature history between them."""

    t_s: np.ndarray
    bakes: tuple[BakeStep, ...] = ()
    ambient_k: float = ROOM_TEMPERATURE_K

    @classmethod
    def log_spaced(
        cls,
        until_s: float,
        per_decade: int,
        start_s: float = 1.0,
        *,
        include_zero: bool = True,
        bakes: Sequence[BakeStep] = (),
        ambient_k: float = ROOM_TEMPERATURE_K,
    ) -> Schedule:
        """`per_decade` log-spaced reads from `start_s` to `until_s`, plus one at t = 0."""
        if not 0 < start_s <= until_s or per_decade < 1:
            raise ValueError(
                f"need 0 < start ({start_s}) <= until ({until_s}) "
                f"and per_decade >= 1 ({per_decade})"
            )
        decades = np.log10(until_s / start_s)
        count = max(round(decades * per_decade) + 1, 1)
        times = np.geomspace(start_s, until_s, count) if count > 1 else np.array([start_s])
        if include_zero:
            times = np.concatenate([[0.0], times])
        return cls(np.round(times, 9), tuple(bakes), ambient_k)

    def temperature_at(self, t_s: float) -> float:
        for bake in self.bakes:
            if bake.start_s <= t_s < bake.start_s + bake.duration_s:
                return bake.temperature_k
        return self.ambient_k

    def segments(self, t0_s: float, t1_s: float) -> list[tuple[float, float]]:
        """(duration_s, temperature_k) pieces of the interval [t0, t1], split at bake edges."""
        edges = {t0_s, t1_s}
        for bake in self.bakes:
            edges.update(
                e for e in (bake.start_s, bake.start_s + bake.duration_s) if t0_s < e < t1_s
            )
        points = sorted(edges)
        return [(b - a, self.temperature_at(a)) for a, b in itertools.pairwise(points)]

    def settings(self) -> dict[str, object]:
        return {"bakes": [asdict(b) for b in self.bakes], "ambient_k": self.ambient_k}


Block = tuple[int, int, int, int]
"""(row0, col0, n_rows, n_cols) on the chip."""


@dataclass
class Campaign:
    """A retention campaign bound to a chip and a file (see the module docstring)."""

    chip: Chip
    store: MeasurementFile
    schedule: Schedule
    block: Block
    n_reads: int = 1
    checkpoint: Callable[[], None] | None = None
    """Called just before each read is committed (simulators save their state here)."""
    sleep: Callable[[float], None] = time.sleep
    monotonic: Callable[[], float] = time.monotonic
    wall: Callable[[], float] = time.time
    """UTC seconds; t = 0 of a real chip is stored as UTC so that another process can resume."""
    pace_s: float = 0.0
    """Real seconds to wait between reads on a virtual-time chip (to watch a run live)."""

    def run(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Take every scheduled read not yet in the file; returns how many this call took."""
        info = self.chip.info()
        origin = self._origin(info.virtual_time)
        done = self.store.n_reads
        total = len(self.schedule.t_s)
        for index in range(done, total):
            t_s = float(self.schedule.t_s[index])
            if info.virtual_time:
                self._advance_virtual(origin, t_s)
                if self.pace_s:
                    self.sleep(self.pace_s)
            else:
                self.sleep(max(0.0, origin + t_s - self.monotonic()))
            g_us = self.chip.read_block(*self.block, n_reads=self.n_reads)
            if self.checkpoint is not None:
                self.checkpoint()
            self.store.append_read(t_s, self.schedule.temperature_at(t_s), g_us)
            if progress is not None:
                progress(index + 1, total)
        return total - done

    def _origin(self, virtual: bool) -> float:
        """t = 0 on the chip clock (virtual) or on this process's monotonic clock (real)."""
        settings = self.store.read_settings()
        if virtual:
            return float(settings["t0_chip_s"])
        return self.monotonic() - (self.wall() - float(settings["t0_utc_s"]))

    def _advance_virtual(self, origin: float, t_s: float) -> None:
        now_rel = self.chip.time_s() - origin  # current time relative to programming
        for duration_s, temperature_k in self.schedule.segments(now_rel, t_s):
            self.chip.advance_time(duration_s, temperature_k)
        self.chip.set_temperature(self.schedule.ambient_k)


def start_reads(
    store: MeasurementFile, chip: Chip, schedule: Schedule, block: Block, n_reads: int
) -> None:
    """Create the read datasets with the campaign's settings and its t = 0 on the chip clock."""
    virtual = chip.info().virtual_time
    settings: dict[str, object] = {**schedule.settings(), "n_reads": n_reads}
    if virtual:
        settings["t0_chip_s"] = chip.time_s()
    else:
        settings["t0_utc_s"] = time.time()
    store.init_reads(block, schedule.t_s, settings)
