"""The chip side of the protocol, as a reference for firmware and for simulated chips.

`Responder` turns received bytes into the bytes to send back: it decodes frames, answers rejected
frames with BAD_CRC/BAD_LENGTH, dispatches good requests to a handler, maps the handler's
`ProtocolError`s to status codes, and replays the cached response to a repeated frame instead of
executing it again (a retried PULSE never pulses twice).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from firmware_interface.codec import (
    Frame,
    FrameDecoder,
    FrameRejected,
    decode_request,
    encode_error,
    encode_response,
)
from firmware_interface.errors import ProtocolError
from firmware_interface.message import Message
from firmware_interface.protocol import Status

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

Handler = Callable[[Message], Message]
"""Executes one decoded request and returns its response body; raises ProtocolError to refuse."""


@dataclass
class ResponderStats:
    executed: int = 0
    replayed: int = 0
    refused: int = 0


@dataclass
class Responder:
    """Bytes in, bytes out: the protocol front end of a chip."""

    handler: Handler
    decoder: FrameDecoder = field(default_factory=FrameDecoder)
    stats: ResponderStats = field(default_factory=ResponderStats)
    _last_key: tuple[int, int, int] | None = field(default=None, repr=False)
    _last_response: bytes = field(default=b"", repr=False)

    def receive(self, data: bytes) -> bytes:
        """Process received bytes; returns the response bytes to transmit (possibly empty)."""
        return b"".join(self._answer(event) for event in self.decoder.feed(data))

    def idle(self) -> bytes:
        """The line went idle: flush incomplete frames (see FrameDecoder.idle)."""
        return b"".join(self._answer(event) for event in self.decoder.idle())

    def _answer(self, event: Frame | FrameRejected) -> bytes:
        if isinstance(event, FrameRejected):
            if event.opcode & 0x80:
                return b""  # a mangled response echoed onto our line: not ours to answer
            self.stats.refused += 1
            return encode_error(event.seq, event.opcode, event.status)
        if event.is_response:
            return b""
        key = (event.seq, event.opcode, event.crc)
        if key == self._last_key:
            self.stats.replayed += 1
            return self._last_response
        response = self._execute(event)
        if response is not None:
            self._last_key, self._last_response = key, response
            return response
        return encode_error(event.seq, event.opcode, Status.BUSY)

    def _execute(self, frame: Frame) -> bytes | None:
        """The response frame, or None when the handler is busy (BUSY is never cached)."""
        try:
            request = decode_request(frame)
            reply = self.handler(request)
        except ProtocolError as error:
            status = Status[error.status_name]
            if status == Status.BUSY:
                return None
            self.stats.refused += 1
            log.debug("seq %d refused: %s", frame.seq, error)
            return encode_error(frame.seq, frame.opcode, status, error.detail)
        except Exception:
            log.exception("handler failed on seq %d", frame.seq)
            self.stats.refused += 1
            return encode_error(frame.seq, frame.opcode, Status.INTERNAL)
        self.stats.executed += 1
        return encode_response(frame.seq, reply)
