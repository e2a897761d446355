"""The unmodified host library on the RTL chip through the in-process bridge (cocotb bench on
hil/rtl/hdl/sim_chip.sv, run by tests/rtl/test_bridge.py).

`SerialBoardChip` runs in a `cocotb.task.bridge` thread over `hil.rtl.bridge.SimSerial`; the
fixed-point twin, driven with the same frames (the backend's own batching functions), predicts
every conductance the host gets back, bit for bit.
"""

from __future__ import annotations

import cocotb
import numpy as np
from cocotb.handle import SimHandleBase
from cocotb.task import bridge

from firmware_interface.protocol import AMPLITUDE, CONDUCTANCE, REGISTERS, WIDTH, Register
from hil.backends.serial_board import SerialBoardChip, pulse_segments, read_blocks
from hil.chip import Operation
from hil.device.fixed_point import FixedPointArray
from hil.program import program
from hil.program.policy import default_policy
from hil.rtl.bridge import SimSerial
from hil.rtl.chip_link import ChipLink

ROWS, COLS = 64, 128
AFTER = slice(4 * COLS, 7 * COLS)
"""Cells read back after the pulses (rows 4-6)."""
TIMEOUT_S = 0.05
"""Host response timeout in simulated seconds (5 M clocks: far above any answer's time)."""


async def _open(dut: SimHandleBase) -> tuple[ChipLink, SimSerial]:
    link = ChipLink(dut)
    await link.reset()
    return link, SimSerial(link)


def _twin_read(twin: FixedPointArray, rows: np.ndarray, cols: np.ndarray, n: int) -> np.ndarray:
    """What the chip answers to `SerialBoardChip.read`: the twin read frame by frame."""
    unique = np.unique(rows * COLS + cols)
    out = []
    for row, col, n_rows, n_cols in read_blocks(unique, COLS):
        cells = np.arange(row, row + n_rows)[:, None] * COLS + np.arange(col, col + n_cols)
        out.append(twin.read(cells.ravel(), n))
    return np.concatenate(out) * CONDUCTANCE.lsb


@cocotb.test(timeout_time=200, timeout_unit="ms")
async def host_reads_and_pulses_match_twin(dut: SimHandleBase) -> None:
    """INFO, a whole-array READ and row PULSEs through SerialBoardChip equal the twin."""
    link, port = await _open(dut)
    twin = FixedPointArray(ROWS, COLS, seed=REGISTERS[Register.NOISE_SEED].reset)
    rows, cols = np.divmod(np.arange(ROWS * COLS), COLS)

    def host() -> dict:
        chip = SerialBoardChip(port, clock=port.clock, timeout_s=TIMEOUT_S, retries=1)
        info = chip.info()
        first = chip.read(rows, cols)
        prow, pcol = np.full(40, 5), np.arange(10, 50)
        v = np.where(pcol < 30, 2.0, -1.8)
        chip.pulse(prow, pcol, v, 1e-7)
        second = chip.read(rows[AFTER], cols[AFTER], n_reads=2)
        return {"info": info, "first": first, "second": second, "stats": chip.stats,
                "pulse": (prow, pcol, v)}  # fmt: skip

    got = await bridge(host)()
    info = got["info"]
    assert (info.rows, info.cols) == (ROWS, COLS)
    assert info.supports(Operation.READ) and info.supports(Operation.PULSE)
    np.testing.assert_array_equal(got["first"], _twin_read(twin, rows, cols, 1))
    prow, pcol, v = got["pulse"]
    amp = np.rint(np.abs(v) / AMPLITUDE.lsb).astype(np.int64)
    width = np.full(40, round(1e-7 / WIDTH.lsb))
    for row, col, n, pol, a, w in pulse_segments(prow, pcol, (v < 0).astype(int), amp, width):
        cells = row * COLS + np.arange(col, col + n)
        twin.pulse(cells, np.full(n, a // 10), np.full(n, pol == 0), np.full(n, w))
    np.testing.assert_array_equal(got["second"], _twin_read(twin, rows[AFTER], cols[AFTER], 2))
    set_cells = np.arange(5 * COLS + 10, 5 * COLS + 30)  # the SET pulses moved these cells up
    assert (got["second"][set_cells - AFTER.start] > got["first"][set_cells] + 1).mean() > 0.5
    stats = got["stats"]
    assert stats["READ"].requests == 16 + 1  # 512-cell frames: 16 for the array, 1 for 3 rows
    assert stats["PULSE"].requests == 2  # one frame per (row run, polarity)
    assert stats.round_trips == stats.requests  # lockstep: no retry ever
    assert link.bytes_in == stats.bytes_sent and link.bytes_out == stats.bytes_received


@cocotb.test(timeout_time=2000, timeout_unit="ms")
async def host_side_write_verify_converges(dut: SimHandleBase) -> None:
    """hil.program's host-side write-verify (PULSE + READ frames) programs a 4 x 16 block."""
    _, port = await _open(dut)
    rng = np.random.default_rng(5)
    target = rng.uniform(5.0, 35.0, (4, 16))
    rows, cols = np.divmod(np.arange(64), 16)
    rows, cols = rows + 20, cols + 32
    policy = default_policy().replace(offload="never")

    def host():
        chip = SerialBoardChip(port, clock=port.clock, timeout_s=TIMEOUT_S, retries=1)
        result = program(chip, rows, cols, target.ravel(), policy, sleep=lambda s: None)
        after = chip.read(rows, cols, n_reads=8)
        return result, after, chip.stats

    result, after, stats = await bridge(host)()
    converged = result.success
    assert converged.mean() >= 0.9, f"only {converged.mean():.0%} converged"
    tolerance = policy.tolerance_us
    # read noise at 8 averaged reads stays well inside 2 x the band for converged cells
    assert np.abs(after - target.ravel())[converged].max() < 2 * tolerance
    assert stats["PROGRAM"].requests == 0 and stats["PULSE"].requests > 0
