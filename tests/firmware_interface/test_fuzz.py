"""Fuzz the streaming decoder with 100,000 random and corrupted byte streams.

Every stream is some kind of garbage (random bytes rich in SOF, a truncated frame, a frame with
flipped, dropped or inserted bytes, a header claiming a huge payload) followed by valid frames. The
decoder must recover exactly those frames, in order, never raise, and finish each stream in bounded
time. Decoding the payloads of whatever it returns may raise only the protocol's own errors.
"""

from __future__ import annotations

import random
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from firmware_interface.codec import Frame, FrameDecoder, decode_request, decode_response
from firmware_interface.codec import encode_request as encode
from firmware_interface.errors import ProtocolError
from firmware_interface.protocol import (
    FRAME_CRC,
    HEADER_BYTES,
    HEADER_CRC,
    REQUESTS,
    SOF,
    TRAILER_BYTES,
)
from tests.firmware_interface.random_messages import random_message

STREAMS = 100_000
REQUEST_TYPES = list(REQUESTS.values())


def valid_frame(rng: random.Random) -> bytes:
    return encode(rng.randrange(256), random_message(rng, rng.choice(REQUEST_TYPES)))


def frame_at(stream: bytes, pos: int) -> bool:
    """Oracle independent of the decoder: does a complete valid frame start at `pos`?"""
    if stream[pos] != SOF or len(stream) - pos < HEADER_BYTES:
        return False
    if HEADER_CRC(stream[pos : pos + 5]) != stream[pos + 5]:
        return False
    end = pos + HEADER_BYTES + int.from_bytes(stream[pos + 1 : pos + 3], "little") + TRAILER_BYTES
    crc = int.from_bytes(stream[end - TRAILER_BYTES : end], "little")
    return end <= len(stream) and FRAME_CRC(stream[pos : end - TRAILER_BYTES]) == crc


def damaged_stream(rng: random.Random) -> tuple[bytes, list[bytes]]:
    """Garbage followed by valid frames, the garbage hiding no valid frame of its own.

    Rarely, damage rebuilds a frame: a duplicated last byte, or a dropped last byte equal to the
    SOF that the next frame supplies. Such a stream really does hold a frame, so it is drawn again.
    """
    while True:
        junk = b"".join(garbage(rng) for _ in range(rng.randint(1, 3)))
        frames = [valid_frame(rng) for _ in range(rng.randint(1, 2))]
        stream = junk + b"".join(frames)
        if not any(frame_at(stream, pos) for pos in range(len(junk))):
            return stream, frames


def garbage(rng: random.Random) -> bytes:
    """One of several kinds of line damage."""
    kind = rng.randrange(6)
    if kind == 0:  # random bytes, SOF-rich
        return bytes(rng.choice((SOF, rng.randrange(256))) for _ in range(rng.randrange(1, 64)))
    frame = bytearray(valid_frame(rng))
    if kind == 1:  # truncated frame (its tail never arrived)
        return bytes(frame[: rng.randrange(1, len(frame))])
    if kind == 2:  # 1-3 flipped bits, at distinct positions
        for bit in rng.sample(range(8 * len(frame)), rng.randint(1, 3)):
            frame[bit // 8] ^= 1 << (bit % 8)
    elif kind == 3:  # a dropped byte
        del frame[rng.randrange(len(frame))]
    elif kind == 4:  # an inserted byte
        frame.insert(rng.randrange(1, len(frame)), rng.randrange(256))
    else:  # a valid-looking header that claims a long payload, then nothing
        header = bytes((SOF, 0x00, 0x04, rng.randrange(256), 0x02))
        return header + bytes((HEADER_CRC(header),))
    return bytes(frame)


def chunks(rng: random.Random, data: bytes):
    pos = 0
    while pos < len(data):
        step = rng.choice((1, 3, 17, 200, len(data)))
        yield data[pos : pos + step]
        pos += step


def test_decoder_recovers_every_valid_frame_after_garbage() -> None:
    rng = random.Random(20261122)
    worst_s = 0.0
    recovered = 0
    for _ in range(STREAMS):
        stream, frames = damaged_stream(rng)
        decoder = FrameDecoder()
        start = time.perf_counter()
        events = []
        for piece in chunks(rng, stream):
            events += decoder.feed(piece)
        events += decoder.idle()  # the line goes quiet after the last frame
        worst_s = max(worst_s, time.perf_counter() - start)
        got = [e for e in events if isinstance(e, Frame)]
        expected = [FrameDecoder().feed(f)[0] for f in frames]
        assert got == expected, (stream.hex(), events)
        assert decoder.pending == 0
        recovered += len(got)
    assert recovered >= STREAMS
    assert worst_s < 0.5, f"one stream took {worst_s:.3f} s: the decoder must not stall"


def test_decoding_random_frames_raises_only_protocol_errors() -> None:
    rng = random.Random(7)
    outcomes = {"ok": 0, "error": 0}
    for _ in range(20_000):
        payload = bytes(rng.randrange(256) for _ in range(rng.choice((0, 1, 3, 9, 10, 11, 64))))
        opcode = rng.randrange(256)
        for decode in (decode_request, decode_response):
            try:
                decode(Frame(rng.randrange(256), opcode, payload, 0))
                outcomes["ok"] += 1
            except ProtocolError:
                outcomes["error"] += 1
    assert outcomes["ok"] > 100 and outcomes["error"] > 100


@settings(max_examples=500, deadline=None)
@given(noise=st.binary(max_size=300), tail=st.integers(0, 255))
def test_any_noise_then_a_frame(noise: bytes, tail: int) -> None:
    """Hypothesis-driven: whatever precedes it, the frame after an idle gap is recovered."""
    frame = encode(tail, REQUESTS[next(iter(REQUESTS))]())
    decoder = FrameDecoder()
    decoder.feed(noise)
    decoder.idle()
    events = decoder.feed(frame)
    assert [e for e in events if isinstance(e, Frame)] == FrameDecoder().feed(frame)
