"""Simulated instruments that answer their driver's own command set from the model crossbar.

Each simulated instrument learns its dialect from its driver class: the declared SCPI properties
give the set and query forms (so driver and simulation cannot drift apart), the class constants
give the setup and pulse sequences. Anything else is an unknown command and lands in the error
queue, as on the real instrument.
"""

from __future__ import annotations

import math
from collections import deque
from typing import Any

from hil.instruments.model.crossbar import ModelCrossbar
from hil.instruments.pulse_generator import Keysight33500B
from hil.instruments.scpi import Instrument, properties
from hil.instruments.smu import Smu
from hil.instruments.switch_matrix import Keithley707B

NO_ERROR = '+0,"No error"'
UNDEFINED_HEADER = '-113,"Undefined header"'
OUT_OF_RANGE = '-222,"Data out of range"'


class SimInstrument:
    """Message in, replies out; state per declared property of `driver`."""

    def __init__(self, driver: type[Instrument], address: str, channel: int, idn: str):
        self.driver, self.address, self.channel, self.idn = driver, address, channel, idn
        self.props = properties(driver)
        self.setters = [
            (name, prop.set_pattern(channel), prop)
            for name, prop in self.props.items()
            if prop.set_cmd is not None
        ]
        self.getters = {
            prop.get_cmd.replace("{ch}", str(channel)): name
            for name, prop in self.props.items()
            if prop.get_cmd is not None
        }
        self.state: dict[str, Any] = {}
        self.errors: deque[str] = deque()
        self.replies: deque[str] = deque()
        self.commands: list[str] = []
        """Every message received (tests read it)."""

    def accepted(self) -> set[str]:
        """Commands without values this instrument accepts (setup and pulse sequences)."""
        return set()

    def handle(self, message: str) -> None:
        self.commands.append(message)
        if message == "*IDN?":
            self.replies.append(self.idn)
        elif message == "*OPC?":
            self.replies.append("1")
        elif message == self.driver.ERROR_QUERY:
            self.replies.append(self.errors.popleft() if self.errors else NO_ERROR)
        elif message in self.getters:
            self.replies.append(self.query(self.getters[message]))
        elif self._set(message):
            pass
        elif message in self.accepted():
            self.command(message)
        else:
            self.errors.append(UNDEFINED_HEADER)

    def _set(self, message: str) -> bool:
        matched = False
        for name, pattern, prop in self.setters:
            match = pattern.match(message)
            if match is None:
                continue
            try:
                value = prop.parse(match[1])
            except (KeyError, ValueError):
                self.errors.append(OUT_OF_RANGE)
                return True
            if not self.valid(name, value):
                self.errors.append(OUT_OF_RANGE)
                return True
            self.state[name] = value
            matched = True
        return matched

    def valid(self, name: str, value: Any) -> bool:
        return True

    def query(self, name: str) -> str:
        value = self.state.get(name, 0.0)
        if isinstance(value, bool):
            return "1" if value else "0"
        return f"{value:.6e}"

    def command(self, message: str) -> None:
        """A value-less command of the setup or pulse sequences."""


