"""The host side of the protocol: request/response over any serial-like port, with retries.

Works on anything with pyserial's `write`, `read(size)` and `in_waiting` (a real port, `socket://`,
`loop://`, or the simulator bridge). A new request gets a new SEQ; a timeout, a BAD_CRC or a BUSY
answer resends the identical frame, which the chip answers from its replay cache if it had already
executed it, so retries are safe for PULSE and PROGRAM.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from firmware_interface.codec import (
    ErrorResponse,
    Frame,
    FrameDecoder,
    decode_response,
    encode_request,
)
from firmware_interface.errors import ChipError, LinkError
from firmware_interface.message import Message
from firmware_interface.protocol import RESPONSE_FLAG, Opcode, Status

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

RETRYABLE = frozenset({Status.BAD_CRC, Status.BUSY})
"""Statuses that mean "nothing was executed, send the same frame again"."""


class SerialLike(Protocol):
    """The part of pyserial's `Serial` the link uses; `read` must honour a short timeout."""

    def write(self, data: bytes, /) -> int | None: ...

    def read(self, size: int = 1, /) -> bytes: ...

    @property
    def in_waiting(self) -> int: ...


@dataclass
class LinkStats:
    requests: int = 0
    retries: int = 0
    timeouts: int = 0


@dataclass
class ProtocolClient:
    """Sends requests and returns their responses; raises ChipError or LinkError."""

    port: SerialLike
    timeout_s: float = 1.0
    """How long to wait for one response before resending."""
    retries: int = 3
    """Resends after the first attempt."""
    clock: Callable[[], float] = time.monotonic
    stats: LinkStats = field(default_factory=LinkStats)
    decoder: FrameDecoder = field(default_factory=FrameDecoder)
    _seq: int = 0

    def request(self, message: Message) -> Message:
        """Send `message` and return the response body; raises ChipError on a non-OK status."""
        self._seq = (self._seq + 1) & 0xFF
        frame = encode_request(self._seq, message)
        opcode = Opcode(message.OPCODE)
        self.stats.requests += 1
        last_problem = "no response"
        for attempt in range(self.retries + 1):
            if attempt:
                self.stats.retries += 1
                log.debug("%s seq %d: retry %d (%s)", opcode.name, self._seq, attempt, last_problem)
            self.port.write(frame)
            reply = self._await(self._seq, opcode)
            if reply is None:
                self.stats.timeouts += 1
                last_problem = f"no response within {self.timeout_s} s"
                continue
            if isinstance(reply, ErrorResponse):
                if reply.status in RETRYABLE:
                    last_problem = reply.status.name
                    continue
                raise ChipError(reply.status.name, opcode.name, reply.detail)
            return reply
        raise LinkError(
            f"{opcode.name}: no valid response after {self.retries + 1} attempts ({last_problem});"
            " check the port, baud rate and cabling"
        )

    def _await(self, seq: int, opcode: Opcode) -> Message | ErrorResponse | None:
        deadline = self.clock() + self.timeout_s
        while self.clock() < deadline:
            data = self.port.read(max(1, self.port.in_waiting))
            events = self.decoder.feed(data) if data else self.decoder.idle()
            for event in events:
                if event.seq != seq or event.opcode != opcode | RESPONSE_FLAG:
                    continue  # a late answer to an earlier request, or noise
                if isinstance(event, Frame):
                    return decode_response(event)
                return ErrorResponse(opcode, Status.BAD_CRC, None)  # our answer, corrupted
        return None
