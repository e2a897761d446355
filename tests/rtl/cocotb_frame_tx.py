"""cocotb bench of frame_tx (toplevel tests/rtl/hdl/tb_frame_tx.sv).

frame_tx encodes a response from SEQ/OPC/LEN and a payload buffer; its bytes go over a UART line
and are collected here. They must equal `firmware_interface.codec.encode_frame` byte for byte and
decode with the Python FrameDecoder to the same frame.
"""

from __future__ import annotations

import random

import cocotb
from cocotb.handle import SimHandleBase
from cocotb.triggers import Event, RisingEdge, with_timeout

from firmware_interface.codec import (
    Frame,
    FrameDecoder,
    encode_error,
    encode_frame,
    encode_response,
)
from firmware_interface.protocol import MAX_PAYLOAD, RESPONSE_FLAG, RESPONSES, Opcode, Status
from tests.firmware_interface.random_messages import random_message
from tests.rtl.benchlib import clks_per_bit, reset, wait_clocks

RESPONSE_TYPES = list(RESPONSES.values())


class LineMonitor:
    """Collects the bytes uart_rx decodes from frame_tx's line; `expect(n)` waits for n of them."""

    def __init__(self, dut: SimHandleBase) -> None:
        self.dut = dut
        self.data = bytearray()
        self._want = 0
        self._enough = Event()
        self._task = cocotb.start_soon(self._run())

    async def _run(self) -> None:
        edge = RisingEdge(self.dut.rx_valid_o)
        while True:
            await edge
            self.data.append(int(self.dut.rx_data_o.value))
            if len(self.data) >= self._want:
                self._enough.set()

    async def expect(self, n: int) -> bytes:
        """Wait until n bytes (in total) have arrived; return them."""
        self._want = n
        if len(self.data) < n:
            self._enough.clear()
            byte_ns = 10 * clks_per_bit() * 10
            await with_timeout(self._enough.wait(), (n - len(self.data) + 20) * byte_ns, "ns")
        return bytes(self.data[:n])

    def stop(self) -> None:
        self._task.cancel()


async def start(dut: SimHandleBase) -> LineMonitor:
    await reset(dut, start_i=0, seq_i=0, opcode_i=0, len_i=0, payload_i=0)
    return LineMonitor(dut)


async def send(
    dut: SimHandleBase, seq: int, opcode: int, payload: bytes, sync: bool = True
) -> None:
    """Load the payload buffer and pulse start_i for one clock (from the next clock edge, or
    at once if the caller is already just past an edge)."""
    if sync:
        await RisingEdge(dut.clk)
    dut.seq_i.value = seq
    dut.opcode_i.value = opcode
    dut.len_i.value = len(payload)
    dut.payload_i.value = int.from_bytes(payload, "little")
    dut.start_i.value = 1
    await RisingEdge(dut.clk)
    dut.start_i.value = 0


def split(frame: bytes) -> tuple[int, int, bytes]:
    """(SEQ, OPC, payload) of an encoded frame."""
    return frame[3], frame[4], frame[6:-4]


def random_responses(rng: random.Random) -> list[bytes]:
    frames = [
        encode_response(rng.randrange(256), random_message(rng, cls)) for cls in RESPONSE_TYPES
    ]
    frames += [
        encode_response(rng.randrange(256), random_message(rng, rng.choice(RESPONSE_TYPES)))
        for _ in range(20)
    ]
    frames += [
        encode_response(rng.randrange(256), random_message(rng, rng.choice(RESPONSE_TYPES), True))
        for _ in range(2)
    ]
    frames += [
        encode_error(rng.randrange(256), rng.choice(list(Opcode)), status, rng.choice((None, 3)))
        for status in (Status.BAD_CRC, Status.BAD_LENGTH, Status.BUSY, Status.LIMIT)
    ]
    frames.append(encode_frame(0, Opcode.INFO | RESPONSE_FLAG, b""))
    frames.append(encode_frame(255, 0xFF, rng.randbytes(MAX_PAYLOAD)))
    return frames


@cocotb.test(timeout_time=15, timeout_unit="ms")
async def random_responses_match_codec(dut: SimHandleBase) -> None:
    """Every response frame_tx sends equals encode_frame() and decodes to the same frame."""
    rng = random.Random(21)
    mon = await start(dut)
    sent = 0
    frames = random_responses(rng)
    for frame in frames:
        seq, opcode, payload = split(frame)
        await send(dut, seq, opcode, payload)
        got = (await mon.expect(sent + len(frame)))[sent:]
        sent += len(frame)
        assert got == frame, f"seq {seq} opc 0x{opcode:02X} len {len(payload)}: bytes differ"
        events = FrameDecoder().feed(got)
        assert len(events) == 1 and isinstance(events[0], Frame)
        assert (events[0].seq, events[0].opcode, events[0].payload) == (seq, opcode, payload)
    await wait_clocks(20 * clks_per_bit())
    assert len(mon.data) == sent
    assert int(dut.done_count_o.value) == len(frames)
    assert int(dut.ferr_count_o.value) == 0
    mon.stop()


@cocotb.test(timeout_time=10, timeout_unit="ms")
async def back_to_back_and_busy(dut: SimHandleBase) -> None:
    """A start in the cycle of done_o is taken at once; a start while busy is ignored."""
    rng = random.Random(22)
    mon = await start(dut)
    first = encode_frame(1, Opcode.READ | RESPONSE_FLAG, rng.randbytes(50))
    second = encode_frame(2, Opcode.MVM | RESPONSE_FLAG, rng.randbytes(7))
    await send(dut, *split(first))
    assert dut.busy_o.value
    await wait_clocks(200)
    # A start while busy must have no effect (the payload buffer is left alone, as required).
    await RisingEdge(dut.clk)
    dut.seq_i.value, dut.opcode_i.value, dut.len_i.value = 99, 0x42, 3
    dut.start_i.value = 1
    await RisingEdge(dut.clk)
    dut.start_i.value = 0
    await RisingEdge(dut.done_o)
    await send(dut, *split(second), sync=False)  # start_i high in the done_o cycle
    stream = await mon.expect(len(first) + len(second))
    assert stream == first + second
    events = FrameDecoder().feed(stream)
    assert [(e.seq, e.opcode) for e in events] == [(1, first[4]), (2, second[4])]
    await wait_clocks(30 * clks_per_bit())
    assert len(mon.data) == len(first) + len(second)
    assert int(dut.done_count_o.value) == 2
    assert not dut.busy_o.value
    mon.stop()
