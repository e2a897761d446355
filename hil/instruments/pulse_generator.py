"""Keysight 33500B-series waveform generator as a single-pulse source, for pulses shorter than
the SMUs make (down to 16 ns where the B2900 stops at 50 us and the Keithleys at about 1 ms).

One pulse is a triggered burst of one cycle of the PULSe function, idling at 0 V; negative
pulses invert the output polarity. Commands: Keysight 33500B/33600A Operating and Service Guide,
SCPI chapter.
"""

from __future__ import annotations

from typing import ClassVar

from hil.instruments.limits import Ratings, SourceLimits
from hil.instruments.scpi import (
    Instrument,
    Transport,
    control,
    scpi_bool,
    setting,
    strict_discrete_set,
    strict_range,
)

ON_OFF = {True: "ON", False: "OFF"}


class Keysight33500B(Instrument):
    """Keysight 33500B (33509B-33522B) function/arbitrary waveform generator, one channel."""

    # 33500B datasheet: 20 Vpp into an open circuit (+-10 V with OUTP:LOAD INF), pulse width
    # 16 ns minimum, pulse period up to 1,000,000 s (we cap single pulses at 1 s).
    RATINGS: ClassVar[Ratings] = Ratings(
        v_max_v=10.0, i_max_a=0.2, width_min_s=16e-9, width_max_s=1.0
    )
    SETUP: ClassVar[tuple[str, ...]] = (
        "*RST",
        "OUTP OFF",
        "OUTP:LOAD INF",
        "FUNC PULS",
        "VOLT:LOW 0",
        "BURS:MODE TRIG",
        "BURS:NCYC 1",
        "TRIG:SOUR BUS",
        "BURS:STAT ON",
    )
    PULSE_TRIGGER: ClassVar[str] = "*TRG"

    high_v = setting(
        "VOLT:HIGH {:.6g}",
        "Pulse top, V (the pulse base is VOLT:LOW 0).",
        validator=strict_range,
        values="amplitude_bounds_v",
    )
    pulse_width_s = setting(
        "FUNC:PULS:WIDT {:.6g}",
        "Pulse width, s.",
        validator=strict_range,
        values="width_bounds_s",
    )
    period_s = setting("FUNC:PULS:PER {:.6g}", "Pulse period, s (longer than the width).")
    inverted = setting(
        "OUTP:POL {}",
        "Output polarity: inverted for negative pulses.",
        validator=strict_discrete_set,
        values=(True, False),
        map_values={True: "INV", False: "NORM"},
    )
    output_enabled = control("OUTP?", "OUTP {}", "Output relay.", map_values=ON_OFF, cast=scpi_bool)

    def __init__(self, transport: Transport, limits: SourceLimits, **kwargs: object):
        super().__init__(transport, **kwargs)  # type: ignore[arg-type]
        self.limits = limits

    @property
    def amplitude_bounds_v(self) -> tuple[float, float]:
        # VOLT:HIGH must exceed VOLT:LOW = 0 by at least 1 mVpp (33500B minimum amplitude)
        return (1e-3, self.limits.voltage_bounds_v(self.RATINGS)[1])

    @property
    def width_bounds_s(self) -> tuple[float, float]:
        return (self.RATINGS.width_min_s, self.RATINGS.width_max_s)

    def identify(self) -> str:
        return self.ask("*IDN?")

    def configure(self) -> None:
        """Single triggered pulses from 0 V, output off."""
        for command in self.SETUP:
            self.send(command)
        self.check_errors()

    def pulse(self, v: float, width_s: float) -> None:
        """One pulse of `v` volts (signed) and `width_s` seconds; output off afterwards."""
        self.limits.check_pulse(v, width_s, self.RATINGS)
        self.pulse_width_s = width_s
        self.period_s = max(10 * width_s, 1e-6)  # 10x: duty cycle well inside the 33500B's range
        self.high_v = abs(v)
        self.inverted = v < 0
        self.output_enabled = True
        try:
            self.send(self.PULSE_TRIGGER)
            self.ask("*OPC?")
        finally:
            self.output_enabled = False
        self.check_errors()

    def shutdown(self) -> None:
        self.send("OUTP OFF")
