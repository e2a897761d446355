"""SerialBoardChip over real pyserial socket:// ports to the Python chip: equivalence with SimChip,
batching, error paths and a noisy line."""

from __future__ import annotations

import math
import random
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pytest
import serial

from firmware_interface.protocol import (
    AMPLITUDE,
    CONDUCTANCE,
    REGISTERS,
    AdvanceTimeRequest,
    Capability,
    ConfigRequest,
    Register,
    RegisterValue,
)
from hil.backends import BackendUnavailable, open_chip
from hil.backends.protocol_chip import ProtocolChipHandler, serve_tcp
from hil.backends.serial_board import (
    SIMULATOR_TIMEOUT_S,
    BoardAddressError,
    BoardLimitError,
    BoardLinkError,
    BoardUnavailable,
    BoardUnsupported,
    SerialBoardChip,
    pulse_segments,
    read_blocks,
)
from hil.backends.sim import READ_V_RESET_V, SimChip
from hil.chip import Chip
from hil.device.write_verify import IsppPolicy
from hil.errors import AddressError, LimitError, UnsupportedOperation
from hil.program.engine import program as write_verify
from hil.program.policy import neurram_policy
from tests.backends.conftest import serial_bench

WIRE_HALF_LSB_US = CONDUCTANCE.lsb / 2
"""Reads cross the wire as 0.01 uS codes: at most half a code from the chip's ADC value."""
ROWS, COLS = np.meshgrid(np.arange(64), np.arange(128), indexing="ij")
CLEAN_LINE_TIMEOUT_S = SIMULATOR_TIMEOUT_S
"""Response timeout of the tests that assert a clean line (no resent frame): with a noise-free
line a frame is resent only on a timeout, and a loaded CI machine can stall the loopback server
for more than the 1 s default. 30 s is never reached by load, so a resend still means a fault."""


# --- equivalence --------------------------------------------------------------------------------


def chip_sequence(chip: Chip) -> dict[str, np.ndarray]:
    """Reads, pulses, programs, MVM and time on any Chip; each call fits one frame of the
    protocol (a READ of <= 512 cells, a PULSE row segment, a PROGRAM of <= 128 cells, one MVM
    vector), so the chip behind the wire sees exactly the SimChip calls made directly."""
    out: dict[str, np.ndarray] = {"read0": chip.read_block(0, 0, 4, 128)}
    chip.pulse(np.full(128, 5), np.arange(128), 2.0, 1e-6)
    chip.pulse(np.full(64, 6), np.arange(64), -1.8, 2e-6)
    out["read1"] = chip.read_block(4, 0, 4, 128, n_reads=4, n_discard=2)
    rng = np.random.default_rng(5)
    for k in range(3):
        targets = np.round(rng.uniform(3, 30, 128), 2)  # on the wire's 0.01 uS grid
        outcome = chip.program(np.full(128, 8 + k), np.arange(128), targets, 0.5)
        out[f"g{k}"], out[f"pulses{k}"], out[f"outcome{k}"], out[f"iterations{k}"] = (
            outcome.g_us,
            outcome.pulses,
            outcome.outcome,
            outcome.iterations,
        )
    dac_lsb = READ_V_RESET_V / 127  # the MVM input DAC: 8 bits over +-READ_V
    out["mvm"] = chip.mvm(np.round(rng.uniform(-0.2, 0.2, 16) / dac_lsb) * dac_lsb, 8, 0)
    out["t"] = np.array(chip.advance_time(3600.0, 358.15))
    out["read2"] = chip.read_block(8, 0, 8, 64)
    return out


