"""The byte link to the RTL chip inside the simulator (cocotb 2.1; imported only in the simulator).

`ChipLink` drives `hil/rtl/hdl/sim_chip.sv`: host bytes go into the HDL FIFO at LANES per clock
(never more than the FIFO holds), the chip's answer bytes are collected by one coroutine woken per
word sim_chip hands out. Between FIFO and chip the bytes cross either the chip's real UART pins,
bit by bit in C++ at `CLKS_PER_BIT` clocks per bit (link "uart": one byte per word), or
chip_top's byte link at one clock per byte (link "byte", sim_chip's BYTE_LINK = 1: up to LANES
bytes per word); the bytes are the same. Python costs one wake-up per LANES bytes sent, one per
word received and one per `advance()`, never one per clock.

The link also counts request frames going in and response frames coming out (with the codec's
decoder), so the bridges know whether the chip still owes an answer (`busy`) and can stop
simulating when it does not.
"""

from __future__ import annotations

import os
from collections import deque

import cocotb
from cocotb.handle import SimHandleBase
from cocotb.simtime import get_sim_time
from cocotb.triggers import Event, First, RisingEdge, Timer

from firmware_interface.codec import FrameDecoder

CLK_NS = 10
"""Period of sim_chip's HDL clock (`always #5`)."""
CLKS_PER_BIT = 4
"""Clocks per UART bit in the simulated chip: the smallest uart_rx accepts (rtl/uart_rx.sv)."""
FIFO_DEPTH = 4096
"""Depth of sim_chip's input FIFO (its FIFO_DEPTH parameter)."""
LANES = 8
"""Bytes cocotb writes into the input FIFO per clock, and bytes per received word on the byte link
(sim_chip's LANES parameter)."""
LINKS = ("uart", "byte")
"""How bytes reach the chip: its UART pins (the default: what a board has) or its byte link."""
ANSWER_CYCLES = 20_000_000
"""Clocks the link waits for an owed answer before it calls the chip idle (0.2 s of chip time,
far above any single request's execution time in this design)."""


def clks_per_bit() -> int:
    """The CLKS_PER_BIT the model was built with (passed in the environment by the runner)."""
    return int(os.environ.get("CLKS_PER_BIT", str(CLKS_PER_BIT)))


class ChipLink:
    """Bytes to and from the chip's UART, plus a count of owed responses.

    Only coroutines of the cocotb scheduler may call it (a bridge thread goes through
    `cocotb.task.resume`).
    """

    def __init__(self, dut: SimHandleBase) -> None:
        self.dut = dut
        self.pending = bytearray()
        """Host bytes not yet in the HDL FIFO."""
        self.received: deque[int] = deque()
        """Chip bytes not yet taken by the host."""
        self.cycles = 0
        """Clocks simulated since reset (through `advance`)."""
        self.bytes_in = 0
        self.bytes_out = 0
        self._requests = FrameDecoder()
        self._responses = FrameDecoder()
        self._sent_frames = 0
        self._answered = 0
        self._quiet = 0
        self._answer = Event()

    async def reset(self, collect: bool = True) -> None:
        """Hold the chip in reset for a few clocks, release it and (with `collect`) start the
        byte collector."""
        dut = self.dut
        dut.in_data_i.value = 0
        dut.in_count_i.value = 0
        dut.rst_ni.value = 0
        await Timer(5 * CLK_NS, unit="ns")
        dut.rst_ni.value = 1
        await Timer(2 * CLK_NS, unit="ns")
        if collect:
            cocotb.start_soon(self._collect())

    def write(self, data: bytes) -> None:
        """Queue host bytes (sent by the next `advance`)."""
        self.pending += data
        self.bytes_in += len(data)
        frames = len(self._requests.feed(data))
        if frames:
            self._sent_frames += frames
            self._quiet = 0

    def take(self, size: int) -> bytes:
        """Up to `size` received bytes, removed from the buffer."""
        n = min(size, len(self.received))
        return bytes(self.received.popleft() for _ in range(n))

    @property
    def whole(self) -> int:
        """Received bytes up to the end of the last complete response frame (all of them when no
        answer is owed): what a bridge may hand the host without splitting a frame."""
        if self._answered < self._sent_frames and self._quiet < ANSWER_CYCLES:
            return len(self.received) - min(self._responses.pending, len(self.received))
        return len(self.received)

    @property
    def busy(self) -> bool:
        """Bytes still to send, or a complete request not yet answered (within ANSWER_CYCLES)."""
        if self.pending or int(self.dut.in_busy_o.value):
            return True
        return self._answered < self._sent_frames and self._quiet < ANSWER_CYCLES

    async def advance(self, cycles: int) -> None:
        """Feed queued bytes into the FIFO, then let up to `cycles` clocks pass in C++; return
        early when the last owed answer completes."""
        if self.pending:
            cycles -= await self._feed()
        if cycles > 0:
            start = get_sim_time("ns")
            self._answer.clear()
            await First(Timer(cycles * CLK_NS, unit="ns"), self._answer.wait())
            passed = round((get_sim_time("ns") - start) / CLK_NS)
            self.cycles += passed
            self._quiet += passed

    async def _feed(self) -> int:
        """Write as many queued bytes as the FIFO takes, LANES per clock; return clocks used."""
        dut = self.dut
        edge = RisingEdge(dut.clk)
        await edge  # drive only just after an edge: a timer may have ended on one
        room = FIFO_DEPTH - int(dut.in_level_o.value) - LANES
        chunk = bytes(self.pending[: max(room, 0)])
        del self.pending[: len(chunk)]
        clocks = 1
        for start in range(0, len(chunk), LANES):
            lanes = chunk[start : start + LANES]
            dut.in_data_i.value = int.from_bytes(lanes, "little")
            dut.in_count_i.value = len(lanes)
            await edge
            clocks += 1
        dut.in_count_i.value = 0
        self.cycles += clocks
        return clocks

    async def _collect(self) -> None:
        dut = self.dut
        valid = RisingEdge(dut.out_valid_o)
        while True:
            await valid  # out_data_o and out_count_o are registered with out_valid_o: stable
            count = int(dut.out_count_o.value)
            data = int(dut.out_data_o.value).to_bytes(LANES, "little")[:count]
            self.received.extend(data)
            self.bytes_out += count
            self._quiet = 0
            self._answered += len(self._responses.feed(data))
            if self._answered >= self._sent_frames:
                self._answer.set()
