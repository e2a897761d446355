"""CRC correctness and error detection on real frames, through the real decoder."""

from __future__ import annotations

import random

import pytest

from firmware_interface.codec import Frame, FrameDecoder, encode_request, encode_response
from firmware_interface.crc import CHECK_INPUT, Crc
from firmware_interface.protocol import (
    FRAME_CRC,
    HEADER_BYTES,
    HEADER_CRC,
    MAX_FRAME,
    REQUESTS,
    RESPONSES,
    TRAILER_BYTES,
    InfoRequest,
)
from tests.firmware_interface.random_messages import random_message

DOUBLE_BIT_SAMPLES = 100_000


def frames_of_every_size_class() -> list[bytes]:
    """The smallest frame, and every message type filled to its maximum array size."""
    rng = random.Random(3)
    frames = [encode_request(0, InfoRequest())]
    for cls in (*REQUESTS.values(), *RESPONSES.values()):
        encode = encode_response if cls.IS_RESPONSE else encode_request
        frames.append(encode(rng.randrange(256), random_message(rng, cls, full=True)))
    return frames


def accepted(stream: bytes) -> list[Frame]:
    decoder = FrameDecoder()
    events = decoder.feed(stream) + decoder.idle()
    return [e for e in events if isinstance(e, Frame)]


@pytest.mark.parametrize("crc", [HEADER_CRC, FRAME_CRC], ids=lambda c: c.name)
def test_catalogue_check_values(crc: Crc) -> None:
    assert crc.check()
    assert crc.table_function()(CHECK_INPUT) == crc.check_value


def test_fast_crc32_matches_table_reference() -> None:
    rng = random.Random(1)
    reference = FRAME_CRC.table_function()
    for size in (0, 1, 5, 64, MAX_FRAME):
        data = bytes(rng.randrange(256) for _ in range(size))
        assert FRAME_CRC(data) == reference(data)


def test_largest_frame_is_the_spec_maximum() -> None:
    assert max(len(f) for f in frames_of_every_size_class()) == MAX_FRAME


@pytest.mark.parametrize("frame", frames_of_every_size_class(), ids=lambda f: f"{len(f)}B")
def test_every_single_bit_error_is_detected(frame: bytes) -> None:
    """Exhaustive over every bit of every frame size class, up to MAX_FRAME."""
    assert accepted(frame)
    damaged = bytearray(frame)
    for bit in range(8 * len(frame)):
        damaged[bit // 8] ^= 1 << (bit % 8)
        assert not accepted(bytes(damaged)), f"bit {bit} flip accepted"
        damaged[bit // 8] ^= 1 << (bit % 8)


def test_sampled_double_bit_errors_are_detected() -> None:
    rng = random.Random(11)
    frames = frames_of_every_size_class()
    for _ in range(DOUBLE_BIT_SAMPLES):
        frame = bytearray(rng.choice(frames))
        for bit in rng.sample(range(8 * len(frame)), 2):
            frame[bit // 8] ^= 1 << (bit % 8)
        assert not accepted(bytes(frame)), frame.hex()


def _x_power_residues(crc: Crc, count: int):
    """x^k mod P for k = 1..count (the syndrome of a single error bit k places apart)."""
    mask, top = (1 << crc.width) - 1, 1 << crc.width
    poly = crc.poly | top
    residue = 1
    for _ in range(count):
        residue <<= 1
        if residue & top:
            residue ^= poly
        yield residue & mask


@pytest.mark.parametrize(
    ("crc", "data_bytes"),
    [(HEADER_CRC, 5), (FRAME_CRC, MAX_FRAME - TRAILER_BYTES)],
    ids=["header", "frame"],
)
def test_all_double_bit_errors_detected_algebraically(crc: Crc, data_bytes: int) -> None:
    """Exhaustive proof: two flips d bits apart escape only if x^d = 1 mod P, for d < span."""
    span = 8 * (data_bytes + crc.width // 8)
    assert all(r != 1 for r in _x_power_residues(crc, span))


def test_header_errors_are_rejected_before_the_payload_arrives() -> None:
    """A corrupted header never makes the receiver wait for a bogus length."""
    frame = bytearray(encode_request(9, InfoRequest()))
    frame[2] ^= 0x40  # LEN high byte: claims 16 KiB
    decoder = FrameDecoder()
    assert decoder.feed(frame[:HEADER_BYTES]) == []
    assert decoder.pending == 0 and decoder.stats.header_errors == 1
