"""Source-measure units: Keithley 2400 series, Keithley 2450 and Keysight B2900 series (SCPI).

All three are used the same way: `configure()` once (voltage source, current measurement), then
`force_and_measure(v, compliance_a)` for reads and sweeps and `pulse(v, width_s, compliance_a)` for
SET/RESET pulses. Every voltage and compliance is checked against the bench limits and the
instrument's ratings before anything is sent; leaving a `with smu:` block turns the output off.
Command strings follow each instrument's SCPI reference (Keithley 2400 User's Manual ch. 18,
Keithley 2450 Reference Manual "SCPI command reference", Keysight B2900 SCPI Command Reference).
"""

from __future__ import annotations

from typing import ClassVar

from hil.instruments.limits import Ratings, SourceLimits
from hil.instruments.scpi import (
    Instrument,
    Transport,
    control,
    measurement,
    scpi_bool,
    setting,
    strict_range,
)

ON_OFF = {True: "ON", False: "OFF"}


class Smu(Instrument):
    """A voltage-sourcing, current-measuring SMU channel."""

    RATINGS: ClassVar[Ratings]
    SETUP: ClassVar[tuple[str, ...]]
    """Commands of `configure()`: voltage source, current sense, plain-number replies."""
    PULSE_SEQUENCE: ClassVar[tuple[str, ...]]
    """Commands that fire one pulse at `pulse_voltage_v` for `pulse_width_s`, output off after."""
    PULSE_TRIGGER: ClassVar[str]
    """The command of PULSE_SEQUENCE at which the pulse happens."""

    source_voltage_v: control
    compliance_a: control
    output_enabled: control
    current_a: control
    pulse_voltage_v: control
    pulse_width_s: control

    def __init__(self, transport: Transport, limits: SourceLimits, **kwargs: object):
        super().__init__(transport, **kwargs)  # type: ignore[arg-type]
        self.limits = limits

    @property
    def voltage_bounds_v(self) -> tuple[float, float]:
        return self.limits.voltage_bounds_v(self.RATINGS)

    @property
    def compliance_bounds_a(self) -> tuple[float, float]:
        return self.limits.compliance_bounds_a(self.RATINGS)

    @property
    def width_bounds_s(self) -> tuple[float, float]:
        return (self.RATINGS.width_min_s, self.RATINGS.width_max_s)

    def identify(self) -> str:
        return self.ask("*IDN?")

    def configure(self) -> None:
        """Voltage source, current measurement, output off at 0 V."""
        for command in self.SETUP:
            self.send(self.command(command))
        self.check_errors()

    def force_and_measure(self, v: float, compliance_a: float) -> float:
        """Apply `v` volts with a current limit, measure the current in A, leave the output off."""
        self.compliance_a = compliance_a
        self.source_voltage_v = v
        self.output_enabled = True
        try:
            return float(self.current_a)
        finally:
            self.output_enabled = False

    def pulse(self, v: float, width_s: float, compliance_a: float) -> None:
        """One voltage pulse of `width_s` seconds; the output is off afterwards."""
        self.limits.check_pulse(v, width_s, self.RATINGS)
        self.compliance_a = compliance_a
        self.pulse_width_s = width_s
        self.pulse_voltage_v = v
        for command in self.PULSE_SEQUENCE:
            command = self.command(command)
            if command.endswith("?"):
                self.ask(command)
            else:
                self.send(command)
        self.check_errors()

    def shutdown(self) -> None:
        """Output off (no error check: this also runs while handling another error)."""
        self.send(type(self).output_enabled.format(self, False))

    def command(self, template: str) -> str:
        return template.format(ch=self.channel)


class Keithley2400(Smu):
    """Keithley 2400-series SourceMeter (2400, 2401, 2410, ...), SCPI over GPIB or RS-232."""

    # 2400 datasheet: 200 V range to +-210 V, 1 A range to +-1.05 A. It has no pulse mode: a pulse
    # is a source-delay-measure cycle with auto output-off, so only widths of milliseconds are
    # trusted (its fastest sweeps are about 1,700 points/s, datasheet "system speeds").
    RATINGS = Ratings(v_max_v=210.0, i_max_a=1.05, width_min_s=1e-3, width_max_s=10.0)
    SETUP = (
        "*RST",
        ":SOUR:FUNC VOLT",
        ":SOUR:VOLT:MODE FIX",
        ':SENS:FUNC "CURR"',
        ":FORM:ELEM CURR",
        ":OUTP OFF",
    )
    PULSE_SEQUENCE = (":SOUR:CLE:AUTO ON", ":INIT", "*OPC?", ":SOUR:CLE:AUTO OFF")
    PULSE_TRIGGER = ":INIT"

    source_voltage_v = control(
        ":SOUR:VOLT:LEV?",
        ":SOUR:VOLT:LEV {:.6g}",
        "Source level, V.",
        validator=strict_range,
        values="voltage_bounds_v",
    )
    compliance_a = control(
        ":SENS:CURR:PROT?",
        ":SENS:CURR:PROT {:.6g}",
        "Current compliance, A.",
        validator=strict_range,
        values="compliance_bounds_a",
    )
    output_enabled = control(
        ":OUTP?", ":OUTP {}", "Output relay.", map_values=ON_OFF, cast=scpi_bool
    )
    current_a = measurement(":READ?", "One current reading, A (FORM:ELEM CURR).")
    pulse_voltage_v = setting(
        ":SOUR:VOLT:LEV {:.6g}",
        "Pulse level, V (the source level: auto output-off makes it a pulse).",
        validator=strict_range,
        values="voltage_bounds_v",
    )
    pulse_width_s = setting(
        ":SOUR:DEL {:.6g}",
        "Pulse width: the source delay before the measurement, s.",
        validator=strict_range,
        values="width_bounds_s",
    )


