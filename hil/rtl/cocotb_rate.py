"""cocotb test: Verilator's raw cycle rate for the served chip (sim_chip), Python idle.

Resets the chip, then lets `HIL_RTL_RATE_CYCLES` clocks pass with one Timer (the chip idle, its
line quiet) and writes `{"cycles": N, "wall_s": t}` to `rate.json` in the test directory. The
benchmark compares the bridge's simulated cycles per second with this figure.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import cocotb
from cocotb.handle import SimHandleBase
from cocotb.triggers import Timer

from hil.rtl.chip_link import CLK_NS, ChipLink

RATE_CYCLES = 2_000_000
"""Default clocks timed (about a second of wall time at this design's rate)."""


@cocotb.test()
async def raw_cycle_rate(dut: SimHandleBase) -> None:
    """Time RATE_CYCLES clocks of the idle chip in one Timer."""
    await ChipLink(dut).reset(collect=False)  # no Python callback at all while timing
    cycles = int(os.environ.get("HIL_RTL_RATE_CYCLES", str(RATE_CYCLES)))
    await Timer(1000 * CLK_NS, unit="ns")  # past the reset walker's first steps
    start = time.perf_counter()
    await Timer(cycles * CLK_NS, unit="ns")
    wall_s = time.perf_counter() - start
    Path("rate.json").write_text(json.dumps({"cycles": cycles, "wall_s": wall_s}))