@pytest.mark.parametrize("seed", [3, 17])
def test_same_calls_give_the_same_results_as_simchip(seed: int) -> None:
    direct = chip_sequence(SimChip(seed=seed))
    with serial_bench(SimChip(seed=seed), timeout_s=CLEAN_LINE_TIMEOUT_S) as bench:
        wired = chip_sequence(bench.board)
        assert bench.board.stats.round_trips == bench.board.stats.requests  # a clean line
    for key in ("read0", "read1", "read2", "g0", "g1", "g2"):
        assert np.abs(wired[key] - direct[key]).max() <= WIRE_HALF_LSB_US + 1e-9, key
    for key in ("pulses", "outcome", "iterations"):  # identical, not just similar
        for k in range(3):
            assert np.array_equal(wired[f"{key}{k}"], direct[f"{key}{k}"]), f"{key}{k}"
    assert np.abs(wired["mvm"] - direct["mvm"]).max() <= 0.5e-3 + 1e-9  # 1 nA codes
    assert abs(wired["t"] - direct["t"]) <= 0.5e-6  # 1 us codes
    assert np.mean(direct["outcome0"] == 0) > 0.5  # the comparison is not of empty outcomes


def test_whole_array_batching_bytes_and_statistics() -> None:
    """Programming and reading 64 x 128 over the wire: frame counts, bytes per cell, and the
    same programming statistics as SimChip (not identical: 64 frames are 64 engine runs)."""
    targets = np.random.default_rng(1).uniform(3, 30, ROWS.shape)
    direct = SimChip(seed=1).program(ROWS, COLS, targets, 1.0)
    with serial_bench(SimChip(seed=1), timeout_s=CLEAN_LINE_TIMEOUT_S) as bench:
        board, stats = bench.board, bench.board.stats
        stats.reset()
        wired = board.program(ROWS, COLS, targets, 1.0)
        board.program(
            ROWS[:1, :1], COLS[:1, :1], targets[:1, :1], 1.0
        )  # same policy: no CONFIG again
        assert (stats["PROGRAM"].requests, stats["CONFIG"].requests) == (64 + 1, 1)
        config_bytes = 10 + 1 + 6 * len(IsppPolicy().registers())  # every policy register
        assert stats["CONFIG"].bytes_sent == config_bytes
        program_bytes = (stats["PROGRAM"].bytes_sent, stats["PROGRAM"].bytes_received)
        assert program_bytes == (64 * (10 + 128 * 8) + 10 + 8, 64 * (11 + 128 * 6) + 11 + 6)
        board.program(ROWS[:1, :1], COLS[:1, :1], 10.0, 1.0, IsppPolicy(v_set_step_v=0.05))
        assert stats["CONFIG"].requests == 2  # only the changed register this time
        assert stats["CONFIG"].bytes_sent == config_bytes + 10 + 1 + 6

        stats.reset()
        g = board.read_block()
        assert stats["READ"].requests == math.ceil(64 * 128 / 512) == 16
        assert (stats["READ"].bytes_sent, stats["READ"].bytes_received) == (16 * 20, 16 * 1035)
        assert np.abs(g - bench.sim.read_block()).max() < 3.0  # another noisy read of it

        stats.reset()
        board.pulse(np.full(128, 3), np.arange(128), 1.5, 1e-6)
        board.pulse(np.full(64, 4), np.arange(64), -1.2, 1e-6)
        assert stats["PULSE"].requests == 2 and bench.handler.stats.pulse_cells == 192
        assert stats.round_trips == stats.requests
    assert wired.success.mean() == pytest.approx(direct.success.mean(), abs=0.01)
    assert wired.pulses.mean() == pytest.approx(direct.pulses.mean(), rel=0.1)
    converged = wired.success
    error = np.abs(wired.g_us - targets.ravel())[converged]  # target and g both cross the wire
    assert error.max() <= 1.0 + 2 * WIRE_HALF_LSB_US + 1e-9


