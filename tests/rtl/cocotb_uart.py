"""cocotb bench of uart_tx + uart_rx (toplevel tests/rtl/hdl/tb_uart.sv).

Run from tests/rtl/test_uart.py; CLKS_PER_BIT arrives as an environment variable.
"""

from __future__ import annotations

import itertools
import os
import random

import cocotb
from cocotb.handle import SimHandleBase
from cocotb.triggers import RisingEdge
from cocotb.utils import get_sim_time

from tests.rtl.benchlib import ByteSource, clks_per_bit, reset, wait_clocks


class RxMonitor:
    """Collects (time_ns, byte) for every rx_valid_o strobe."""

    def __init__(self, dut: SimHandleBase) -> None:
        self.dut = dut
        self.received: list[tuple[int, int]] = []
        self._task = cocotb.start_soon(self._run())

    async def _run(self) -> None:
        edge = RisingEdge(self.dut.rx_valid_o)
        while True:
            await edge
            self.received.append((get_sim_time("ns"), int(self.dut.rx_data_o.value)))

    @property
    def data(self) -> bytes:
        return bytes(b for _, b in self.received)

    def stop(self) -> None:
        self._task.cancel()


async def start(dut: SimHandleBase) -> tuple[ByteSource, RxMonitor]:
    await reset(dut, in_valid_i=0, in_data_i=0, force_en_i=0, force_val_i=1)
    return ByteSource(dut), RxMonitor(dut)


async def drive_line(dut: SimHandleBase, bits: list[int], bit_clocks: int) -> None:
    """Take the line over and drive `bits`, each for `bit_clocks` clocks; then release it."""
    dut.force_en_i.value = 1
    for bit in bits:
        dut.force_val_i.value = bit
        await wait_clocks(bit_clocks)
    dut.force_val_i.value = 1
    dut.force_en_i.value = 0


def character(byte: int, stop: int = 1) -> list[int]:
    """Line levels of one 8N1 character: start bit, data LSB first, stop bit."""
    return [0, *((byte >> i) & 1 for i in range(8)), stop]


@cocotb.test(timeout_time=50, timeout_unit="ms")
async def loopback_random_bytes(dut: SimHandleBase) -> None:
    """Random bytes sent back to back arrive intact, exactly 10 bit times apart."""
    cpb = clks_per_bit()
    src, mon = await start(dut)
    data = random.Random(1).randbytes(600)
    await src.send(data)
    await src.drain()
    await wait_clocks(2 * cpb)
    assert mon.data == data
    assert int(dut.ferr_count_o.value) == 0
    times = [t for t, _ in mon.received]
    gaps = {b - a for a, b in itertools.pairwise(times)}
    assert gaps == {10 * cpb * 10}, f"byte spacing {gaps} ns, expected {10 * cpb * 10}"
    mon.stop()


@cocotb.test(timeout_time=10, timeout_unit="ms")
async def framing_error_drops_byte(dut: SimHandleBase) -> None:
    """A low stop bit drops the byte and flags it; the receiver recovers for the next one."""
    cpb = clks_per_bit()
    src, mon = await start(dut)
    # A character with a low stop bit, then the line held low (a break) for 3 more bit times.
    await drive_line(dut, [*character(0x3C, stop=0), 0, 0, 0, 1, 1], cpb)
    await wait_clocks(2 * cpb)
    assert int(dut.ferr_count_o.value) == 1
    assert mon.data == b""
    # A second bad character with the line released right after its stop bit.
    await drive_line(dut, [*character(0xC3, stop=0), 1, 1], cpb)
    assert int(dut.ferr_count_o.value) == 2
    assert mon.data == b""
    await src.send(b"\x5a\xa5")
    await src.drain()
    await wait_clocks(2 * cpb)
    assert mon.data == b"\x5a\xa5"
    assert int(dut.ferr_count_o.value) == 2
    mon.stop()


@cocotb.test(timeout_time=10, timeout_unit="ms")
async def short_glitch_ignored(dut: SimHandleBase) -> None:
    """A low pulse shorter than half a bit is not a start bit."""
    cpb = clks_per_bit()
    src, mon = await start(dut)
    dut.force_en_i.value = 1
    dut.force_val_i.value = 0
    await wait_clocks(max(1, cpb // 2 - 2))
    dut.force_val_i.value = 1
    await wait_clocks(20 * cpb)
    dut.force_en_i.value = 0
    assert mon.data == b""
    assert int(dut.ferr_count_o.value) == 0
    await src.send(b"\x00\xff")
    await src.drain()
    await wait_clocks(2 * cpb)
    assert mon.data == b"\x00\xff"
    mon.stop()


@cocotb.test(skip=os.environ.get("HIL_RTL_SELFTEST") != "1")
async def deliberate_failure(dut: SimHandleBase) -> None:
    """Runner self-test only (tests/rtl/test_runner.py): a failing bench must fail pytest."""
    await reset(dut, in_valid_i=0, in_data_i=0, force_en_i=0, force_val_i=1)
    assert int(dut.ferr_count_o.value) == 1, "deliberate failure"
