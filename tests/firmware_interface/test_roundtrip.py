"""Round trips of every message type through the frame encoder and the streaming decoder."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from firmware_interface.codec import (
    ErrorResponse,
    Frame,
    FrameDecoder,
    decode_request,
    decode_response,
    encode_error,
    encode_request,
    encode_response,
)
from firmware_interface.errors import BadArgument, BadLength, UnknownOpcode
from firmware_interface.protocol import (
    AMPLITUDE,
    CONDUCTANCE,
    MAX_FRAME,
    REQUESTS,
    RESPONSES,
    WIDTH,
    Opcode,
    Polarity,
    ProgramEntry,
    ProgramRequest,
    PulseRequest,
    ReadRequest,
    ReadResponse,
    Status,
)
from tests.firmware_interface.strategies import messages

SEQS = st.integers(0, 255)


def decode_one(data: bytes) -> Frame:
    events = FrameDecoder().feed(data)
    assert len(events) == 1 and isinstance(events[0], Frame), events
    return events[0]


@pytest.mark.parametrize("opcode", list(Opcode), ids=lambda o: o.name)
@settings(max_examples=60, deadline=None)
@given(data=st.data(), seq=SEQS)
def test_request_round_trip(opcode: Opcode, data: st.DataObject, seq: int) -> None:
    message = data.draw(messages(REQUESTS[opcode]))
    wire = encode_request(seq, message)
    assert len(wire) <= MAX_FRAME
    frame = decode_one(wire)
    assert (frame.seq, frame.opcode, frame.is_response) == (seq, opcode, False)
    assert decode_request(frame) == message


@pytest.mark.parametrize("opcode", list(Opcode), ids=lambda o: o.name)
@settings(max_examples=60, deadline=None)
@given(data=st.data(), seq=SEQS)
def test_response_round_trip(opcode: Opcode, data: st.DataObject, seq: int) -> None:
    message = data.draw(messages(RESPONSES[opcode]))
    frame = decode_one(encode_response(seq, message))
    assert frame.is_response and frame.base_opcode == opcode and frame.seq == seq
    assert decode_response(frame) == message


@settings(max_examples=200, deadline=None)
@given(
    seq=SEQS,
    opcode=st.sampled_from(list(Opcode)),
    status=st.sampled_from([s for s in Status if s != Status.OK]),
    detail=st.none() | st.integers(0, 0xFFFE),
)
def test_error_response_round_trip(seq, opcode, status, detail) -> None:
    reply = decode_response(decode_one(encode_error(seq, opcode, status, detail)))
    assert reply == ErrorResponse(opcode, status, detail)


@settings(max_examples=100, deadline=None)
@given(
    batch=st.lists(messages(ProgramRequest, max_count=8) | messages(ReadRequest), max_size=6),
    cuts=st.lists(st.integers(0, 4000), max_size=12),
)
def test_stream_split_anywhere(batch, cuts) -> None:
    """Frames fed in arbitrary chunks come out whole and in order."""
    stream = b"".join(encode_request(i, m) for i, m in enumerate(batch))
    decoder, got = FrameDecoder(), []
    edges = sorted({0, len(stream), *(c for c in cuts if c < len(stream))})
    for a, b in itertools.pairwise(edges):
        got += decoder.feed(stream[a:b])
    assert [decode_request(f) for f in got] == batch
    assert decoder.pending == 0


def test_units_are_the_spec_conversions() -> None:
    assert AMPLITUDE.to_code(1.2) == 1200 and AMPLITUDE.from_code(1200) == pytest.approx(1.2)
    assert WIDTH.to_code(1e-6) == 100
    assert CONDUCTANCE.to_code(40.0) == 4000 and CONDUCTANCE.symbol == "uS"
    with pytest.raises(ValueError, match="not a finite number"):
        AMPLITUDE.to_code(float("nan"))


def test_encode_rejects_out_of_range_fields_by_name() -> None:
    with pytest.raises(ValueError, match=r"PulseRequest\.amplitude: 70000"):
        encode_request(1, PulseRequest(0, 0, 1, Polarity.SET, 70_000, 100))
    entries = [ProgramEntry(0, 0, 100, 10)] * 129
    with pytest.raises(ValueError, match="129 entries, at most 128"):
        encode_request(1, ProgramRequest(entries))
    with pytest.raises(ValueError, match=r"entries\[1\]\.tolerance"):
        ProgramRequest([(0, 0, 1, 1), (0, 0, 1, -1)]).pack()


def test_decode_errors_carry_status_and_detail() -> None:
    good = PulseRequest(1, 2, 3, Polarity.RESET, 1500, 100).pack()
    with pytest.raises(BadLength):
        PulseRequest.unpack(good[:-1])
    bad_polarity = good[:6] + bytes([7]) + good[7:]
    with pytest.raises(BadArgument, match="not a valid Polarity") as info:
        PulseRequest.unpack(bad_polarity)
    assert info.value.detail == 3 and info.value.status_name == "BAD_ARGUMENT"
    with pytest.raises(BadLength, match="not a multiple"):
        ReadResponse.unpack(b"\x01\x02\x03")
    with pytest.raises(UnknownOpcode):
        decode_request(Frame(1, 0x7F, b"", 0))
