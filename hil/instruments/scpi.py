"""Declarative SCPI properties with validators, in PyMeasure's style, on a pyvisa resource.

A driver declares its settings as class attributes:

    class Keithley2400(Smu):
        source_voltage_v = control(":SOUR:VOLT:LEV?", ":SOUR:VOLT:LEV {:.6g}", "Level, V.",
                                   validator=strict_range, values="voltage_bounds_v")

Setting validates first (a violation raises `LimitError` before anything is sent), then writes the
formatted command and, unless the property says otherwise, checks the instrument's error queue.
`values` may be a tuple or the name of an instrument attribute, so that limits from the bench file
(per instance) narrow the instrument's ratings (per class). Templates may use `{ch}` for the
instrument's channel. Why not PyMeasure itself: see hil/instruments/README.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Any, Protocol

from pyvisa import constants
from pyvisa.errors import VisaIOError

from hil.errors import LimitError
from hil.instruments.errors import InstrumentError, InstrumentTimeout


class Transport(Protocol):
    """What a driver needs from its connection: a pyvisa MessageBasedResource fits."""

    resource_name: str
    timeout: float | None

    def write(self, message: str) -> Any: ...

    def query(self, message: str) -> str: ...

    def close(self) -> None: ...


Validator = Callable[[Any, Any, str], Any]
"""validator(value, values, name) -> the value to send, or raise LimitError."""


def strict_range(value: Any, bounds: Sequence[float], name: str) -> float:
    """A finite number within [low, high]."""
    low, high = bounds
    number = float(value)
    if not low <= number <= high:  # also refuses NaN
        raise LimitError(f"{name} = {value!r} is outside [{low:g}, {high:g}]; nothing was sent")
    return number


def strict_discrete_set(value: Any, allowed: Sequence[Any], name: str) -> Any:
    """One of the allowed values."""
    if value not in allowed:
        raise LimitError(f"{name} = {value!r} is not one of {list(allowed)}; nothing was sent")
    return value


def scpi_bool(reply: str) -> bool:
    """SCPI boolean replies: 1/0, ON/OFF."""
    return reply.strip().upper() in ("1", "ON", "+1", "TRUE")


class control:  # noqa: N801 - lower case like PyMeasure's Instrument.control, it is a declaration
    """A readable and/or writable SCPI setting of an instrument (a data descriptor)."""

    def __init__(
        self,
        get_cmd: str | None,
        set_cmd: str | None,
        doc: str,
        *,
        validator: Validator | None = None,
        values: Sequence[Any] | str | None = None,
        map_values: Mapping[Any, str] | None = None,
        cast: Callable[[str], Any] = float,
        check_set_errors: bool = True,
    ):
        self.get_cmd, self.set_cmd = get_cmd, set_cmd
        self.__doc__ = doc
        self.validator, self.values, self.map_values = validator, values, map_values
        self.cast, self.check_set_errors = cast, check_set_errors
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, instrument: Instrument | None, owner: type) -> Any:
        if instrument is None:
            return self
        if self.get_cmd is None:
            raise AttributeError(f"{self.name} is write-only")
        return self.cast(instrument.ask(self.command(instrument, self.get_cmd)))

    def __set__(self, instrument: Instrument, value: Any) -> None:
        if self.set_cmd is None:
            raise AttributeError(f"{self.name} is read-only")
        instrument.send(self.format(instrument, value))
        if self.check_set_errors:
            instrument.check_errors()

    def format(self, instrument: Instrument, value: Any) -> str:
        """The command that sets `value`, after validation (raises LimitError before any I/O)."""
        assert self.set_cmd is not None
        if self.validator is not None:
            bounds = self.values
            if isinstance(bounds, str):
                bounds = getattr(instrument, bounds)
            value = self.validator(value, bounds, f"{instrument.label}.{self.name}")
        if self.map_values is not None:
            value = self.map_values[value]
        return self.command(instrument, self.set_cmd, value)

    @staticmethod
    def command(instrument: Instrument, template: str, *value: Any) -> str:
        return template.format(*value, ch=instrument.channel)

    def set_pattern(self, channel: int) -> re.Pattern[str]:
        """A regex matching this property's set command (one group: the value text)."""
        assert self.set_cmd is not None
        return template_pattern(self.set_cmd, channel)

    def parse(self, text: str) -> Any:
        """The value a set command carried (inverse of `format`)."""
        if self.map_values is not None:
            inverse = {v: k for k, v in self.map_values.items()}
            return inverse[text]
        return self.cast(text)