class SimSmu(SimInstrument):
    """An SMU channel driving the bus it is wired to."""

    def __init__(self, driver: type[Smu], address: str, channel: int, crossbar: ModelCrossbar):
        super().__init__(driver, address, channel, f"HIL-MODEL,{driver.__name__},0,1.0")
        self.crossbar = crossbar
        self.ratings = driver.RATINGS
        self.trigger = driver.PULSE_TRIGGER.replace("{ch}", str(channel))
        self._accepted = {c.replace("{ch}", str(channel)) for c in driver.SETUP}
        self._accepted |= {c.replace("{ch}", str(channel)) for c in driver.PULSE_SEQUENCE}
        self.state = {"output_enabled": False, "source_voltage_v": 0.0, "compliance_a": 1e-4}
        self.state |= {"pulse_voltage_v": 0.0, "pulse_width_s": driver.RATINGS.width_min_s}
        self.bus: str | None = None

    def accepted(self) -> set[str]:
        return self._accepted

    def voltage(self) -> float | None:
        return float(self.state["source_voltage_v"]) if self.state["output_enabled"] else None

    def valid(self, name: str, value: Any) -> bool:
        if name in ("source_voltage_v", "pulse_voltage_v"):
            return abs(value) <= self.ratings.v_max_v
        if name == "compliance_a":
            return 0 < value <= self.ratings.i_max_a
        if name == "pulse_width_s":
            return self.ratings.width_min_s <= value <= self.ratings.width_max_s
        return True

    def query(self, name: str) -> str:
        if name == "current_a":
            v = self.voltage()
            i = 0.0 if v is None or self.bus is None else self.crossbar.current_a(self.bus, v)
            limit = float(self.state["compliance_a"])
            return f"{math.copysign(min(abs(i), limit), i):.6e}"
        return super().query(name)

    def command(self, message: str) -> None:
        if message.startswith("*RST"):
            self.state["output_enabled"] = False
            self.state["source_voltage_v"] = 0.0
        elif message == self.trigger and self.bus is not None:
            v, width = float(self.state["pulse_voltage_v"]), float(self.state["pulse_width_s"])
            self.crossbar.pulse(self.bus, v, width)
            self.state["output_enabled"] = False


class SimMatrix(SimInstrument):
    """A 707B/708B: closes and opens crosspoints of the model crossbar."""

    def __init__(self, driver: type[Keithley707B], address: str, crossbar: ModelCrossbar):
        super().__init__(
            driver, address, 1, f"Keithley Instruments Inc., Model {driver.__name__[8:]}"
        )
        self.crossbar = crossbar

    def accepted(self) -> set[str]:
        return {'channel.open("allslots")', "reset()", "errorqueue.clear()"}

    def handle(self, message: str) -> None:
        if message == "print(errorqueue.next())":
            self.commands.append(message)
            error = self.errors.popleft() if self.errors else NO_ERROR
            code, _, text = error.partition(",")
            self.replies.append(f"{code}\t{text.strip(chr(34))}\t2\t1")
        elif message == self.driver.ERROR_QUERY:
            self.commands.append(message)
            self.replies.append(f"{len(self.errors):.5e}")
        else:
            super().handle(message)

    def valid(self, name: str, value: Any) -> bool:
        return all(int(c[0]) <= self.driver.SLOTS for c in value)

    def query(self, name: str) -> str:
        return ",".join(sorted(self.crossbar.closed)) or "nil"

    def _set(self, message: str) -> bool:
        matched = super()._set(message)
        if matched and "closed" in self.state:
            self.crossbar.closed = frozenset(self.state.pop("closed"))
        return matched

    def command(self, message: str) -> None:
        if message in ('channel.open("allslots")', "reset()"):
            self.crossbar.closed = frozenset()
        elif message == "errorqueue.clear()":
            self.errors.clear()


class SimPulser(SimInstrument):
    """A 33500B: single triggered pulses from 0 V onto its bus."""

    def __init__(self, address: str, crossbar: ModelCrossbar):
        super().__init__(Keysight33500B, address, 1, "Agilent Technologies,33522B,0,1.0")
        self.crossbar = crossbar
        self.state = {"output_enabled": False, "high_v": 0.1, "pulse_width_s": 1e-7}
        self.state |= {"inverted": False, "period_s": 1e-6}
        self.bus: str | None = None

    def accepted(self) -> set[str]:
        return {*Keysight33500B.SETUP, Keysight33500B.PULSE_TRIGGER}

    def voltage(self) -> float | None:
        return 0.0 if self.state["output_enabled"] else None

    def valid(self, name: str, value: Any) -> bool:
        if name == "high_v":
            return 0 < value <= Keysight33500B.RATINGS.v_max_v
        return True

    def command(self, message: str) -> None:
        if message == "*RST":
            self.state["output_enabled"] = False
        elif message == Keysight33500B.PULSE_TRIGGER:
            if not self.state["output_enabled"] or self.bus is None:
                self.errors.append('-211,"Trigger ignored"')
                return
            sign = -1.0 if self.state["inverted"] else 1.0
            v, width = sign * float(self.state["high_v"]), float(self.state["pulse_width_s"])
            self.crossbar.pulse(self.bus, v, width)
