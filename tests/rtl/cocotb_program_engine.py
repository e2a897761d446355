"""cocotb unit bench of the write-verify engine (rtl/program_engine.sv on
tests/rtl/hdl/tb_program_engine.sv), against the twin's engine `FixedPointArray.program`.

The bench loads the twin's cell words into the engine's memory, so the two start equal; every
batch's status, DETAIL, response bytes and cycle count are checked. The cycle count from start
to done is exact: load 8 per entry (+1, including the check), the initial verify 1 + R per
entry, each pulse 2 + R, each entry's final decision 1, output 6 per entry
(R = VERIFY_N_DISCARD + VERIFY_N_READS)."""

from __future__ import annotations

import cocotb
import numpy as np
from cocotb.handle import SimHandleBase
from cocotb.triggers import ReadOnly, RisingEdge

from firmware_interface.protocol import REGISTERS, ProgramResponse, Register, Status
from hil.device.fixed_point import FixedPointArray
from tests.rtl.benchlib import reset

ROWS, COLS = 8, 16


def cell_word(twin: FixedPointArray, cell: int) -> int:
    """The packed cell_word_t (rtl/device_pkg.sv) of one twin cell, most significant first."""
    fields = [
        (64, twin.t_write[cell]), (16, twin.g[cell]), (16, twin.g_prog[cell]),
        (16, twin.g_max[cell]), (16, twin.stuck_g[cell]), (6, twin.v_set[cell]),
        (6, twin.v_reset[cell]), (3, twin.step_level[cell]), (3, twin.relax_level[cell]),
        (1, twin.stuck[cell]), (1, twin.injected[cell]), (16, twin.injected_g[cell]),
    ]  # fmt: skip
    word = 0
    for width, value in fields:
        word = (word << width) | (int(value) & ((1 << width) - 1))
    return word


class Engine:
    def __init__(self, dut: SimHandleBase, twin: FixedPointArray) -> None:
        self.dut = dut
        self.twin = twin
        self.regs = {int(r): spec.reset for r, spec in REGISTERS.items()}

    async def load_cells(self) -> None:
        dut = self.dut
        for cell in range(ROWS * COLS):
            await RisingEdge(dut.clk)
            dut.cell_we_i.value = 1
            dut.cell_waddr_i.value = cell
            dut.cell_wdata_i.value = cell_word(self.twin, cell)
        await RisingEdge(dut.clk)
        dut.cell_we_i.value = 0

    def set_registers(self, **values: int) -> None:
        for name, value in values.items():
            self.regs[int(Register[name])] = value
        packed = 0
        for address in sorted(self.regs, reverse=True):
            packed = (packed << 32) | self.regs[address]
        self.dut.regs_i.value = packed

    async def run(self, payload: bytes) -> tuple[int, int, bytes, int]:
        """Execute one batch: (status, detail, response bytes, cycles from start to done)."""
        dut = self.dut
        for address, byte in enumerate(payload):
            await RisingEdge(dut.clk)
            dut.pl_we_i.value = 1
            dut.pl_waddr_i.value = address
            dut.pl_wdata_i.value = byte
        await RisingEdge(dut.clk)
        dut.pl_we_i.value = 0
        dut.start_i.value = 1
        dut.n_entries_i.value = len(payload) // 8
        await RisingEdge(dut.clk)
        dut.start_i.value = 0
        started = int(dut.cycles_o.value)
        await RisingEdge(dut.done_o)
        await ReadOnly()
        cycles = int(dut.cycles_o.value) - started
        status, detail, length = (int(dut.status_o.value), int(dut.detail_o.value),
                                  int(dut.len_o.value))  # fmt: skip
        response = bytearray()
        if status == Status.OK:
            for address in range(length):
                await RisingEdge(dut.clk)
                dut.resp_raddr_i.value = address
                await RisingEdge(dut.clk)
                await RisingEdge(dut.clk)
                await ReadOnly()
                response.append(int(dut.resp_rdata_o.value))
        await RisingEdge(dut.clk)
        return status, detail, bytes(response), cycles

    async def check(self, entries: list[tuple[int, int, int, int]]) -> int:
        """Program `entries` on both; compare results and cycles; return the pulses applied."""
        rows, cols, target, tol = np.array(entries, dtype=np.int64).reshape(-1, 4).T
        out = self.twin.program(rows * COLS + cols, target, tol, self.regs)
        expected = bytearray((Status.OK,))
        for g, pulses, outcome, iterations in zip(
            out.g, out.pulses, out.outcome, out.iterations, strict=True
        ):
            expected += int(g).to_bytes(2, "little") + int(pulses).to_bytes(2, "little")
            expected += bytes((int(outcome), int(iterations)))
        status, _, response, cycles = await self.run(payload(entries))
        assert status == Status.OK
        assert response == bytes(expected), f"{response.hex()}\n{bytes(expected).hex()}"
        n = len(entries)
        reads = self.regs[Register.VERIFY_N_READS] + self.regs[Register.VERIFY_N_DISCARD]
        total = int(out.pulses.sum())
        out_cycles = n * ProgramResponse.LAYOUT.array.element_size  # one byte per clock
        assert cycles == 8 * n + 1 + n * (1 + reads) + total * (2 + reads) + n + out_cycles
        return total


