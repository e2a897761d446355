"""Framing: encode frames and messages, and a streaming decoder that survives a noisy line.

Frame layout (see PROTOCOL.md): SOF | LEN u16 | SEQ | OPC | HCRC | payload[LEN] | FCRC u32.
The decoder is byte-stream driven and never raises: garbage, bad header checks, bad frame CRCs and
truncated frames become counters and `FrameRejected` events, and only the SOF byte of a bad
candidate is dropped, so a valid frame hiding behind a truncated one is still found.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from firmware_interface.errors import BadArgument, BadLength, UnknownOpcode
from firmware_interface.message import Message
from firmware_interface.protocol import (
    FRAME_CRC,
    HEADER_BYTES,
    HEADER_CRC,
    MAX_PAYLOAD,
    NO_DETAIL,
    REQUESTS,
    RESPONSE_FLAG,
    RESPONSES,
    SOF,
    TRAILER_BYTES,
    Opcode,
    Status,
)

_SOF_BYTE = bytes([SOF])


@dataclass(frozen=True)
class Frame:
    """A frame whose header and frame CRC checked out."""

    seq: int
    opcode: int
    """Opcode byte as received (RESPONSE_FLAG set on responses)."""
    payload: bytes
    crc: int

    @property
    def is_response(self) -> bool:
        return bool(self.opcode & RESPONSE_FLAG)

    @property
    def base_opcode(self) -> int:
        return self.opcode & ~RESPONSE_FLAG & 0xFF


@dataclass(frozen=True)
class FrameRejected:
    """A frame with an intact header that failed later checks; SEQ and OPC are trustworthy."""

    status: Status
    """BAD_CRC or BAD_LENGTH."""
    seq: int
    opcode: int


@dataclass(frozen=True)
class ErrorResponse:
    """A response with a non-OK status."""

    opcode: int
    status: Status
    detail: int | None


@dataclass
class DecoderStats:
    """What a FrameDecoder has seen since it was created."""

    frames: int = 0
    garbage_bytes: int = 0
    header_errors: int = 0
    crc_errors: int = 0
    length_errors: int = 0
    truncated: int = 0


@dataclass
class FrameDecoder:
    """Streaming frame decoder: feed it bytes as they arrive, get frames and rejections back."""

    stats: DecoderStats = field(default_factory=DecoderStats)
    _buffer: bytearray = field(default_factory=bytearray, repr=False)

    def feed(self, data: bytes | bytearray | memoryview) -> list[Frame | FrameRejected]:
        """Append received bytes; return every frame (and rejection) they complete."""
        self._buffer += data
        return self._parse(line_idle=False)

    def idle(self) -> list[Frame | FrameRejected]:
        """The line went idle: give up incomplete frames as truncated and rescan what is held."""
        return self._parse(line_idle=True)

    @property
    def pending(self) -> int:
        """Bytes held while waiting for the rest of a frame."""
        return len(self._buffer)

    def _parse(self, line_idle: bool) -> list[Frame | FrameRejected]:
        buf, stats = self._buffer, self.stats
        events: list[Frame | FrameRejected] = []
        pos, size = 0, len(buf)
        while True:
            start = buf.find(_SOF_BYTE, pos)
            if start < 0:
                stats.garbage_bytes += size - pos
                pos = size
                break
            stats.garbage_bytes += start - pos
            pos = start
            if size - pos < HEADER_BYTES:
                if not line_idle:
                    break
                stats.truncated += 1
                pos += 1
                continue
            if HEADER_CRC(buf[pos : pos + 5]) != buf[pos + 5]:
                stats.header_errors += 1
                pos += 1
                continue
            length = buf[pos + 1] | (buf[pos + 2] << 8)
            seq, opcode = buf[pos + 3], buf[pos + 4]
            if length > MAX_PAYLOAD:
                stats.length_errors += 1
                events.append(FrameRejected(Status.BAD_LENGTH, seq, opcode))
                pos += 1
                continue
            body_end = pos + HEADER_BYTES + length
            end = body_end + TRAILER_BYTES
            if end > size:
                if not line_idle:
                    break
                stats.truncated += 1
                pos += 1
                continue
            crc = int.from_bytes(buf[body_end:end], "little")
            if FRAME_CRC(buf[pos:body_end]) != crc:
                stats.crc_errors += 1
                events.append(FrameRejected(Status.BAD_CRC, seq, opcode))
                pos += 1
                continue
            stats.frames += 1
            events.append(Frame(seq, opcode, bytes(buf[pos + HEADER_BYTES : body_end]), crc))
            pos = end
        del buf[:pos]
        return events


def encode_frame(seq: int, opcode: int, payload: bytes) -> bytes:
    """One complete frame. Raises ValueError for an out-of-range SEQ/OPC or an oversize payload."""
    if not 0 <= seq <= 0xFF or not 0 <= opcode <= 0xFF:
        raise ValueError(f"SEQ {seq} and OPC {opcode} must be bytes (0..255)")
    if len(payload) > MAX_PAYLOAD:
        raise ValueError(f"payload of {len(payload)} bytes exceeds MAX_PAYLOAD {MAX_PAYLOAD}")
    header = bytes((SOF, len(payload) & 0xFF, len(payload) >> 8, seq, opcode))
    body = header + bytes((HEADER_CRC(header),)) + payload
    return body + FRAME_CRC(body).to_bytes(TRAILER_BYTES, "little")


def encode_request(seq: int, message: Message) -> bytes:
    """A request frame carrying `message` (a generated `...Request`)."""
    if message.IS_RESPONSE:
        raise ValueError(f"{type(message).__name__} is a response, not a request")
    return encode_frame(seq, message.OPCODE, message.pack())


def encode_response(seq: int, message: Message) -> bytes:
    """An OK response frame carrying `message` (a generated `...Response`)."""
    if not message.IS_RESPONSE:
        raise ValueError(f"{type(message).__name__} is a request, not a response")
    return encode_frame(seq, message.OPCODE | RESPONSE_FLAG, bytes((Status.OK,)) + message.pack())


def encode_error(seq: int, opcode: int, status: Status, detail: int | None = None) -> bytes:
    """An error response: status byte + DETAIL (NO_DETAIL when `detail` is None)."""
    if status == Status.OK:
        raise ValueError("an error response needs a non-OK status")
    detail_code = NO_DETAIL if detail is None else detail
    payload = bytes((status,)) + detail_code.to_bytes(2, "little")
    return encode_frame(seq, (opcode | RESPONSE_FLAG) & 0xFF, payload)


def decode_request(frame: Frame) -> Message:
    """The request message of a frame; raises UnknownOpcode, BadLength or BadArgument."""
    if frame.is_response:
        raise BadArgument(f"frame OPC 0x{frame.opcode:02X} is a response, expected a request")
    try:
        opcode = Opcode(frame.opcode)
    except ValueError:
        raise UnknownOpcode(f"unknown opcode 0x{frame.opcode:02X}") from None
    return REQUESTS[opcode].unpack(frame.payload)


def decode_response(frame: Frame) -> Message | ErrorResponse:
    """The response message (OK) or ErrorResponse of a frame; raises the protocol's errors."""
    if not frame.is_response:
        raise BadArgument(f"frame OPC 0x{frame.opcode:02X} is a request, expected a response")
    payload = frame.payload
    if not payload:
        raise BadLength("a response needs at least its status byte")
    try:
        status = Status(payload[0])
    except ValueError:
        raise BadArgument(f"unknown status 0x{payload[0]:02X}") from None
    if status != Status.OK:
        if len(payload) != 3:
            raise BadLength(f"an error response is 3 bytes, got {len(payload)}")
        detail = int.from_bytes(payload[1:3], "little")
        return ErrorResponse(frame.base_opcode, status, None if detail == NO_DETAIL else detail)
    try:
        opcode = Opcode(frame.base_opcode)
    except ValueError:
        raise UnknownOpcode(f"unknown opcode 0x{frame.base_opcode:02X} in an OK response") from None
    return RESPONSES[opcode].unpack(payload[1:])
