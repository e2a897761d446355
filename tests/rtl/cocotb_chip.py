"""cocotb bench of chip_top over its UART (toplevel tests/rtl/hdl/tb_chip.sv).

The scoreboard is the fixed-point twin: a `FixedPointArray` with the chip's seed, driven by the
same requests, plus the reference handler's rules (hil/backends/protocol_chip.py) for statuses and
DETAIL. Every response frame must equal the expected frame byte for byte.
"""

from __future__ import annotations

import dataclasses
import random

import cocotb
import numpy as np
from cocotb.handle import SimHandleBase
from cocotb.triggers import Event, RisingEdge, SimTimeoutError, with_timeout

from firmware_interface.codec import (
    Frame,
    FrameDecoder,
    encode_error,
    encode_frame,
    encode_request,
    encode_response,
)
from firmware_interface.errors import CommandRejected
from firmware_interface.message import Message
from firmware_interface.protocol import (
    HEADER_CRC,
    NO_DETAIL,
    REGISTERS,
    SOF,
    VERSION_MAJOR,
    VERSION_MINOR,
    AdvanceTimeRequest,
    AdvanceTimeResponse,
    Capability,
    ConfigRequest,
    ConfigResponse,
    FaultInjectRequest,
    FaultInjectResponse,
    FaultKind,
    InfoRequest,
    InfoResponse,
    MvmRequest,
    MvmResponse,
    Opcode,
    ProgramRequest,
    ProgramResponse,
    PulseRequest,
    PulseResponse,
    ReadRequest,
    ReadResponse,
    Register,
    RegisterValue,
    Status,
)
from hil.backends.protocol_chip import ProtocolChipHandler
from hil.backends.sim import SimChip
from hil.device.fixed_point import FixedPointArray, LineNoise
from tests.firmware_interface.random_messages import random_message
from tests.rtl.benchlib import CLK_NS, ByteSource, clks_per_bit, reset

ROWS, COLS = 64, 128
CAPABILITIES = (
    Capability.PROGRAM | Capability.MVM | Capability.ADVANCE_TIME | Capability.FAULT_INJECT
)
"""What INFO advertises so far."""