class Keithley2450(Smu):
    """Keithley 2450 SourceMeter in its SCPI command set."""

    # 2450 datasheet: +-210 V, +-1.05 A. No pulse mode either: a one-point list sweep whose
    # source delay is the width, with the same millisecond floor as the 2400.
    RATINGS = Ratings(v_max_v=210.0, i_max_a=1.05, width_min_s=1e-3, width_max_s=10.0)
    SETUP = ("*RST", ":SOUR:FUNC VOLT", ':SENS:FUNC "CURR"', ":OUTP OFF")
    PULSE_SEQUENCE = (":INIT", "*OPC?", ":OUTP OFF")
    PULSE_TRIGGER = ":INIT"

    source_voltage_v = control(
        ":SOUR:VOLT?",
        ":SOUR:VOLT {:.6g}",
        "Source level, V.",
        validator=strict_range,
        values="voltage_bounds_v",
    )
    compliance_a = control(
        ":SOUR:VOLT:ILIM?",
        ":SOUR:VOLT:ILIM {:.6g}",
        "Current limit while sourcing voltage, A.",
        validator=strict_range,
        values="compliance_bounds_a",
    )
    output_enabled = control(
        ":OUTP?", ":OUTP {}", "Output relay.", map_values=ON_OFF, cast=scpi_bool
    )
    current_a = measurement(":MEAS:CURR?", "One current reading, A.")
    pulse_voltage_v = setting(
        ":SOUR:LIST:VOLT {:.6g}",
        "Pulse level: the one point of the source list, V.",
        validator=strict_range,
        values="voltage_bounds_v",
    )
    pulse_width_s = setting(
        ":SOUR:SWE:VOLT:LIST 1, {:.6g}",
        "Pulse width: the list sweep's source delay, s.",
        validator=strict_range,
        values="width_bounds_s",
    )


class KeysightB2900(Smu):
    """Keysight B2900 series (B2901A/B2902A/B2911A/B2912A) precision SMU, one channel `ch`."""

    # B2900A datasheet: +-210 V, +-1.515 A DC (3.03 A pulsed); pulse width 50 us to 100,000 s.
    RATINGS = Ratings(v_max_v=210.0, i_max_a=1.515, width_min_s=50e-6, width_max_s=100.0)
    SETUP = (
        "*RST",
        ":SOUR{ch}:FUNC:MODE VOLT",
        ':SENS{ch}:FUNC "CURR"',
        ":FORM:ELEM:SENS CURR",
        ":OUTP{ch} OFF",
    )
    PULSE_SEQUENCE = (
        ":SOUR{ch}:VOLT 0",  # the pulse base is the DC level: 0 V, not the last read voltage
        ":SOUR{ch}:FUNC:SHAP PULS",
        ":SOUR{ch}:PULS:DEL 0",
        ":TRIG{ch}:COUN 1",
        ":OUTP{ch} ON",
        ":INIT (@{ch})",
        "*OPC?",
        ":OUTP{ch} OFF",
        ":SOUR{ch}:FUNC:SHAP DC",
    )
    PULSE_TRIGGER = ":INIT (@{ch})"

    source_voltage_v = control(
        ":SOUR{ch}:VOLT?",
        ":SOUR{ch}:VOLT {:.6g}",
        "DC level, V.",
        validator=strict_range,
        values="voltage_bounds_v",
    )
    compliance_a = control(
        ":SENS{ch}:CURR:PROT?",
        ":SENS{ch}:CURR:PROT {:.6g}",
        "Current compliance, A.",
        validator=strict_range,
        values="compliance_bounds_a",
    )
    output_enabled = control(
        ":OUTP{ch}?", ":OUTP{ch} {}", "Output relay.", map_values=ON_OFF, cast=scpi_bool
    )
    current_a = measurement(":MEAS:CURR? (@{ch})", "One spot current reading, A.")
    pulse_voltage_v = setting(
        ":SOUR{ch}:VOLT:TRIG {:.6g}",
        "Pulse peak, V (the pulse base is the DC level, 0 V).",
        validator=strict_range,
        values="voltage_bounds_v",
    )
    pulse_width_s = setting(
        ":SOUR{ch}:PULS:WIDT {:.6g}",
        "Pulse width, s.",
        validator=strict_range,
        values="width_bounds_s",
    )
