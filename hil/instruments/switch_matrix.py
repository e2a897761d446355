"""Keithley 707B (six slots) and 708B (one slot) switching matrix mainframes, TSP commands.

A crosspoint is named `<slot><row><column>` as in the 707B manual, e.g. `1A01`: slot 1, matrix
row A, column 01. With 7174A cards a slot has rows A-H and columns 1-12 (7174A datasheet). The
matrix rows are the bench's buses (SMU, ground, V/2 bias, pulse generator); the array's word and
bit lines are wired to matrix columns (see hil/instruments/bench.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, ClassVar

from hil.errors import LimitError
from hil.instruments.scpi import Instrument, control

MATRIX_ROWS = "ABCDEFGH"
MATRIX_COLUMNS = 12
"""7174A low-current matrix card: 8 rows x 12 columns."""
_CHANNEL = re.compile(r"([1-6])([A-H])(\d\d)\Z")


def channel_name(slot: int, row: str, column: int) -> str:
    return f"{slot}{row}{column:02d}"


def _channel_list(value: Any, slots: int, name: str) -> str:
    """Validate crosspoints (an iterable of names) and join them as TSP wants them."""
    channels = [value] if isinstance(value, str) else list(value)
    for channel in channels:
        match = _CHANNEL.match(channel)
        if match is None or int(match[1]) > slots or not 1 <= int(match[3]) <= MATRIX_COLUMNS:
            raise LimitError(
                f"{name}: {channel!r} is not a crosspoint of this matrix "
                f"(slot 1-{slots}, row A-H, column 01-{MATRIX_COLUMNS}); nothing was sent"
            )
    if len(set(channels)) != len(channels):
        raise LimitError(f"{name}: crosspoints listed twice in {channels}; nothing was sent")
    return ",".join(channels)


def _parse_closed(reply: str) -> frozenset[str]:
    reply = reply.strip()
    if reply in ("", "nil"):
        return frozenset()
    return frozenset(reply.replace(";", ",").split(","))


class Keithley707B(Instrument):
    """Keithley 707B six-slot switching matrix."""

    SLOTS: ClassVar[int] = 6
    ERROR_QUERY = "print(errorqueue.count)"

    closed = control(
        'print(channel.getclose("allslots"))',
        'channel.exclusiveclose("{}")',
        "The closed crosspoints; setting opens every other one (exclusive close).",
        validator=lambda value, slots, name: _channel_list(value, slots, name),
        values="SLOTS",
        cast=_parse_closed,
    )

    def identify(self) -> str:
        return self.ask("*IDN?")

    def configure(self) -> None:
        """Reset to all crosspoints open, with an empty error queue."""
        self.send("reset()")
        self.send("errorqueue.clear()")
        self.check_errors()

    def connect(self, channels: Iterable[str]) -> None:
        """Close exactly `channels` (all others open)."""
        self.closed = list(channels)

    def open_all(self) -> None:
        self.send('channel.open("allslots")')

    def check_errors(self) -> None:
        """TSP error queue: `errorqueue.count`, then `errorqueue.next()` per entry."""
        context = self.last_command
        count = int(float(self.ask(self.ERROR_QUERY)))
        errors = [
            self.ask("print(errorqueue.next())").replace("\t", " ")
            for _ in range(min(count, self.MAX_ERRORS))
        ]
        self._raise_if(errors, context)

    def shutdown(self) -> None:
        """Every crosspoint open."""
        self.open_all()


class Keithley708B(Keithley707B):
    """Keithley 708B single-slot switching matrix (same commands as the 707B)."""

    SLOTS = 1