def test_read_blocks_cover_cells_exactly() -> None:
    def covered(blocks: list[tuple[int, int, int, int]], n_cols: int) -> np.ndarray:
        cells = [
            (r * n_cols + c)
            for row, col, nr, nc in blocks
            for r in range(row, row + nr)
            for c in range(col, col + nc)
        ]
        return np.array(cells)

    whole = np.arange(64 * 128)
    blocks = list(read_blocks(whole, 128))
    assert blocks == [(4 * k, 0, 4, 128) for k in range(16)]
    wide = np.arange(3 * 1300)  # rows longer than a frame: split, never merged
    assert list(read_blocks(wide, 1300))[:4] == [
        (0, 0, 1, 512),
        (0, 512, 1, 512),
        (0, 1024, 1, 276),
        (1, 0, 1, 512),
    ]
    rng = np.random.default_rng(0)
    for n_cols in (7, 128, 700):
        cells = np.unique(rng.integers(0, 40 * n_cols, 3000))
        blocks = list(read_blocks(cells, n_cols))
        assert np.array_equal(covered(blocks, n_cols), cells)
        assert all(1 <= nr * nc <= 512 for _, _, nr, nc in blocks)
    block_6x100 = (np.arange(6)[:, None] * 128 + np.arange(10, 110)).ravel()
    assert list(read_blocks(block_6x100, 128)) == [(0, 10, 5, 100), (5, 10, 1, 100)]


def test_pulse_segments_merge_equal_neighbours_only() -> None:
    rows = np.array([1, 1, 1, 1, 0, 1, 2, 2])
    cols = np.array([3, 0, 1, 2, 5, 5, 0, 1])
    polarity = np.array([0, 0, 0, 0, 0, 1, 1, 1])
    amplitude = np.array([1500, 1500, 1500, 1600, 1500, 1500, 1200, 1200])
    width = np.full(8, 100)
    segments = list(pulse_segments(rows, cols, polarity, amplitude, width))
    assert segments == [
        (0, 5, 1, 0, 1500, 100),
        (1, 0, 2, 0, 1500, 100),
        (1, 2, 1, 0, 1600, 100),
        (1, 3, 1, 0, 1500, 100),
        (1, 5, 1, 1, 1500, 100),
        (2, 0, 2, 1, 1200, 100),
    ]


# --- errors -------------------------------------------------------------------------------------


def test_out_of_range_addresses_are_refused_before_sending() -> None:
    with serial_bench() as bench:
        board = bench.board
        sent = board.stats.bytes_sent
        with pytest.raises(AddressError, match="outside the 64 x 128 array"):
            board.read(np.array([64]), np.array([0]))
        with pytest.raises(AddressError):
            board.pulse(np.array([0]), np.array([128]), 1.5, 1e-6)
        with pytest.raises(LimitError, match="exceed the amplitude limits"):
            board.pulse(np.array([0]), np.array([0]), 3.2, 1e-6)
        assert board.stats.bytes_sent == sent and bench.handler.stats.executed.total() == 1


def test_a_board_smaller_than_its_info_answers_bad_address() -> None:
    with serial_bench() as bench:
        board = bench.board
        small = ProtocolChipHandler(SimChip(32, 64, seed=2))
        bench.server.handler = small  # the board behind the port changed after INFO
        before = small.chip.array.g_prog_us.copy()
        with pytest.raises(
            BoardAddressError, match=r"READ refused .*BAD_ADDRESS in field row = 40"
        ):
            board.read(np.array([40]), np.array([0]))
        cells = np.arange(20)
        with pytest.raises(AddressError) as caught:
            board.program(np.where(cells == 13, 40, 1), cells, 10.0, 0.5)
        message = str(caught.value)
        assert "PROGRAM refused by the board" in message and "\n" not in message
        assert "entry 13 (cell row 40, column 13)" in message
        assert caught.value.status == "BAD_ADDRESS" and caught.value.detail == 13
        assert np.array_equal(small.chip.array.g_prog_us, before)  # nothing was programmed
        assert small.stats.refused["BAD_ADDRESS"] == 2