def measurement(get_cmd: str, doc: str, *, cast: Callable[[str], Any] = float) -> control:
    """A read-only quantity."""
    return control(get_cmd, None, doc, cast=cast)


def setting(
    set_cmd: str,
    doc: str,
    *,
    validator: Validator | None = None,
    values: Sequence[Any] | str | None = None,
    map_values: Mapping[Any, str] | None = None,
    check_set_errors: bool = True,
) -> control:
    """A write-only setting."""
    return control(
        None,
        set_cmd,
        doc,
        validator=validator,
        values=values,
        map_values=map_values,
        check_set_errors=check_set_errors,
    )


def template_pattern(template: str, channel: int) -> re.Pattern[str]:
    """A command template (`{...}` placeholders, `{ch}` for the channel) as a full-match regex."""
    template = template.replace("{ch}", str(channel))
    parts = re.split(r"\{[^{}]*\}", template)
    return re.compile("(.+?)".join(re.escape(p) for p in parts) + r"\Z")


def properties(cls: type) -> dict[str, control]:
    """Every declared SCPI property of an instrument class, by name (base classes first)."""
    found: dict[str, control] = {}
    for klass in reversed(cls.__mro__):
        found.update({k: v for k, v in vars(klass).items() if isinstance(v, control)})
    return found


class Instrument:
    """A SCPI instrument on a transport. Use as a context manager: leaving it runs `shutdown`."""

    ERROR_QUERY = ":SYST:ERR?"
    MAX_ERRORS = 32
    """Error-queue entries drained at most per check (SCPI queues hold about 10-30)."""

    def __init__(self, transport: Transport, *, channel: int = 1, label: str | None = None):
        self.transport = transport
        self.channel = channel
        self.label = label or type(self).__name__
        self.last_command = ""

    @property
    def address(self) -> str:
        return str(self.transport.resource_name)

    # --- I/O with errors that name the address ---------------------------------------------------

    def send(self, command: str) -> None:
        """Write one command."""
        self.last_command = command
        self._io(command, lambda: self.transport.write(command))

    def ask(self, command: str) -> str:
        """Query and return the stripped reply."""
        self.last_command = command
        return str(self._io(command, lambda: self.transport.query(command))).strip()

    def check_errors(self) -> None:
        """Drain the SCPI error queue; raise InstrumentError with its text if it was not empty."""
        context, errors = self.last_command, []
        for _ in range(self.MAX_ERRORS):
            reply = self.ask(self.ERROR_QUERY)
            if _error_code(reply) == 0:
                break
            errors.append(reply)
        self._raise_if(errors, context)

    def _raise_if(self, errors: list[str], context: str) -> None:
        if errors:
            raise InstrumentError(
                f"{self.label} at {self.address} reports {'; '.join(errors)} (after {context!r})"
            )

    def _io(self, command: str, action: Callable[[], Any]) -> Any:
        try:
            return action()
        except VisaIOError as error:
            if error.error_code == constants.StatusCode.error_timeout:
                raise InstrumentTimeout(
                    f"{self.label} at {self.address} did not answer {command!r} "
                    f"within {self.transport.timeout} ms"
                ) from None
            raise InstrumentError(
                f"{self.label} at {self.address}: {error.description} (command {command!r})"
            ) from None

    # --- safe state ------------------------------------------------------------------------------

    def shutdown(self) -> None:
        """Put the instrument in its safe state (outputs off)."""

    def close(self) -> None:
        """Safe state, then release the VISA session."""
        try:
            self.shutdown()
        finally:
            self.transport.close()

    def __enter__(self) -> Instrument:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.shutdown()


def _error_code(reply: str) -> int:
    """The code of an error-queue reply like `-222,"Data out of range"` (0: no error)."""
    head = re.split(r"[,\t]", reply.strip(), maxsplit=1)[0]
    try:
        return int(float(head))
    except ValueError:
        return -1  # an unparseable reply is itself an error worth reporting
