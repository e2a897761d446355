"""Shared pieces of the cocotb benches (imported inside the simulator, cocotb 2.1 API).

The benches' clocks run in HDL (`always #5`, 10 ns); Python wakes once per byte it queues or
receives and once per event, never per clock. Timers are whole clock periods, so they can end in
the very time step of a clock edge: code that drives synchronous inputs first awaits the clock's
rising edge and writes just after it.
"""

from __future__ import annotations

import os

from cocotb.handle import SimHandleBase
from cocotb.triggers import FallingEdge, ReadOnly, RisingEdge, Timer

CLK_NS = 10
"""Period of the benches' HDL clock."""


def clks_per_bit() -> int:
    """The CLKS_PER_BIT the bench was built with (passed by the pytest side)."""
    return int(os.environ.get("CLKS_PER_BIT", "8"))


async def wait_clocks(n: int) -> None:
    """Let `n` clock periods pass with one timer (no per-clock wake-ups)."""
    if n > 0:
        await Timer(n * CLK_NS, unit="ns")


async def reset(dut: SimHandleBase, **inputs: int) -> None:
    """Drive the given inputs, hold rst_ni low for a few clocks, release it."""
    for name, value in inputs.items():
        getattr(dut, name).value = value
    dut.rst_ni.value = 0
    await wait_clocks(4)
    dut.rst_ni.value = 1
    await RisingEdge(dut.clk)


class ByteSource:
    """Drives a `tb_byte_src` FIFO (in_data_i/in_valid_i) and waits for it to drain (src_busy_o)."""

    def __init__(self, dut: SimHandleBase) -> None:
        self.dut = dut

    async def send(self, data: bytes) -> None:
        """Queue `data`, one byte per clock."""
        dut = self.dut
        edge = RisingEdge(dut.clk)
        await edge  # drive only just after an edge: a timer may have ended on one
        for byte in data:
            dut.in_data_i.value = byte
            dut.in_valid_i.value = 1
            await edge
        dut.in_valid_i.value = 0

    async def drain(self) -> None:
        """Return once every queued byte has left (for a UART: its stop bit is on the line)."""
        await ReadOnly()
        if self.dut.src_busy_o.value:
            await FallingEdge(self.dut.src_busy_o)
        await RisingEdge(self.dut.clk)