def test_policy_limits_refused_by_host_and_by_board() -> None:
    with serial_bench() as bench:
        board = bench.board
        policy = IsppPolicy(v_set_start_v=3.5, v_set_step_v=0.05)  # start above the 3 V limit
        sent = board.stats.bytes_sent
        with pytest.raises(LimitError, match=r"reach 3\.5 V SET"):
            board.program(np.array([0]), np.array([0]), 10.0, 1.0, policy)
        assert board.stats.bytes_sent == sent  # the host refused before sending anything
        # A host that skipped the check meets the board's own LIMIT, and nothing is applied.
        request = ConfigRequest(write=1, entries=[RegisterValue(Register.SET_V_START, 3500)])
        with pytest.raises(BoardLimitError, match="register SET_V_START = 3500") as caught:
            board.request(request)
        assert isinstance(caught.value, LimitError) and caught.value.status == "LIMIT"
        assert bench.handler.registers == {r: s.reset for r, s in REGISTERS.items()}
        board.program(np.array([0]), np.array([0]), 10.0, 1.0)  # still works afterwards
        assert bench.handler.registers[Register.SET_V_STEP] == 100


def test_operations_missing_from_info_are_unsupported() -> None:
    with serial_bench(capabilities=Capability.PROGRAM | Capability.MVM) as bench:
        board = bench.board
        assert not board.info().virtual_time
        sent = board.stats.bytes_sent
        with pytest.raises(UnsupportedOperation, match="does not support advance_time"):
            board.advance_time(1.0)
        with pytest.raises(UnsupportedOperation):
            board.set_temperature(350.0)
        with pytest.raises(UnsupportedOperation):
            board.inject_line_noise(1e-3)
        assert board.stats.bytes_sent == sent  # refused before sending anything
        with pytest.raises(BoardUnsupported, match="ADVANCE_TIME refused by the board"):
            board.request(AdvanceTimeRequest(dt=1, temperature=0))  # the chip's own refusal
        assert board.stats["ADVANCE_TIME"].requests == 1


def test_missing_port_is_a_clear_error() -> None:
    with pytest.raises(BoardUnavailable, match="cannot open the serial board at") as caught:
        SerialBoardChip("/dev/ttyHIL_NO_SUCH_PORT")
    assert isinstance(caught.value, BackendUnavailable) and "\n" not in str(caught.value)
    with socket.create_server(("127.0.0.1", 0)) as probe:
        free_port = probe.getsockname()[1]
    with pytest.raises(BackendUnavailable, match="Connection refused"):
        open_chip(f"serial:socket://127.0.0.1:{free_port}")


def test_silent_line_is_a_clear_error() -> None:
    with pytest.raises(BoardLinkError, match="only echoes requests back") as caught:
        SerialBoardChip("loop://", timeout_s=0.05, retries=2)  # echoes, never answers
    assert "3 attempts of 0.05 s" in str(caught.value) and "\n" not in str(caught.value)
    with (
        tcp_peer(lambda conn, data: None) as port,  # accepts, reads, says nothing
        pytest.raises(BoardLinkError, match=r"no answer from the board at .* to INFO"),
    ):
        SerialBoardChip(f"socket://127.0.0.1:{port}", timeout_s=0.05, retries=1)


def test_garbling_board_is_a_clear_error() -> None:
    rng = random.Random(3)

    def spew(conn: socket.socket, data: bytes) -> None:
        conn.sendall(bytes(rng.randrange(256) for _ in range(3 * len(data))))

    with (
        tcp_peer(spew) as port,
        pytest.raises(BoardLinkError, match="sends garbage: no valid INFO response") as caught,
    ):
        SerialBoardChip(f"socket://127.0.0.1:{port}", timeout_s=0.05, retries=2)
    assert "check the baud rate" in str(caught.value) and "\n" not in str(caught.value)