class Chip:
    """Sends request bytes, collects response frames, and checks them against expectations."""

    def __init__(self, dut: SimHandleBase) -> None:
        self.dut = dut
        self.src = ByteSource(dut)
        self.decoder = FrameDecoder()
        self.frames: list[Frame] = []
        self.arrived = Event()
        self.twin = FixedPointArray(ROWS, COLS, seed=REGISTERS[Register.NOISE_SEED].reset)
        self.regs = {r: spec.reset for r, spec in REGISTERS.items()}
        self.seq = 0
        self.checked = 0
        self.last = b""
        """The last checked response frame."""
        self.line = LineNoise()
        """Twin of the chip's LINE_NOISE on the bytes it receives."""
        self.corrupted = 0
        """Attempts the line noise corrupted."""
        cocotb.start_soon(self._collect())

    async def _collect(self) -> None:
        dut = self.dut
        while True:
            await RisingEdge(dut.out_valid_o)
            for event in self.decoder.feed(bytes((int(dut.out_data_o.value),))):
                assert isinstance(event, Frame), f"chip sent a bad frame: {event}"
                self.frames.append(event)
                self.arrived.set()

    async def response(self, max_bytes: int = 1100) -> bytes:
        timeout = (max_bytes + 4000) * 10 * clks_per_bit() * CLK_NS + 2_000_000
        while not self.frames:
            self.arrived.clear()
            await with_timeout(self.arrived.wait(), timeout, "ns")
        frame = self.frames.pop(0)
        return encode_frame(frame.seq, frame.opcode, frame.payload)

    def next_seq(self) -> int:
        self.seq = (self.seq + 1) & 0xFF
        return self.seq

    async def silence(self, byte_times: int = 64) -> bytes | None:
        """The next frame if one arrives within `byte_times` after the sent bytes left, else
        None (longer than the receiver's idle timeout, so a broken frame has been given up)."""
        await self.src.drain()
        if not self.frames:
            self.arrived.clear()
            try:
                await with_timeout(self.arrived.wait(), byte_times * 10 * clks_per_bit() * CLK_NS,
                                   "ns")  # fmt: skip
            except SimTimeoutError:
                return None
        frame = self.frames.pop(0)
        return encode_frame(frame.seq, frame.opcode, frame.payload)

    async def exchange(self, request: bytes, expected: bytes, what: str) -> None:
        """Send `request` and check the answer. Under injected line noise, the twin of the
        chip's line noise says which attempts arrive intact: an intact one must be answered as
        expected (executed once: every attempt is the same frame), a corrupted one only by
        BAD_CRC or silence; the host resends until an attempt is intact."""
        while True:
            intact = self.line.corrupt(request) == request
            await self.src.send(request)
            if intact:
                break
            self.corrupted += 1
            got = await self.silence()
            bad_crc = encode_error(request[3], request[4], Status.BAD_CRC)
            assert got in (None, bad_crc), f"{what}: corrupted attempt answered {got.hex()}"
        got = await self.response()
        assert got == expected, f"{what}:\n got      {got.hex()}\n expected {expected.hex()}"
        self.checked += 1
        self.last = got

    # --- requests with the twin's expected answers ---------------------------------------------

    async def info(self) -> None:
        seq = self.next_seq()
        expected = InfoResponse(
            protocol_major=VERSION_MAJOR, protocol_minor=VERSION_MINOR, chip_id=1381125425,
            rows=ROWS, cols=COLS,
            capabilities=CAPABILITIES, max_set_amplitude=3000, max_reset_amplitude=3000,
            dac_step=10, min_width=1, max_width=10000, adc_bits=12, adc_full_scale=5000,
            mvm_input_bits=8, mvm_adc_bits=10, mvm_full_scale=200000,
        )  # fmt: skip
        await self.exchange(
            encode_request(seq, InfoRequest()), encode_response(seq, expected), "INFO"
        )

    async def read(self, row, col, n_rows, n_cols, n_reads=1, n_discard=0) -> list[int]:
        seq = self.next_seq()
        cells = (
            np.arange(row, row + n_rows)[:, None] * COLS + np.arange(col, col + n_cols)[None, :]
        ).ravel()
        if n_discard:
            self.twin.read(cells, n_discard)
        g = [int(v) for v in self.twin.read(cells, n_reads)]
        request = encode_request(seq, ReadRequest(row, col, n_rows, n_cols, n_reads, n_discard))
        await self.exchange(
            request, encode_response(seq, ReadResponse(g=tuple(g))),
            f"READ {row},{col} {n_rows}x{n_cols} n={n_reads}/{n_discard}",
        )  # fmt: skip
        return g

    async def pulse(self, row, col, n_cols, polarity, amplitude, width, seq=None) -> bytes:
        seq = self.next_seq() if seq is None else seq
        cells = row * COLS + np.arange(col, col + n_cols)
        self.twin.pulse(
            cells, np.full(n_cols, amplitude // 10), np.full(n_cols, polarity == 0),
            np.full(n_cols, width),
        )  # fmt: skip
        request = encode_request(seq, PulseRequest(row, col, n_cols, polarity, amplitude, width))
        await self.exchange(
            request, encode_response(seq, PulseResponse()), f"PULSE {row},{col}+{n_cols}"
        )
        return request

    async def program(self, entries: list[tuple[int, int, int, int]], seq=None) -> bytes:
        """PROGRAM (row, col, target, tolerance) entries; the twin's engine gives the results."""
        seq = self.next_seq() if seq is None else seq
        rows, cols, target, tolerance = np.array(entries, dtype=np.int64).reshape(-1, 4).T
        out = self.twin.program(rows * COLS + cols, target, tolerance, self.regs)
        results = tuple(zip(out.g.tolist(), out.pulses.tolist(), out.outcome.tolist(),
                            out.iterations.tolist(), strict=True))  # fmt: skip
        request = encode_request(seq, ProgramRequest(entries=tuple(entries)))
        await self.exchange(
            request, encode_response(seq, ProgramResponse(results=results)),
            f"PROGRAM of {len(entries)} entries",
        )  # fmt: skip
        return request

    async def mvm(self, row: int, col: int, n_pairs: int, inputs: list[int]) -> None:
        seq = self.next_seq()
        out = self.twin.mvm(row, col, n_pairs, np.array(inputs), self.regs[Register.READ_V])
        await self.exchange(
            encode_request(seq, MvmRequest(row, col, n_pairs, tuple(inputs))),
            encode_response(seq, MvmResponse(outputs=tuple(int(v) for v in out))),
            f"MVM {row},{col} {len(inputs)} x {n_pairs}",
        )

    async def fault(self, kind: int, row: int = 0, col: int = 0, value: int = 0) -> None:
        """FAULT_INJECT, applied to the twin (the line noise starts after this request)."""
        seq = self.next_seq()
        request = encode_request(seq, FaultInjectRequest(kind, row, col, value))
        await self.exchange(request, encode_response(seq, FaultInjectResponse()),
                            f"FAULT_INJECT {kind} {row},{col} {value}")  # fmt: skip
        if kind == FaultKind.CLEAR:
            self.twin.clear_faults()
            self.line.ppm = 0
        elif kind == FaultKind.STUCK_CELL:
            self.twin.inject_stuck(row * COLS + col, value)
        else:
            self.line.ppm = value

    async def advance(self, dt: int, temperature: int = 0) -> int:
        """ADVANCE_TIME by dt us at `temperature` (0.01 K codes, 0 keeps it); returns now."""
        seq = self.next_seq()
        self.twin.advance(dt, (temperature + 50) // 100 if temperature else None)
        now = self.twin.now_us & (2**64 - 1)
        await self.exchange(
            encode_request(seq, AdvanceTimeRequest(dt, temperature)),
            encode_response(seq, AdvanceTimeResponse(now)),
            f"ADVANCE_TIME {dt} us at {temperature}",
        )
        return now

    async def config(self, write: int, entries: list[tuple[int, int]]) -> None:
        seq = self.next_seq()
        if write:
            for address, value in entries:
                self.regs[Register(address)] = value
                if address == Register.NOISE_SEED:
                    self.twin.state = value
        back = tuple(RegisterValue(a, self.regs[Register(a)]) for a, _ in entries)
        request = encode_request(
            seq, ConfigRequest(write, tuple(RegisterValue(a, v) for a, v in entries))
        )
        await self.exchange(
            request, encode_response(seq, ConfigResponse(back)), f"CONFIG {write} {entries}"
        )

    async def error(self, opcode: int, payload: bytes, status: Status, detail=None) -> None:
        seq = self.next_seq()
        await self.exchange(
            encode_frame(seq, opcode, payload), encode_error(seq, opcode, status, detail),
            f"{status.name} for opcode 0x{opcode:02X} payload {payload.hex()}",
        )  # fmt: skip


def u16(v: int) -> bytes:
    return int(v).to_bytes(2, "little")


def read_payload(row, col, n_rows, n_cols, n_reads=1, n_discard=0) -> bytes:
    return u16(row) + u16(col) + u16(n_rows) + u16(n_cols) + bytes((n_reads, n_discard))


def pulse_payload(row, col, n_cols, polarity, amplitude, width) -> bytes:
    return u16(row) + u16(col) + u16(n_cols) + bytes((polarity,)) + u16(amplitude) + u16(width)


def config_payload(write: int, entries) -> bytes:
    return bytes((write,)) + b"".join(u16(a) + int(v).to_bytes(4, "little") for a, v in entries)


@cocotb.test()
async def chip_scoreboard(dut: SimHandleBase) -> None:
    """INFO, CONFIG, READ, PULSE, errors and retries, all against the twin."""
    await reset(dut, in_data_i=0, in_valid_i=0)
    chip = Chip(dut)

    # INFO and CONFIG
    await chip.info()
    await chip.config(0, [(r, 0) for r in Register])
    await chip.config(1, [(Register.SET_V_START, 1500), (Register.VERIFY_N_READS, 8),
                          (Register.VERIFY_N_DISCARD, 16), (Register.READ_V, 500),
                          (Register.SET_V_START, 1600)])  # fmt: skip
    await chip.config(0, [(Register.SET_V_START, 0), (Register.READ_V, 0)])
    await chip.config(1, [])
    # all entries are checked before any is applied
    await chip.error(Opcode.CONFIG, config_payload(1, [(2, 50), (14, 1)]), Status.BAD_ADDRESS, 1)
    await chip.error(Opcode.CONFIG, config_payload(0, [(0x100, 1)]), Status.BAD_ADDRESS, 0)
    await chip.error(Opcode.CONFIG, config_payload(1, [(2, 50), (10, 65)]), Status.BAD_ARGUMENT, 1)
    await chip.error(Opcode.CONFIG, config_payload(1, [(11, 17)]), Status.BAD_ARGUMENT, 0)
    await chip.error(Opcode.CONFIG, config_payload(1, [(0, 0)]), Status.BAD_ARGUMENT, 0)
    await chip.error(Opcode.CONFIG, config_payload(1, [(1, 3010)]), Status.LIMIT, 0)
    await chip.error(Opcode.CONFIG, config_payload(1, [(0, 5), (6, 10001)]), Status.LIMIT, 1)
    await chip.error(Opcode.CONFIG, config_payload(2, []), Status.BAD_ARGUMENT, 0)
    await chip.error(Opcode.CONFIG, config_payload(1, [(0, 5)])[:-1], Status.BAD_LENGTH)
    await chip.config(0, [(Register.SET_V_STEP, 0), (Register.VERIFY_N_READS, 0)])

    # READ of freshly reset cells (stuck cells read their stuck value)
    await chip.read(0, 0, 1, 1)
    await chip.read(3, 5, 1, 40)
    await chip.read(10, 100, 8, 28, n_reads=3)
    await chip.read(0, 0, 4, 128, n_reads=2, n_discard=1)
    await chip.read(63, 127, 1, 1, n_reads=255)

    # PULSE then READ: SET and RESET, one cell and a row segment, several widths
    await chip.pulse(5, 7, 1, 0, 1400, 100)
    await chip.read(5, 0, 1, 16)
    await chip.pulse(6, 0, 64, 0, 1500, 50)
    await chip.pulse(6, 10, 20, 0, 2000, 10000)
    await chip.pulse(6, 30, 10, 1, 1600, 1)
    await chip.pulse(6, 64, 64, 0, 3000, 300)
    await chip.read(6, 0, 1, 128, n_reads=4)
    await chip.pulse(6, 0, 128, 1, 3000, 7)
    await chip.read(5, 0, 3, 128)

    # a new seed restarts the sequence
    await chip.config(1, [(Register.NOISE_SEED, 0xDEADBEEF)])
    await chip.read(6, 0, 1, 32, n_reads=2)

    # a retried PULSE (same SEQ, same frame) is answered from the cache, not executed again
    request = await chip.pulse(20, 40, 8, 0, 1800, 200)
    await chip.src.send(request)
    assert await chip.response() == encode_response(chip.seq, PulseResponse())
    await chip.read(20, 40, 1, 8)
    # ... and a retried READ gets the cached data, with no new draws
    g = await chip.read(2, 3, 2, 2)
    await chip.src.send(encode_request(chip.seq, ReadRequest(2, 3, 2, 2, 1, 0)))
    assert await chip.response() == encode_response(chip.seq, ReadResponse(g=tuple(g)))
    await chip.read(20, 40, 1, 8)

    # READ and PULSE errors (DETAIL = field index), nothing executed
    await chip.error(Opcode.READ, read_payload(64, 0, 1, 1), Status.BAD_ADDRESS, 0)
    await chip.error(Opcode.READ, read_payload(0, 128, 1, 1), Status.BAD_ADDRESS, 1)
    await chip.error(Opcode.READ, read_payload(60, 0, 5, 1), Status.BAD_ADDRESS, 2)
    await chip.error(Opcode.READ, read_payload(0, 120, 1, 9), Status.BAD_ADDRESS, 3)
    await chip.error(Opcode.READ, read_payload(0, 0, 0, 1), Status.BAD_ARGUMENT, 2)
    await chip.error(Opcode.READ, read_payload(0, 0, 1, 0), Status.BAD_ARGUMENT, 3)
    await chip.error(Opcode.READ, read_payload(0, 0, 1, 1, 0), Status.BAD_ARGUMENT, 4)
    await chip.error(Opcode.READ, read_payload(0, 0, 5, 128), Status.BAD_ARGUMENT, 3)
    await chip.error(Opcode.READ, read_payload(0, 0, 1, 1)[:-1], Status.BAD_LENGTH)
    await chip.error(Opcode.PULSE, pulse_payload(0, 0, 1, 0, 1405, 100), Status.BAD_ARGUMENT, 4)
    await chip.error(Opcode.PULSE, pulse_payload(0, 0, 1, 0, 3010, 100), Status.LIMIT, 4)
    await chip.error(Opcode.PULSE, pulse_payload(0, 0, 1, 1, 1000, 0), Status.LIMIT, 5)
    await chip.error(Opcode.PULSE, pulse_payload(0, 0, 1, 1, 1000, 10001), Status.LIMIT, 5)
    await chip.error(Opcode.PULSE, pulse_payload(0, 0, 1, 2, 1000, 100), Status.BAD_ARGUMENT, 3)
    await chip.error(Opcode.PULSE, pulse_payload(0, 0, 0, 0, 1000, 100), Status.BAD_ARGUMENT, 2)
    await chip.error(Opcode.PULSE, pulse_payload(64, 0, 1, 0, 1000, 100), Status.BAD_ADDRESS, 0)
    await chip.error(Opcode.PULSE, pulse_payload(0, 120, 9, 0, 1000, 100), Status.BAD_ADDRESS, 2)
    await chip.error(Opcode.PULSE, b"\x00" * 12, Status.BAD_LENGTH)

    # other opcodes
    await chip.error(Opcode.INFO, b"\x00", Status.BAD_LENGTH)
    await chip.error(Opcode.MVM, b"\x00" * 8, Status.BAD_ARGUMENT, 2)
    await chip.error(Opcode.FAULT_INJECT, b"\x00" * 8, Status.BAD_LENGTH)
    await chip.error(Opcode.ADVANCE_TIME, b"\x00" * 9, Status.BAD_LENGTH)
    await chip.error(0x42, b"", Status.UNKNOWN_OPCODE)

    # frames rejected before decoding: BAD_CRC, BAD_LENGTH in the header (NO_DETAIL, not cached)
    seq = chip.next_seq()
    frame = bytearray(encode_request(seq, ReadRequest(1, 2, 1, 1, 1, 0)))
    frame[-1] ^= 0x01
    await chip.src.send(bytes(frame))
    assert await chip.response() == encode_error(seq, Opcode.READ, Status.BAD_CRC)
    seq = chip.next_seq()
    header = bytes((SOF, 0x02, 0x04, seq, Opcode.READ))  # LEN 1026
    await chip.src.send(header + bytes((HEADER_CRC(header),)))
    assert await chip.response() == encode_error(seq, Opcode.READ, Status.BAD_LENGTH)
    assert NO_DETAIL == 0xFFFF
    # the retry of the corrected frame still executes, and so does a final READ
    await chip.read(1, 2, 1, 1)
    # same SEQ and OPC but another frame (CRC): executed, not a replay
    chip.seq -= 1
    await chip.read(1, 3, 1, 2)
    # a frame with RESPONSE_FLAG is not answered: the next answer is the next request's
    await chip.src.send(encode_frame(77, Opcode.READ | 0x80, b"\x00"))
    await chip.read(0, 0, 1, 3)

    # random READs and PULSEs against the twin
    rng = np.random.default_rng(5)
    for _ in range(25):
        row, col = int(rng.integers(0, ROWS)), int(rng.integers(0, COLS))
        if rng.random() < 0.5:
            n_cols = int(rng.integers(1, COLS - col + 1))
            amplitude = int(rng.integers(100, 301)) * 10
            width = int(rng.choice([1, 5, 100, 1000, 10000, int(rng.integers(1, 10001))]))
            await chip.pulse(row, col, n_cols, int(rng.integers(0, 2)), amplitude, width)
        else:
            n_rows = int(rng.integers(1, min(ROWS - row, 8) + 1))
            n_cols = int(rng.integers(1, min(COLS - col, 512 // n_rows) + 1))
            await chip.read(row, col, n_rows, n_cols, n_reads=int(rng.integers(1, 6)),
                            n_discard=int(rng.integers(0, 3)))  # fmt: skip
    await chip.info()
    dut._log.info("%d responses matched the twin", chip.checked)


def program_payload(entries) -> bytes:
    return b"".join(u16(r) + u16(c) + u16(t) + u16(tol) for r, c, t, tol in entries)


@cocotb.test()
async def program_scoreboard(dut: SimHandleBase) -> None:
    """PROGRAM batches (the on-chip write-verify engine) under several policies, its errors and
    a retried batch, all against the twin's engine."""
    await reset(dut, in_data_i=0, in_valid_i=0)
    chip = Chip(dut)
    rng = np.random.default_rng(11)

    # a full batch of 128 entries under the reset policy: one row, targets over 1-40 uS
    targets = rng.integers(100, 4001, 128)
    await chip.program([(10, c, int(t), 100) for c, t in enumerate(targets)])
    await chip.read(10, 0, 1, 128)
    # small ramps and few iterations (STUCK and NOT_CONVERGED outcomes), averaged verify with
    # discards, a cell named twice, a target above the window and a tight tolerance
    await chip.config(1, [(Register.PULSES_PER_RAMP, 4), (Register.MAX_ITERATIONS, 2),
                          (Register.VERIFY_N_READS, 3), (Register.VERIFY_N_DISCARD, 2),
                          (Register.SET_V_START, 1500), (Register.SET_V_STEP, 50),
                          (Register.SET_V_STOP, 2210), (Register.RESET_V_STEP, 200),
                          (Register.SET_WIDTH, 30), (Register.RESET_WIDTH, 1000)])  # fmt: skip
    await chip.program([(11, 3, 2000, 50), (11, 3, 500, 50), (63, 127, 60000, 10),
                        (11, 4, 1500, 1), (0, 0, 2500, 300)])  # fmt: skip
    # random batches under random policies
    for _ in range(3):
        policy = [(Register.PULSES_PER_RAMP, int(rng.integers(1, 40))),
                  (Register.MAX_ITERATIONS, int(rng.integers(1, 6))),
                  (Register.VERIFY_N_READS, int(rng.integers(1, 4))),
                  (Register.VERIFY_N_DISCARD, int(rng.integers(0, 3))),
                  (Register.RESET_V_START, 10 * int(rng.integers(100, 200)))]  # fmt: skip
        await chip.config(1, policy)
        n = int(rng.integers(1, 129))
        cells = rng.choice(ROWS * COLS, n, replace=False)
        await chip.program([(int(c) // COLS, int(c) % COLS, int(rng.integers(0, 4500)),
                             int(rng.integers(1, 300))) for c in cells])  # fmt: skip
    await chip.read(11, 0, 1, 8, n_reads=2)

    # a retried PROGRAM is answered from the cache, not executed again
    request = await chip.program([(12, 5, 3000, 100), (12, 6, 800, 100)])
    await chip.src.send(request)
    assert await chip.response() == chip.last
    await chip.read(12, 5, 1, 2)

    # errors: nothing is executed (the READ after them still matches the twin)
    entry = (1, 1, 1000, 100)
    await chip.error(Opcode.PROGRAM, b"", Status.BAD_ARGUMENT, 0)
    await chip.error(Opcode.PROGRAM, program_payload([entry])[:-1], Status.BAD_LENGTH)
    await chip.error(Opcode.PROGRAM, program_payload([entry, (64, 0, 1000, 100)]),
                     Status.BAD_ADDRESS, 1)  # fmt: skip
    await chip.error(Opcode.PROGRAM, program_payload([entry, entry, (0, 128, 1000, 100)]),
                     Status.BAD_ADDRESS, 2)  # fmt: skip
    await chip.error(Opcode.PROGRAM, program_payload([entry, (0, 0, 1000, 0)]),
                     Status.BAD_ARGUMENT, 1)  # fmt: skip
    # every address is checked before any tolerance
    await chip.error(Opcode.PROGRAM, program_payload([(0, 0, 1000, 0), (0, 999, 1000, 5)]),
                     Status.BAD_ADDRESS, 1)  # fmt: skip
    await chip.read(1, 0, 1, 4)
    await chip.info()
    dut._log.info("%d responses matched the twin", chip.checked)


@cocotb.test()
async def time_scoreboard(dut: SimHandleBase) -> None:
    """ADVANCE_TIME (virtual time, Arrhenius scaling, the relaxation walker) against the twin:
    relaxation depends on each cell's write time, so pulses between advances are included."""
    await reset(dut, in_data_i=0, in_valid_i=0)
    chip = Chip(dut)
    await chip.info()
    await chip.pulse(0, 0, 128, 0, 2000, 100)
    await chip.pulse(1, 0, 128, 0, 1700, 1000)
    assert await chip.advance(0) == 0
    assert await chip.advance(1_000_000) == 1_000_000  # 1 s at the reset temperature (300 K)
    await chip.read(0, 0, 4, 128)
    await chip.pulse(1, 64, 64, 1, 1600, 100)  # written at t = 1 s
    await chip.advance(3_600_000_000, 35815)  # an hour's bake at 358.15 K
    await chip.read(0, 0, 4, 128, n_reads=2)
    await chip.program([(2, c, 1000 + 20 * c, 50) for c in range(0, 128, 3)])
    await chip.advance(123_456_789)  # the bake temperature is kept
    await chip.advance(7, 30000)
    # a retried ADVANCE_TIME is answered from the cache: time and cells do not move again
    await chip.src.send(encode_request(chip.seq, AdvanceTimeRequest(7, 30000)))
    assert await chip.response() == chip.last
    await chip.read(0, 0, 4, 128)
    # temperatures outside the LUT clamp to 250 K and 505 K; dt_eff saturates at 2^48 us
    await chip.advance(5_000_000, 1)
    await chip.advance(1000, 65535)
    await chip.advance(2**64 - 1, 29815)
    await chip.read(0, 0, 4, 128)
    await chip.read(60, 0, 4, 128)
    dut._log.info("%d responses matched the twin", chip.checked)


def mvm_payload(row, col, n_pairs, inputs) -> bytes:
    return u16(row) + u16(col) + u16(n_pairs) + b"".join(int(v).to_bytes(2, "little", signed=True)
                                                         for v in inputs)  # fmt: skip


@cocotb.test()
async def mvm_scoreboard(dut: SimHandleBase) -> None:
    """MVM (input DAC, I-V LUT, one read draw per device, current ADC) against the twin, with its
    checks in the reference handler's order."""
    await reset(dut, in_data_i=0, in_valid_i=0)
    chip = Chip(dut)
    rng = np.random.default_rng(8)
    for row in range(0, 64, 2):  # a spread of conductances
        await chip.pulse(row, 0, 128, 0, 10 * int(rng.integers(150, 220)), 100)
    await chip.mvm(0, 0, 64, [int(v) for v in rng.integers(-200, 201, 64)])
    await chip.mvm(0, 0, 1, [200])
    await chip.mvm(63, 126, 1, [-1])
    # beyond +-READ_V the DAC saturates; up to 500 mV is allowed
    await chip.mvm(5, 10, 20, [500, -500, 201, -300, 0, 37, -37, 199])
    await chip.config(1, [(Register.READ_V, 500)])
    await chip.mvm(0, 64, 32, [int(v) for v in rng.integers(-500, 501, 64)])
    await chip.config(1, [(Register.READ_V, 3)])
    await chip.mvm(30, 2, 7, [3, -2, 1, 0, -1, 2, -3])
    await chip.src.send(encode_request(chip.seq, MvmRequest(30, 2, 7, (3, -2, 1, 0, -1, 2, -3))))
    assert await chip.response() == chip.last  # the retry draws nothing (the READ still matches)
    await chip.read(0, 0, 2, 128)
    # checks: DETAIL is the field index (LIMIT: the input index); nothing is drawn
    await chip.error(Opcode.MVM, mvm_payload(0, 1, 1, [1]), Status.BAD_ARGUMENT, 1)
    await chip.error(Opcode.MVM, mvm_payload(0, 0, 0, [1]), Status.BAD_ARGUMENT, 2)
    await chip.error(Opcode.MVM, mvm_payload(0, 0, 1, []), Status.BAD_ARGUMENT, 3)
    await chip.error(Opcode.MVM, mvm_payload(64, 0, 1, [1]), Status.BAD_ADDRESS, 0)
    await chip.error(Opcode.MVM, mvm_payload(0, 128, 1, [1]), Status.BAD_ADDRESS, 1)
    await chip.error(Opcode.MVM, mvm_payload(60, 0, 1, [1] * 5), Status.BAD_ADDRESS, 3)
    await chip.error(Opcode.MVM, mvm_payload(0, 120, 5, [1]), Status.BAD_ADDRESS, 2)
    await chip.error(Opcode.MVM, mvm_payload(0, 0, 1, [1, 2, 501, -600]), Status.LIMIT, 2)
    await chip.error(Opcode.MVM, mvm_payload(0, 0, 1, [-501]), Status.LIMIT, 0)
    await chip.error(Opcode.MVM, mvm_payload(0, 0, 1, [1])[:-1], Status.BAD_LENGTH)
    await chip.mvm(1, 0, 64, [int(v) for v in rng.integers(-3, 4, 63)])
    dut._log.info("%d responses matched the twin", chip.checked)


def fault_payload(kind, row, col, value) -> bytes:
    return bytes((kind,)) + u16(row) + u16(col) + int(value).to_bytes(4, "little")


@cocotb.test()
async def fault_scoreboard(dut: SimHandleBase) -> None:
    """FAULT_INJECT: stuck cells (read, pulse, PROGRAM, MVM, CLEAR) and line noise, against the
    twin; under line noise every request is retried until it arrives intact and must still be
    executed exactly once (the READs after the PULSEs match the twin)."""
    await reset(dut, in_data_i=0, in_valid_i=0)
    chip = Chip(dut)
    await chip.pulse(3, 0, 16, 0, 2000, 100)
    await chip.fault(FaultKind.STUCK_CELL, 3, 4, 1234)
    await chip.fault(FaultKind.STUCK_CELL, 3, 5, 0)
    await chip.read(3, 0, 1, 8)
    await chip.pulse(3, 0, 16, 1, 1800, 100)  # the pinned cells do not move
    await chip.program([(3, 4, 3000, 50), (3, 6, 1500, 50)])
    await chip.mvm(3, 4, 2, [200])
    await chip.fault(FaultKind.STUCK_CELL, 63, 127, 65535)
    await chip.read(63, 120, 1, 8)
    for payload, status, detail in [
        (fault_payload(1, 64, 0, 5), Status.BAD_ADDRESS, 1),
        (fault_payload(1, 0, 128, 5), Status.BAD_ADDRESS, 2),
        (fault_payload(1, 0, 0, 65536), Status.BAD_ARGUMENT, 3),
        (fault_payload(2, 0, 0, 1_000_001), Status.BAD_ARGUMENT, 3),
        (fault_payload(3, 0, 0, 0), Status.BAD_ARGUMENT, 0),
        (fault_payload(0xFF, 0, 0, 0), Status.BAD_ARGUMENT, 0),
    ]:
        await chip.error(Opcode.FAULT_INJECT, payload, status, detail)
    await chip.fault(FaultKind.CLEAR)
    await chip.read(3, 0, 1, 8)
    await chip.read(63, 120, 1, 8)

    # line noise: 3 % of the received bytes, then retries until each request gets through
    await chip.fault(FaultKind.LINE_NOISE, value=30_000)
    rng = np.random.default_rng(4)
    for _ in range(12):
        row, col = int(rng.integers(0, ROWS)), int(rng.integers(0, COLS - 8))
        await chip.pulse(row, col, 8, int(rng.integers(0, 2)), 10 * int(rng.integers(120, 250)),
                         100)  # fmt: skip
        await chip.read(row, col, 1, 8)
    await chip.fault(FaultKind.STUCK_CELL, 7, 7, 777)
    await chip.read(7, 6, 1, 3)
    await chip.fault(FaultKind.CLEAR)  # also clears the line noise
    assert chip.corrupted > 0
    await chip.read(7, 6, 1, 3)
    await chip.info()
    dut._log.info("%d responses matched the twin, %d attempts corrupted", chip.checked,
                  chip.corrupted)  # fmt: skip


FOLD = {"row": 70, "col": 135, "n_rows": 10, "n_cols": 70, "n_pairs": 40, "n_reads": 6,
        "n_discard": 4, "width": 12000, "amplitude": 3100}  # fmt: skip
"""Random fields are folded below these bounds half the time, so that requests land near the
edges of the chip (some valid, some just outside) instead of almost always far outside."""


def random_request(rng: random.Random) -> Message:
    cls = rng.choice(REQUESTS)
    request = random_message(rng, cls)
    if rng.random() < 0.5:
        folded = {f.name: getattr(request, f.name) % FOLD[f.name]
                  for f in dataclasses.fields(request) if f.name in FOLD}  # fmt: skip
        request = dataclasses.replace(request, **folded)
    if cls is ProgramRequest and rng.random() < 0.5:
        entries = [e._replace(row=e.row % 66, col=e.col % 130, tolerance=e.tolerance % 300)
                   for e in request.entries]  # fmt: skip
        request = dataclasses.replace(request, entries=tuple(entries))
    if cls is ConfigRequest and rng.random() < 0.5:
        entries = [e._replace(address=e.address % 15, value=e.value % 600) for e in request.entries]
        request = dataclasses.replace(request, entries=tuple(entries))
    return request


REQUESTS = [InfoRequest, ReadRequest, PulseRequest, ProgramRequest, MvmRequest, ConfigRequest,
            AdvanceTimeRequest, FaultInjectRequest]  # fmt: skip


async def expect(chip: Chip, handler: ProtocolChipHandler, request: Message) -> None:
    """Send `request`; its expected answer: the reference handler's refusal (status, DETAIL),
    else the twin's result (ADVANCE_TIME is always executed)."""
    if not isinstance(request, AdvanceTimeRequest):
        try:
            handler(request)
        except CommandRejected as error:
            payload = encode_request(0, request)[6:-4]
            await chip.error(type(request).OPCODE, payload, Status[error.status_name],
                             error.detail)  # fmt: skip
            return
    r = request
    if isinstance(r, InfoRequest):
        await chip.info()
    elif isinstance(r, ReadRequest):
        await chip.read(r.row, r.col, r.n_rows, r.n_cols, r.n_reads, r.n_discard)
    elif isinstance(r, PulseRequest):
        await chip.pulse(r.row, r.col, r.n_cols, r.polarity, r.amplitude, r.width)
    elif isinstance(r, ProgramRequest):
        await chip.program([tuple(e) for e in r.entries])
    elif isinstance(r, MvmRequest):
        await chip.mvm(r.row, r.col, r.n_pairs, list(r.inputs))
    elif isinstance(r, ConfigRequest):
        await chip.config(r.write, [tuple(e) for e in r.entries])
    elif isinstance(r, AdvanceTimeRequest):
        await chip.advance(r.dt, r.temperature)
    else:
        await chip.fault(r.kind, r.row, r.col, r.value)


@cocotb.test()
async def robustness(dut: SimHandleBase) -> None:
    """Random requests (statuses from the reference handler, data from the twin), corrupted,
    truncated and garbage frames: the chip keeps answering, refused and broken frames change
    no state (every later answer still matches the twin, whose noise sequence would be off by
    a single stray draw)."""
    await reset(dut, in_data_i=0, in_valid_i=0)
    chip = Chip(dut)
    handler = ProtocolChipHandler(SimChip(seed=1))
    rng = random.Random(17)
    probe = ReadRequest(0, 0, 1, 16, 1, 0)  # any stray draw would already break this READ
    executed = 0
    for _ in range(120):
        request = random_request(rng)
        if isinstance(request, FaultInjectRequest) and request.kind == FaultKind.LINE_NOISE:
            continue  # line noise has its own test (fault_scoreboard)
        await expect(chip, handler, request)
        executed += chip.last[6] == Status.OK
    assert executed >= 20, executed

    for _ in range(20):  # 1-3 flipped bits: BAD_CRC or silence, never execution
        seq = chip.next_seq()
        frame = bytearray(encode_request(seq, PulseRequest(rng.randrange(64), 0, 128, 0, 3000,
                                                           10000)))  # fmt: skip
        for _ in range(rng.randint(1, 3)):
            frame[rng.randrange(len(frame))] ^= 1 << rng.randrange(8)
        await chip.src.send(bytes(frame))
        got = await chip.silence()
        assert got is None or (got[4] == Opcode.PULSE | 0x80 and got[6] == Status.BAD_CRC), got
        await expect(chip, handler, probe)
    for _ in range(10):  # truncated frames are given up after the idle timeout
        seq = chip.next_seq()
        frame = encode_request(seq, PulseRequest(1, 0, 128, 0, 3000, 10000))
        await chip.src.send(frame[: rng.randrange(1, len(frame))])
        assert await chip.silence() is None
        await expect(chip, handler, probe)
    for _ in range(10):  # line garbage
        await chip.src.send(bytes(rng.randrange(256) for _ in range(rng.randint(1, 60))))
        while await chip.silence() is not None:
            pass
        await expect(chip, handler, probe)
    dut._log.info("%d responses matched (%d random requests executed)", chip.checked, executed)
