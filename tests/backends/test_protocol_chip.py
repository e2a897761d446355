"""The chip side in Python: every opcode on a SimChip, validation before execution, statuses."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from firmware_interface.codec import ErrorResponse, FrameDecoder, decode_response, encode_request
from firmware_interface.errors import CommandRejected
from firmware_interface.message import Message
from firmware_interface.protocol import (
    CONDUCTANCE,
    REFERENCE_CHIP,
    REGISTERS,
    AdvanceTimeRequest,
    Capability,
    CellOutcome,
    ConfigRequest,
    FaultInjectRequest,
    FaultKind,
    InfoRequest,
    MvmRequest,
    Opcode,
    Polarity,
    ProgramRequest,
    PulseRequest,
    ReadRequest,
    Register,
    Status,
)
from firmware_interface.responder import Responder
from hil.backends.protocol_chip import ProtocolChipHandler
from hil.backends.sim import SimChip
from hil.chip import ChipLimits
from hil.device.params import DeviceParams
from hil.device.write_verify import IsppPolicy


def state(sim: SimChip) -> tuple[np.ndarray, float]:
    return sim.array.g_prog_us.copy(), sim.now_s


def refused(handler: ProtocolChipHandler, request: Message) -> tuple[str, int | None]:
    """(status, detail) of a refused request, checking that it changed no chip state."""
    before = state(handler.chip)
    registers = dict(handler.registers)
    with pytest.raises(CommandRejected) as caught:
        handler(request)
    g, now = state(handler.chip)
    assert np.array_equal(g, before[0]) and now == before[1]
    assert handler.registers == registers
    return caught.value.status_name, caught.value.detail


def test_info_describes_the_simulated_chip() -> None:
    sim = SimChip(32, 64, seed=0)
    info = ProtocolChipHandler(sim).info
    assert (info.rows, info.cols, info.chip_id) == (32, 64, REFERENCE_CHIP.chip_id)
    assert info.capabilities == 15 == REFERENCE_CHIP.capabilities
    assert ChipLimits.from_info(info) == sim.info().limits
    full = ProtocolChipHandler(SimChip(seed=0)).info
    assert full == REFERENCE_CHIP  # the default simulated chip is the spec's reference chip


def test_reads_average_and_quantise_to_the_wire() -> None:
    sim = SimChip(seed=4, initial_g_us=20.0)
    handler = ProtocolChipHandler(sim)
    reply = handler(ReadRequest(2, 3, 4, 5, 16, 2))
    g = np.array(reply.g).reshape(4, 5) * CONDUCTANCE.lsb
    stuck = sim.array.cells.stuck.reshape(64, 128)[2:6, 3:8]
    assert np.all(np.abs(g - 20.0)[~stuck] < 0.5)
    assert sim.now_s == pytest.approx(18 * sim.op_overhead_s)  # 16 reads + 2 discarded
    assert handler.stats.executed["READ"] == 1


@pytest.mark.parametrize(
    ("request_", "status", "detail"),
    [
        (ReadRequest(0, 0, 0, 4, 1, 0), "BAD_ARGUMENT", 2),
        (ReadRequest(0, 0, 4, 4, 0, 0), "BAD_ARGUMENT", 4),
        (ReadRequest(0, 0, 32, 32, 1, 0), "BAD_ARGUMENT", 3),  # 1024 cells > 512
        (ReadRequest(64, 0, 1, 1, 1, 0), "BAD_ADDRESS", 0),
        (ReadRequest(60, 0, 8, 8, 1, 0), "BAD_ADDRESS", 2),
        (ReadRequest(0, 120, 1, 16, 1, 0), "BAD_ADDRESS", 3),
        (PulseRequest(3, 0, 0, Polarity.SET, 1500, 100), "BAD_ARGUMENT", 2),
        (PulseRequest(3, 120, 16, Polarity.SET, 1500, 100), "BAD_ADDRESS", 2),
        (PulseRequest(3, 0, 8, Polarity.SET, 1505, 100), "BAD_ARGUMENT", 4),  # off the DAC grid
        (PulseRequest(3, 0, 8, Polarity.RESET, 3010, 100), "LIMIT", 4),
        (PulseRequest(3, 0, 8, Polarity.SET, 1500, 20000), "LIMIT", 5),
        (MvmRequest(0, 1, 4, (100,) * 8), "BAD_ARGUMENT", 1),
        (MvmRequest(0, 0, 4, (100, 100, 600)), "LIMIT", 2),  # input 2 beyond +-0.5 V
        (MvmRequest(60, 0, 4, (100,) * 8), "BAD_ADDRESS", 3),
        (FaultInjectRequest(FaultKind.STUCK_CELL, 0, 128, 500), "BAD_ADDRESS", 2),
        (FaultInjectRequest(FaultKind.LINE_NOISE, 0, 0, 2_000_000), "BAD_ARGUMENT", 3),
    ],
)
def test_refused_requests_name_the_field_and_change_nothing(request_, status, detail) -> None:
    handler = ProtocolChipHandler(SimChip(seed=1))
    assert refused(handler, request_) == (status, detail)
    assert handler.stats.executed.total() == 0 and handler.stats.refused[status] == 1


def test_program_validates_every_entry_first() -> None:
    handler = ProtocolChipHandler(SimChip(seed=2))
    good = [(r, c, 1500, 100) for r in range(2) for c in range(8)]
    assert refused(handler, ProgramRequest([*good, (64, 0, 1500, 100), *good])) == (
        "BAD_ADDRESS",
        16,
    )
    assert refused(handler, ProgramRequest([*good[:5], (0, 9, 1500, 0)])) == ("BAD_ARGUMENT", 5)
    assert refused(handler, ProgramRequest([])) == ("BAD_ARGUMENT", 0)
    reply = handler(ProgramRequest(good))
    g = np.array([result.g for result in reply.results]) * CONDUCTANCE.lsb
    assert len(reply.results) == 16 and handler.stats.program_cells == 16
    converged = np.array([result.outcome == 0 for result in reply.results])
    assert converged.mean() > 0.8 and np.all(np.abs(g[converged] - 15.0) <= 1.0 + 1e-9)


def test_program_reports_the_polarity_iterations_that_pulsed() -> None:
    # A 0.01 uS band is too narrow to land in: cells overshoot back and forth until
    # MAX_ITERATIONS runs out. The ramp refused past the limit applies no pulse, so no cell
    # reports more than MAX_ITERATIONS (rtl/program_engine.sv and its twin count the same way).
    handler = ProtocolChipHandler(SimChip(seed=4))
    handler(ConfigRequest(1, [(Register.MAX_ITERATIONS, 2)]))
    reply = handler(ProgramRequest([(0, c, 2000, 1) for c in range(32)]))
    iterations = np.array([result.iterations for result in reply.results])
    pulses = np.array([result.pulses for result in reply.results])
    not_converged = np.array([r.outcome == CellOutcome.NOT_CONVERGED for r in reply.results])
    assert not_converged.sum() >= 16
    assert iterations.max() == 2
    assert np.all(iterations[not_converged] >= 1) and np.all((iterations > 0) == (pulses > 0))


def test_config_checks_all_writes_before_applying_any() -> None:
    handler = ProtocolChipHandler(SimChip(seed=3))
    step = (Register.SET_V_STEP, 50)
    assert refused(handler, ConfigRequest(1, [step, (0x77, 1)])) == ("BAD_ADDRESS", 1)
    assert refused(handler, ConfigRequest(1, [step, (Register.PULSES_PER_RAMP, 256)])) == (
        "BAD_ARGUMENT",
        1,
    )
    assert refused(handler, ConfigRequest(1, [step, (Register.READ_V, 0)])) == ("BAD_ARGUMENT", 1)
    assert refused(handler, ConfigRequest(1, [(Register.SET_V_STOP, 3100), step])) == ("LIMIT", 0)
    assert refused(handler, ConfigRequest(1, [step, (Register.RESET_V_START, 3500)])) == (
        "LIMIT",
        1,
    )
    assert refused(handler, ConfigRequest(1, [step, (Register.RESET_WIDTH, 10001)])) == (
        "LIMIT",
        1,
    )
    assert refused(handler, ConfigRequest(2, [step])) == ("BAD_ARGUMENT", 0)
    assert handler.registers == {r: spec.reset for r, spec in REGISTERS.items()}
    reply = handler(ConfigRequest(1, [step, (Register.MAX_ITERATIONS, 7)]))
    assert reply.entries == ((Register.SET_V_STEP, 50), (Register.MAX_ITERATIONS, 7))
    assert handler(ConfigRequest(0, [(Register.SET_V_STEP, 0)])).entries == ((2, 50),)
    policy = IsppPolicy.from_registers(handler.registers)
    assert policy.v_set_step_v == pytest.approx(0.05) and policy.max_iterations == 7


def test_policy_registers_round_trip() -> None:
    policy = IsppPolicy(v_set_start_v=1.3, v_reset_stop_v=2.5, width_set_s=2e-6, verify_n_discard=3)
    registers = {**{r: s.reset for r, s in REGISTERS.items()}, **policy.registers()}
    assert IsppPolicy.from_registers(registers).registers() == policy.registers()


def test_noise_seed_restarts_the_noise_sequence() -> None:
    def reads_after_seeding(noise_seed: int) -> tuple[int, ...]:
        handler = ProtocolChipHandler(SimChip(seed=5, initial_g_us=10.0))
        handler(ConfigRequest(1, [(Register.NOISE_SEED, noise_seed)]))
        return handler(ReadRequest(0, 0, 4, 4, 1, 0)).g

    assert reads_after_seeding(1234) == reads_after_seeding(1234)
    assert reads_after_seeding(1234) != reads_after_seeding(4321)


def test_read_v_is_the_full_scale_of_the_mvm_input_dac() -> None:
    # spec.toml (MVM inputs "quantised over +-READ_V") and rtl/mvm_unit.sv: inputs beyond READ_V,
    # up to the 500 mV limit, saturate at it.
    noiseless = replace(DeviceParams(), read_noise_us=0.0, read_noise_rel=0.0)
    sim = SimChip(seed=1, params=noiseless)
    sim.inject_stuck(np.zeros(2, dtype=int), np.arange(2), np.array([30.0, 5.0]))
    handler = ProtocolChipHandler(sim)

    def output(mv: int) -> int:
        return handler(MvmRequest(0, 0, 1, [mv])).outputs[0]

    assert sim.read_v_v == pytest.approx(0.2)  # the register's reset value
    assert output(300) == output(200) > output(150) > 0
    handler(ConfigRequest(1, [(Register.READ_V, 100)]))
    assert sim.read_v_v == pytest.approx(0.1)
    assert output(150) == output(100) > output(50) > 0
    assert output(-150) == -output(150)


def test_advance_time_and_temperature() -> None:
    handler = ProtocolChipHandler(SimChip(seed=6))
    assert handler(AdvanceTimeRequest(dt=2_500_000, temperature=0)).now == 2_500_000
    assert handler(AdvanceTimeRequest(dt=0, temperature=35_815)).now == 2_500_000
    assert handler.chip.array.temperature_k == pytest.approx(358.15)


def test_stuck_cell_and_clear() -> None:
    sim = SimChip(seed=7, initial_g_us=5.0)
    handler = ProtocolChipHandler(sim)
    before = sim.array.cells.stuck.copy()
    handler(FaultInjectRequest(FaultKind.STUCK_CELL, 3, 4, 4000))
    for v in (2.5, -2.5):  # pulses cannot move a stuck cell
        sim.pulse(np.array([3]), np.array([4]), v, 1e-6)
        assert handler(ReadRequest(3, 4, 1, 1, 8, 0)).g[0] == pytest.approx(4000, abs=30)
    handler(FaultInjectRequest(FaultKind.CLEAR, 0, 0, 0))
    assert np.array_equal(sim.array.cells.stuck, before)


def test_line_noise_flips_one_bit_per_corrupted_byte() -> None:
    handler = ProtocolChipHandler(SimChip(seed=8))
    data = bytes(range(256)) * 400
    assert handler.corrupt_received(data) == data
    handler(FaultInjectRequest(FaultKind.LINE_NOISE, 0, 0, 100_000))  # 10 % of bytes
    out = np.frombuffer(handler.corrupt_received(data), dtype=np.uint8)
    flips = np.unpackbits(out ^ np.frombuffer(data, dtype=np.uint8)).reshape(-1, 8).sum(axis=1)
    assert set(np.unique(flips)) == {0, 1}
    assert flips.mean() == pytest.approx(0.1, abs=0.005)
    handler(FaultInjectRequest(FaultKind.CLEAR, 0, 0, 0))
    assert handler.corrupt_received(data) == data


def test_missing_capabilities_answer_unsupported_through_the_responder() -> None:
    handler = ProtocolChipHandler(SimChip(seed=9), capabilities=Capability.PROGRAM | Capability.MVM)
    responder = Responder(handler)
    for seq, request in enumerate(
        [AdvanceTimeRequest(dt=1, temperature=0), FaultInjectRequest(FaultKind.CLEAR, 0, 0, 0)]
    ):
        (frame,) = FrameDecoder().feed(responder.receive(encode_request(seq, request)))
        opcode = Opcode(request.OPCODE)
        assert decode_response(frame) == ErrorResponse(opcode, Status.UNSUPPORTED, None)
    assert handler(InfoRequest()).capabilities == Capability.PROGRAM | Capability.MVM