@contextmanager
def tcp_peer(answer) -> Iterator[int]:
    """A TCP peer on loopback that calls answer(conn, received) for every chunk it receives."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.05)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(0.05)
                while not stop.is_set():
                    try:
                        data = conn.recv(4096)
                    except TimeoutError:
                        continue
                    if not data:
                        break
                    answer(conn, data)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


# --- a noisy line -------------------------------------------------------------------------------


def programming_run(board: SerialBoardChip) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    targets = np.random.default_rng(9).uniform(3, 30, (16, 128))
    rows, cols = np.nonzero(np.ones_like(targets, dtype=bool))
    result = write_verify(board, rows, cols, targets.ravel(), neurram_policy())
    return result.g_us, result.pulses, result.outcome


def test_line_noise_costs_retries_not_correctness() -> None:
    """LINE_NOISE on the chip's receiver and noise on its transmitter: the programming run
    (on-chip PROGRAM, 16 frames) ends bit-identical to the clean run, and nothing executes twice
    even though corrupted responses make the host resend frames the chip already executed."""
    with serial_bench(SimChip(seed=21)) as clean:
        expected = programming_run(clean.board)
    with serial_bench(SimChip(seed=21), tx_noise=5e-4, timeout_s=0.25, retries=15) as noisy:
        board, handler = noisy.board, noisy.handler
        board.inject_line_noise(5e-4)  # 1034-byte PROGRAM frames: ~40 % corrupted
        got = programming_run(board)
        for a, b in zip(got, expected, strict=True):
            assert np.array_equal(a, b)
        # Single-cell pulses with distinct amplitudes: one frame each, each executed once.
        amplitudes = 1.2 + 0.01 * np.arange(60)
        board.pulse(np.full(60, 20), np.arange(60), amplitudes, 1e-6)
        board.clear_faults()
        executed, stats = handler.stats.executed, board.stats
        for opcode in ("PROGRAM", "PULSE", "READ", "CONFIG"):
            assert executed[opcode] == stats[opcode].requests, opcode
        assert stats["PULSE"].requests == 60 and handler.stats.pulse_cells == 60
        assert board.client.stats.retries > 5 and handler.stats.corrupted_bytes > 5
    assert noisy.server.stats.replayed > 0  # resent frames were answered from the cache


def test_fault_injection_over_the_wire() -> None:
    with serial_bench(SimChip(seed=4, initial_g_us=5.0)) as bench:
        board = bench.board
        board.inject_stuck(np.array([2, 3]), np.array([7, 8]), np.array([25.0, 40.0]))
        board.pulse(np.array([2, 3]), np.array([7, 8]), -2.5, 1e-6)
        g = board.read(np.array([2, 3]), np.array([7, 8]), n_reads=16)
        assert g == pytest.approx([25.0, 40.0], abs=0.5)
        board.clear_faults()
        assert not bench.sim.array.cells.stuck[[2 * 128 + 7, 3 * 128 + 8]].any()
        board.set_temperature(350.0)
        assert bench.sim.array.temperature_k == pytest.approx(350.0)
        assert board.time_s() == pytest.approx(bench.sim.now_s, abs=1e-6)
        assert AMPLITUDE.to_code(board.info().limits.v_set_max_v) == 3000


def test_server_serves_sequential_connections_and_open_ports() -> None:
    sim = SimChip(seed=6, initial_g_us=2.0)
    with serve_tcp(sim) as server:
        first = open_chip(f"serial:{server.url}")
        assert isinstance(first, SerialBoardChip)
        with first:
            first.pulse(np.full(16, 1), np.arange(16), 2.6, 5e-6)
        port = serial.serial_for_url(server.url, timeout=0.05)  # an already open port
        with SerialBoardChip(port, own_port=True) as second:
            g = second.read_block(1, 0, 1, 16)
        assert not port.is_open
        assert np.median(g) > 5.0  # the second host sees what the first one did
        assert np.abs(g - sim.read_block(1, 0, 1, 16)).max() < 2.0
    assert server.connections == 2 and server.stats.executed == 4  # INFO, PULSE, INFO, READ