def payload(entries) -> bytes:
    return b"".join(b"".join(int(v).to_bytes(2, "little") for v in entry) for entry in entries)


async def start(dut: SimHandleBase, seed: int) -> Engine:
    await reset(dut, start_i=0, pl_we_i=0, cell_we_i=0, n_entries_i=0, now_i=0, resp_raddr_i=0,
                regs_i=0)  # fmt: skip
    twin = FixedPointArray(ROWS, COLS, seed=seed)
    engine = Engine(dut, twin)
    engine.set_registers()
    await engine.load_cells()
    twin.state = REGISTERS[Register.NOISE_SEED].reset  # the bench's lfsr is at its reset seed
    return engine


@cocotb.test()
async def engine_matches_twin(dut: SimHandleBase) -> None:
    """Batches under several policies: results bit-exact, cycles exactly as documented."""
    engine = await start(dut, seed=21)
    rng = np.random.default_rng(2)
    every = [(c // COLS, c % COLS, int(rng.integers(100, 4001)), 100) for c in range(ROWS * COLS)]
    pulses = await engine.check(every)
    assert pulses > 5 * ROWS * COLS  # a real workout, not a batch of already-converged cells
    engine.set_registers(VERIFY_N_READS=4, VERIFY_N_DISCARD=3, PULSES_PER_RAMP=5,
                         MAX_ITERATIONS=3, SET_V_STEP=30, RESET_V_START=2000)  # fmt: skip
    await engine.check([(0, 1, 3000, 40), (0, 1, 200, 40), (7, 15, 9000, 20), (3, 3, 150, 400)])
    for _ in range(3):
        engine.set_registers(PULSES_PER_RAMP=int(rng.integers(1, 30)),
                             MAX_ITERATIONS=int(rng.integers(1, 4)),
                             VERIFY_N_READS=int(rng.integers(1, 5)),
                             VERIFY_N_DISCARD=int(rng.integers(0, 4)))  # fmt: skip
        n = int(rng.integers(1, 129))
        cells = rng.integers(0, ROWS * COLS, n)  # repeats allowed: sequential semantics
        await engine.check([(int(c) // COLS, int(c) % COLS, int(rng.integers(0, 5000)),
                             int(rng.integers(1, 200))) for c in cells])  # fmt: skip


@cocotb.test()
async def engine_refuses_bad_entries(dut: SimHandleBase) -> None:
    """The first out-of-chip entry (BAD_ADDRESS) beats any zero tolerance (BAD_ARGUMENT);
    refused batches touch no cell and draw no noise (the next batch still matches the twin)."""
    engine = await start(dut, seed=5)
    good = (1, 2, 2000, 100)
    cases = [
        ([good, (ROWS, 0, 1, 1)], Status.BAD_ADDRESS, 1),
        ([good, good, (0, COLS, 1, 1)], Status.BAD_ADDRESS, 2),
        ([(0, 0, 1, 0), good, (ROWS, COLS, 1, 1)], Status.BAD_ADDRESS, 2),
        ([good, (0, 0, 1, 0), (0, 1, 1, 0)], Status.BAD_ARGUMENT, 1),
    ]
    for entries, status, detail in cases:
        got = await engine.run(payload(entries))
        assert got[:2] == (status, detail), (entries, got[:2])
    await engine.check([good, (2, 2, 300, 50)])
