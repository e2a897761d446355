"""Request/response semantics: status mapping, idempotent retries, and a lossy real serial link."""

from __future__ import annotations

import random
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import serial

from firmware_interface.codec import (
    ErrorResponse,
    FrameDecoder,
    decode_response,
    encode_request,
)
from firmware_interface.errors import ChipError, CommandRejected, LinkError
from firmware_interface.link import ProtocolClient
from firmware_interface.message import Message
from firmware_interface.protocol import (
    REFERENCE_CHIP,
    AdvanceTimeRequest,
    InfoRequest,
    InfoResponse,
    Opcode,
    Polarity,
    PulseRequest,
    PulseResponse,
    Status,
)
from firmware_interface.responder import Responder


class CountingChip:
    """A handler that records every PULSE it executes and refuses out-of-range rows."""

    def __init__(self) -> None:
        self.pulses: list[PulseRequest] = []
        self.busy_left = 0

    def __call__(self, request: Message) -> Message:
        if isinstance(request, InfoRequest):
            return REFERENCE_CHIP
        if isinstance(request, PulseRequest):
            if self.busy_left:
                self.busy_left -= 1
                raise CommandRejected("BUSY", "still pulsing")
            if request.row >= REFERENCE_CHIP.rows:
                raise CommandRejected("BAD_ADDRESS", f"row {request.row}", detail=0)
            self.pulses.append(request)
            return PulseResponse()
        raise CommandRejected("UNSUPPORTED", f"{type(request).__name__} not simulated")


def reply(responder: Responder, frame: bytes) -> Message | ErrorResponse:
    events = FrameDecoder().feed(responder.receive(frame))
    assert len(events) == 1
    return decode_response(events[0])


def test_repeated_frame_is_answered_from_cache_not_executed() -> None:
    chip = CountingChip()
    responder = Responder(chip)
    frame = encode_request(7, PulseRequest(1, 2, 1, Polarity.SET, 1500, 100))
    first = responder.receive(frame)
    second = responder.receive(frame)
    assert first == second and len(chip.pulses) == 1
    assert responder.stats.replayed == 1
    # Same content under a new SEQ is a new request and does execute.
    responder.receive(encode_request(8, PulseRequest(1, 2, 1, Polarity.SET, 1500, 100)))
    assert len(chip.pulses) == 2


def test_statuses_map_to_error_responses() -> None:
    responder = Responder(CountingChip())
    bad_row = encode_request(1, PulseRequest(999, 0, 1, Polarity.SET, 1500, 100))
    assert reply(responder, bad_row) == ErrorResponse(Opcode.PULSE, Status.BAD_ADDRESS, 0)
    unsupported = encode_request(2, AdvanceTimeRequest(dt=10, temperature=0))
    assert reply(responder, unsupported).status == Status.UNSUPPORTED
    corrupted = bytearray(encode_request(3, InfoRequest()))
    corrupted[-1] ^= 0x01
    assert reply(responder, bytes(corrupted)) == ErrorResponse(Opcode.INFO, Status.BAD_CRC, None)
    assert isinstance(reply(responder, encode_request(4, InfoRequest())), InfoResponse)


def test_busy_is_not_cached() -> None:
    chip = CountingChip()
    chip.busy_left = 1
    responder = Responder(chip)
    frame = encode_request(5, PulseRequest(0, 0, 1, Polarity.RESET, 1500, 100))
    assert reply(responder, frame).status == Status.BUSY
    assert reply(responder, frame) == PulseResponse()
    assert len(chip.pulses) == 1


@contextmanager
def lossy_chip_server(
    chip: CountingChip, *, seed: int, drop: float, corrupt: float
) -> Iterator[tuple[int, Responder]]:
    """A TCP chip on 127.0.0.1 that corrupts requests and drops or corrupts responses."""
    rng = random.Random(seed)
    responder = Responder(chip)
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def damage(data: bytes) -> bytes:
        if data and rng.random() < corrupt:
            buf = bytearray(data)
            buf[rng.randrange(len(buf))] ^= 1 << rng.randrange(8)
            return bytes(buf)
        return data

    def serve() -> None:
        conn, _ = listener.accept()
        conn.settimeout(0.01)
        with conn:
            while not stop.is_set():
                try:
                    data = conn.recv(4096)
                except TimeoutError:
                    out = responder.idle()
                else:
                    if not data:
                        return
                    out = responder.receive(damage(data))
                if out and rng.random() >= drop:
                    conn.sendall(damage(out))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1], responder
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


def test_lossy_socket_link_executes_every_pulse_exactly_once() -> None:
    chip = CountingChip()
    with lossy_chip_server(chip, seed=5, drop=0.2, corrupt=0.15) as (port, responder):
        link = serial.serial_for_url(f"socket://127.0.0.1:{port}", timeout=0.01)
        client = ProtocolClient(link, timeout_s=0.15, retries=12)
        sent = [
            PulseRequest(r % 64, (3 * r) % 128, 1, Polarity(r % 2), 1200 + r, 100)
            for r in range(150)
        ]
        for request in sent:
            assert client.request(request) == PulseResponse()
        assert client.request(InfoRequest()) == REFERENCE_CHIP
        link.close()
    assert chip.pulses == sent  # every pulse once, in order, despite the noise
    assert client.stats.retries > 10 and responder.stats.replayed > 5


def test_chip_error_and_link_error() -> None:
    chip = CountingChip()
    with lossy_chip_server(chip, seed=1, drop=0.0, corrupt=0.0) as (port, _):
        link = serial.serial_for_url(f"socket://127.0.0.1:{port}", timeout=0.01)
        client = ProtocolClient(link, timeout_s=0.2, retries=1)
        with pytest.raises(ChipError, match="PULSE refused by the chip: BAD_ADDRESS"):
            client.request(PulseRequest(500, 0, 1, Polarity.SET, 1500, 100))
        link.close()
    silent = serial.serial_for_url("loop://", timeout=0.01)  # echoes requests, never answers
    with pytest.raises(LinkError, match="INFO: no valid response after 3 attempts"):
        ProtocolClient(silent, timeout_s=0.05, retries=2).request(InfoRequest())
