"""Constants and message classes of the hil-rram-wire wire protocol.

Generated from firmware_interface/spec.toml by `python -m firmware_interface.generate`.
Do not edit: change the spec and regenerate.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import ClassVar, NamedTuple

from firmware_interface.crc import Crc
from firmware_interface.message import (
    ArrayLayout,
    Message,
    MessageLayout,
    ScalarLayout,
    Unit,
)

PROTOCOL_NAME = "hil-rram-wire"
VERSION_MAJOR = 2
VERSION_MINOR = 0
SOF = 0xA5
RESPONSE_FLAG = 0x80
HEADER_BYTES = 6
"""SOF, LEN (u16), SEQ, OPC, header CRC."""
TRAILER_BYTES = 4
MAX_PAYLOAD = 1025
MAX_FRAME = 1035
NO_DETAIL = 0xFFFF
IDLE_BYTES = 16
"""Idle byte times after which a receiver gives up an incomplete frame."""

HEADER_CRC = Crc("CRC-8/SMBUS", 8, 0x7, 0x0, False, False, 0x0, 0xF4)
FRAME_CRC = Crc("CRC-32/ISO-HDLC", 32, 0x4C11DB7, 0xFFFFFFFF, True, True, 0xFFFFFFFF, 0xCBF43926)

# Units: physical value = code * lsb.
AMPLITUDE = Unit("amplitude", 0.001, "V")
"""Pulse or read amplitude, 1 mV per code. Polarity travels separately (enum Polarity)."""
WIDTH = Unit("width", 1e-08, "s")
"""Pulse width, 10 ns per code (u16: 10 ns .. 655.35 us)."""
CONDUCTANCE = Unit("conductance", 0.01, "uS")
"""Conductance, 0.01 uS (10 nS) per code (u16: 0 .. 655.35 uS). ADC-quantised on reads."""
CURRENT = Unit("current", 1e-09, "A")
"""MVM column current, 1 nA per code, signed (differential pair G+ minus G-)."""
TIME = Unit("time", 1e-06, "s")
"""Virtual time, 1 us per code (u64: over 500,000 years)."""
TEMPERATURE = Unit("temperature", 0.01, "K")
"""Temperature, 0.01 K per code (u16: up to 655.35 K)."""



class Status(enum.IntEnum):
    """Response status codes."""

    OK = 0x00
    """The request was executed; the response body follows."""
    BAD_CRC = 0x01
    """The header was intact but the frame CRC failed. Nothing was executed; resend the same frame."""
    BAD_LENGTH = 0x02
    """LEN exceeds MAX_PAYLOAD, or the payload length does not fit the opcode's message layout."""
    UNKNOWN_OPCODE = 0x03
    """The opcode is not defined by this protocol version."""
    BAD_ADDRESS = 0x04
    """A row, column or register address lies outside the chip. DETAIL is the offending entry index."""
    BAD_ARGUMENT = 0x05
    """A field value is invalid (zero count, unknown enum value, step of zero, ...). DETAIL names the field or entry."""
    BUSY = 0x06
    """The chip is executing an earlier request; retry the same frame later. Nothing was executed."""
    UNSUPPORTED = 0x07
    """The opcode is valid but this chip does not implement it (see INFO capabilities); real boards answer this to ADVANCE_TIME and FAULT_INJECT."""
    LIMIT = 0x08
    """A safety limit refused the request (amplitude above the INFO maximum, width out of range). Nothing was applied to the array."""
    INTERNAL = 0x09
    """The chip failed internally; the array state is unknown. Re-read before trusting it."""


class Opcode(enum.IntEnum):
    """Request opcodes (responses set RESPONSE_FLAG)."""

    INFO = 0x01
    """Identify the chip: protocol version, geometry, capabilities and limits."""
    READ = 0x02
    """Read a rectangular block (one cell, a row segment or a block) with n-read averaging at READ_V."""
    PULSE = 0x03
    """Apply one programming pulse to one cell or to each cell of a row segment."""
    PROGRAM = 0x04
    """Write-verify a batch of cells on chip under the policy registers. 128 entries per frame program a 64 x 128-device array in 64 frames."""
    MVM = 0x05
    """Analog matrix-vector multiply on differential pairs: input i drives row ROW+i; output j is the current of column pair (COL+2j, COL+2j+1), G+ minus G-, ADC-quantised."""
    CONFIG = 0x06
    """Write (if WRITE = 1) then read back configuration registers. All writes of a frame are checked before any is applied."""
    ADVANCE_TIME = 0x10
    """Simulators only: advance virtual time, relaxing every cell as if DT elapsed at TEMPERATURE (0 keeps the current temperature)."""
    FAULT_INJECT = 0x11
    """Simulators only: inject a fault (stuck cell, line noise) or clear all faults."""


class Polarity(enum.IntEnum):
    """Direction of a programming pulse."""

    SET = 0x00
    """Raise conductance (positive cell voltage)."""
    RESET = 0x01
    """Lower conductance (negative cell voltage)."""


class CellOutcome(enum.IntEnum):
    """Per-cell result of a PROGRAM batch."""

    CONVERGED = 0x00
    """The verify read is within tolerance (zero pulses if it already was)."""
    NOT_CONVERGED = 0x01
    """MAX_ITERATIONS polarity iterations ran out before the cell entered the band."""
    STUCK = 0x02
    """The cell did not move during a whole ramp at the stop amplitude."""


class FaultKind(enum.IntEnum):
    """What FAULT_INJECT changes (simulators only)."""

    CLEAR = 0x00
    """Remove every injected fault."""
    STUCK_CELL = 0x01
    """Pin cell (ROW, COL) at conductance VALUE (conductance code)."""
    LINE_NOISE = 0x02
    """Corrupt each received byte with probability VALUE / 1e6 (one random bit flipped)."""


class Capability(enum.IntFlag):
    """Bits of INFO.capabilities: optional operations this chip implements."""

    PROGRAM = 0x01
    """On-chip write-verify engine (PROGRAM)."""
    MVM = 0x02
    """Analog matrix-vector multiply (MVM)."""
    ADVANCE_TIME = 0x04
    """Virtual time and temperature (simulators)."""
    FAULT_INJECT = 0x08
    """Fault injection (simulators)."""


class Register(enum.IntEnum):
    """Configuration register addresses (CONFIG)."""

    SET_V_START = 0x00
    """First amplitude of each SET ramp."""
    SET_V_STOP = 0x01
    """Last amplitude of a SET ramp; further pulses of the ramp repeat it. Must not exceed INFO.max_set_amplitude (LIMIT)."""
    SET_V_STEP = 0x02
    """Amplitude increment per SET pulse."""
    RESET_V_START = 0x03
    """First amplitude of each RESET ramp."""
    RESET_V_STOP = 0x04
    """Last amplitude of a RESET ramp. Must not exceed INFO.max_reset_amplitude (LIMIT)."""
    RESET_V_STEP = 0x05
    """Amplitude increment per RESET pulse."""
    SET_WIDTH = 0x06
    """SET pulse width (default 1 us). Outside [INFO.min_width, INFO.max_width] is refused (LIMIT)."""
    RESET_WIDTH = 0x07
    """RESET pulse width (default 1 us)."""
    PULSES_PER_RAMP = 0x08
    """Maximum pulses in one SET or RESET ramp before the polarity flips."""
    MAX_ITERATIONS = 0x09
    """Maximum polarity iterations (SET ramp + RESET ramp pairs) per cell."""
    VERIFY_N_READS = 0x0A
    """Reads averaged per verify."""
    VERIFY_N_DISCARD = 0x0B
    """Reads discarded before averaging (NeuRRAM discards 3)."""
    READ_V = 0x0C
    """Read amplitude used by READ, verify and as the MVM reference V_r."""
    NOISE_SEED = 0x0D
    """Seed of the simulator's noise generators (ignored by real chips). Writing it restarts the sequence."""


@dataclass(frozen=True)
class RegisterSpec:
    """A configuration register: reset value, allowed range and unit."""

    register: Register
    reset: int
    min: int
    max: int
    unit: Unit | None


REGISTERS: dict[Register, RegisterSpec] = {
    Register.SET_V_START: RegisterSpec(Register.SET_V_START, 1200, 1, 65535, AMPLITUDE),
    Register.SET_V_STOP: RegisterSpec(Register.SET_V_STOP, 3000, 1, 65535, AMPLITUDE),
    Register.SET_V_STEP: RegisterSpec(Register.SET_V_STEP, 100, 1, 65535, AMPLITUDE),
    Register.RESET_V_START: RegisterSpec(Register.RESET_V_START, 1200, 1, 65535, AMPLITUDE),
    Register.RESET_V_STOP: RegisterSpec(Register.RESET_V_STOP, 3000, 1, 65535, AMPLITUDE),
    Register.RESET_V_STEP: RegisterSpec(Register.RESET_V_STEP, 100, 1, 65535, AMPLITUDE),
    Register.SET_WIDTH: RegisterSpec(Register.SET_WIDTH, 100, 1, 65535, WIDTH),
    Register.RESET_WIDTH: RegisterSpec(Register.RESET_WIDTH, 100, 1, 65535, WIDTH),
    Register.PULSES_PER_RAMP: RegisterSpec(Register.PULSES_PER_RAMP, 30, 1, 255, None),
    Register.MAX_ITERATIONS: RegisterSpec(Register.MAX_ITERATIONS, 20, 1, 255, None),
    Register.VERIFY_N_READS: RegisterSpec(Register.VERIFY_N_READS, 1, 1, 64, None),
    Register.VERIFY_N_DISCARD: RegisterSpec(Register.VERIFY_N_DISCARD, 0, 0, 16, None),
    Register.READ_V: RegisterSpec(Register.READ_V, 200, 1, 500, AMPLITUDE),
    Register.NOISE_SEED: RegisterSpec(Register.NOISE_SEED, 1, 1, 4294967295, None),
}


class ProgramEntry(NamedTuple):
    """One cell of a PROGRAM batch."""

    row: int
    col: int
    target: int
    """Conductance code."""
    tolerance: int
    """Conductance code. Half-width of the accept band."""


class ProgramResult(NamedTuple):
    """One cell's PROGRAM outcome."""

    g: int
    """Conductance code. Last verify read."""
    pulses: int
    outcome: int
    """CellOutcome value."""
    iterations: int
    """Polarity iterations used: ramps that applied a pulse / 2, rounded up (0 if never pulsed), saturating at 255."""


class RegisterValue(NamedTuple):
    """A configuration register and its value."""

    address: int
    value: int


@dataclass(frozen=True)
class InfoRequest(Message):
    """Identify the chip: protocol version, geometry, capabilities and limits."""

    OPCODE: ClassVar[Opcode] = Opcode.INFO
    IS_RESPONSE: ClassVar[bool] = False
    LAYOUT: ClassVar[MessageLayout] = MessageLayout(
        (
        ),
    )


@dataclass(frozen=True)
class InfoResponse(Message):
    """Body of an OK response to INFO."""

    OPCODE: ClassVar[Opcode] = Opcode.INFO
    IS_RESPONSE: ClassVar[bool] = True
    LAYOUT: ClassVar[MessageLayout] = MessageLayout(
        (
            ScalarLayout("protocol_major", "B", 0, 255),
            ScalarLayout("protocol_minor", "B", 0, 255),
            ScalarLayout("chip_id", "I", 0, 4294967295),
            ScalarLayout("rows", "H", 0, 65535),
            ScalarLayout("cols", "H", 0, 65535),
            ScalarLayout("capabilities", "H", 0, 65535, enum_type=Capability),
            ScalarLayout("max_set_amplitude", "H", 0, 65535, unit=AMPLITUDE),
            ScalarLayout("max_reset_amplitude", "H", 0, 65535, unit=AMPLITUDE),
            ScalarLayout("dac_step", "H", 0, 65535, unit=AMPLITUDE),
            ScalarLayout("min_width", "H", 0, 65535, unit=WIDTH),
            ScalarLayout("max_width", "H", 0, 65535, unit=WIDTH),
            ScalarLayout("adc_bits", "B", 0, 255),
            ScalarLayout("adc_full_scale", "H", 0, 65535, unit=CONDUCTANCE),
            ScalarLayout("mvm_input_bits", "B", 0, 255),
            ScalarLayout("mvm_adc_bits", "B", 0, 255),
            ScalarLayout("mvm_full_scale", "I", 0, 4294967295, unit=CURRENT),
        ),
    )

    protocol_major: int
    protocol_minor: int
    chip_id: int
    rows: int
    """Array rows (word lines)."""
    cols: int
    """Array columns of devices (bit lines); differential pairs use columns 2j and 2j+1."""
    capabilities: int
    """Capability value."""
    max_set_amplitude: int
    """Amplitude code."""
    max_reset_amplitude: int
    """Amplitude code."""
    dac_step: int
    """Amplitude code. Amplitudes must be multiples of this step (else BAD_ARGUMENT)."""
    min_width: int
    """Width code."""
    max_width: int
    """Width code."""
    adc_bits: int
    adc_full_scale: int
    """Conductance code."""
    mvm_input_bits: int
    mvm_adc_bits: int
    mvm_full_scale: int
    """Current code."""


@dataclass(frozen=True)
class ReadRequest(Message):
    """Read a rectangular block (one cell, a row segment or a block) with n-read averaging at READ_V."""

    OPCODE: ClassVar[Opcode] = Opcode.READ
    IS_RESPONSE: ClassVar[bool] = False
    LAYOUT: ClassVar[MessageLayout] = MessageLayout(
        (
            ScalarLayout("row", "H", 0, 65535),
            ScalarLayout("col", "H", 0, 65535),
            ScalarLayout("n_rows", "H", 0, 65535),
            ScalarLayout("n_cols", "H", 0, 65535),
            ScalarLayout("n_reads", "B", 0, 255),
            ScalarLayout("n_discard", "B", 0, 255),
        ),
    )

    row: int
    col: int
    n_rows: int
    """At least 1."""
    n_cols: int
    """At least 1; n_rows * n_cols <= the response array maximum."""
    n_reads: int
    """Reads averaged per cell, at least 1."""
    n_discard: int
    """Reads discarded before averaging."""


@dataclass(frozen=True)
class ReadResponse(Message):
    """Body of an OK response to READ."""

    OPCODE: ClassVar[Opcode] = Opcode.READ
    IS_RESPONSE: ClassVar[bool] = True
    LAYOUT: ClassVar[MessageLayout] = MessageLayout(
        (
        ),
        ArrayLayout("g", (ScalarLayout("g", "H", 0, 65535, unit=CONDUCTANCE),), 512),
    )

    g: tuple[int, ...]
    """Conductance code. Row-major block of averaged conductances."""


@dataclass(frozen=True)
class PulseRequest(Message):
    """Apply one programming pulse to one cell or to each cell of a row segment."""

    OPCODE: ClassVar[Opcode] = Opcode.PULSE
    IS_RESPONSE: ClassVar[bool] = False
    LAYOUT: ClassVar[MessageLayout] = MessageLayout(
        (
            ScalarLayout("row", "H", 0, 65535),
            ScalarLayout("col", "H", 0, 65535),
            ScalarLayout("n_cols", "H", 0, 65535),
            ScalarLayout("polarity", "B", 0, 255, enum_type=Polarity),
            ScalarLayout("amplitude", "H", 0, 65535, unit=AMPLITUDE),
            ScalarLayout("width", "H", 0, 65535, unit=WIDTH),
        ),
    )

    row: int
    col: int
    n_cols: int
    """At least 1."""
    polarity: int
    """Polarity value."""
    amplitude: int
    """Amplitude code."""
    width: int
    """Width code."""


@dataclass(frozen=True)
class PulseResponse(Message):
    """Body of an OK response to PULSE."""

    OPCODE: ClassVar[Opcode] = Opcode.PULSE
    IS_RESPONSE: ClassVar[bool] = True
    LAYOUT: ClassVar[MessageLayout] = MessageLayout(
        (
        ),
    )


@dataclass(frozen=True)
class ProgramRequest(Message):
    """Write-verify a batch of cells on chip under the policy registers. 128 entries per frame program a 64 x 128-device array in 64 frames."""

    OPCODE: ClassVar[Opcode] = Opcode.PROGRAM
    IS_RESPONSE: ClassVar[bool] = False
    LAYOUT: ClassVar[MessageLayout] = MessageLayout(
        (
        ),
        ArrayLayout("entries", (ScalarLayout("row", "H", 0, 65535), ScalarLayout("col", "H", 0, 65535), ScalarLayout("target", "H", 0, 65535, unit=CONDUCTANCE), ScalarLayout("tolerance", "H", 0, 65535, unit=CONDUCTANCE),), 128, record_type=ProgramEntry),
    )

    entries: tuple[ProgramEntry, ...]


@dataclass(frozen=True)
class ProgramResponse(Message):
    """Body of an OK response to PROGRAM."""

    OPCODE: ClassVar[Opcode] = Opcode.PROGRAM
    IS_RESPONSE: ClassVar[bool] = True
    LAYOUT: ClassVar[MessageLayout] = MessageLayout(
        (
        ),
        ArrayLayout("results", (ScalarLayout("g", "H", 0, 65535, unit=CONDUCTANCE), ScalarLayout("pulses", "H", 0, 65535), ScalarLayout("outcome", "B", 0, 255, enum_type=CellOutcome), ScalarLayout("iterations", "B", 0, 255),), 128, record_type=ProgramResult),
    )

    results: tuple[ProgramResult, ...]
    """One per request entry, in order."""


@dataclass(frozen=True)
class MvmRequest(Message):
    """Analog matrix-vector multiply on differential pairs: input i drives row ROW+i; output j is the current of column pair (COL+2j, COL+2j+1), G+ minus G-, ADC-quantised."""

    OPCODE: ClassVar[Opcode] = Opcode.MVM
    IS_RESPONSE: ClassVar[bool] = False
    LAYOUT: ClassVar[MessageLayout] = MessageLayout(
        (
            ScalarLayout("row", "H", 0, 65535),
            ScalarLayout("col", "H", 0, 65535),
            ScalarLayout("n_pairs", "H", 0, 65535),
        ),
        ArrayLayout("inputs", (ScalarLayout("inputs", "h", -32768, 32767, unit=AMPLITUDE),), 256),
    )

    row: int
    col: int
    """First device column; must be even."""
    n_pairs: int
    """Number of outputs, at least 1."""
    inputs: tuple[int, ...]
    """Amplitude code. Signed row voltages, quantised to INFO.mvm_input_bits over +-READ_V."""


@dataclass(frozen=True)
class MvmResponse(Message):
    """Body of an OK response to MVM."""

    OPCODE: ClassVar[Opcode] = Opcode.MVM
    IS_RESPONSE: ClassVar[bool] = True
    LAYOUT: ClassVar[MessageLayout] = MessageLayout(
        (
        ),
        ArrayLayout("outputs", (ScalarLayout("outputs", "i", -2147483648, 2147483647, unit=CURRENT),), 256),
    )

    outputs: tuple[int, ...]
    """Current code."""


@dataclass(frozen=True)
class ConfigRequest(Message):
    """Write (if WRITE = 1) then read back configuration registers. All writes of a frame are checked before any is applied."""

    OPCODE: ClassVar[Opcode] = Opcode.CONFIG
    IS_RESPONSE: ClassVar[bool] = False
    LAYOUT: ClassVar[MessageLayout] = MessageLayout(
        (
            ScalarLayout("write", "B", 0, 255),
        ),
        ArrayLayout("entries", (ScalarLayout("address", "H", 0, 65535), ScalarLayout("value", "I", 0, 4294967295),), 64, record_type=RegisterValue),
    )

    write: int
    """0: read only; 1: write the values, then read back."""
    entries: tuple[RegisterValue, ...]


@dataclass(frozen=True)
class ConfigResponse(Message):
    """Body of an OK response to CONFIG."""

    OPCODE: ClassVar[Opcode] = Opcode.CONFIG
    IS_RESPONSE: ClassVar[bool] = True
    LAYOUT: ClassVar[MessageLayout] = MessageLayout(
        (
        ),
        ArrayLayout("entries", (ScalarLayout("address", "H", 0, 65535), ScalarLayout("value", "I", 0, 4294967295),), 64, record_type=RegisterValue),
    )

    entries: tuple[RegisterValue, ...]
    """Current values after the write."""


@dataclass(frozen=True)
class AdvanceTimeRequest(Message):
    """Simulators only: advance virtual time, relaxing every cell as if DT elapsed at TEMPERATURE (0 keeps the current temperature)."""

    OPCODE: ClassVar[Opcode] = Opcode.ADVANCE_TIME
    IS_RESPONSE: ClassVar[bool] = False
    LAYOUT: ClassVar[MessageLayout] = MessageLayout(
        (
            ScalarLayout("dt", "Q", 0, 18446744073709551615, unit=TIME),
            ScalarLayout("temperature", "H", 0, 65535, unit=TEMPERATURE),
        ),
    )

    dt: int
    """Time code."""
    temperature: int
    """Temperature code."""


@dataclass(frozen=True)
class AdvanceTimeResponse(Message):
    """Body of an OK response to ADVANCE_TIME."""

    OPCODE: ClassVar[Opcode] = Opcode.ADVANCE_TIME
    IS_RESPONSE: ClassVar[bool] = True
    LAYOUT: ClassVar[MessageLayout] = MessageLayout(
        (
            ScalarLayout("now", "Q", 0, 18446744073709551615, unit=TIME),
        ),
    )

    now: int
    """Time code. Virtual time since reset."""


@dataclass(frozen=True)
class FaultInjectRequest(Message):
    """Simulators only: inject a fault (stuck cell, line noise) or clear all faults."""

    OPCODE: ClassVar[Opcode] = Opcode.FAULT_INJECT
    IS_RESPONSE: ClassVar[bool] = False
    LAYOUT: ClassVar[MessageLayout] = MessageLayout(
        (
            ScalarLayout("kind", "B", 0, 255, enum_type=FaultKind),
            ScalarLayout("row", "H", 0, 65535),
            ScalarLayout("col", "H", 0, 65535),
            ScalarLayout("value", "I", 0, 4294967295),
        ),
    )

    kind: int
    """FaultKind value."""
    row: int
    col: int
    value: int


@dataclass(frozen=True)
class FaultInjectResponse(Message):
    """Body of an OK response to FAULT_INJECT."""

    OPCODE: ClassVar[Opcode] = Opcode.FAULT_INJECT
    IS_RESPONSE: ClassVar[bool] = True
    LAYOUT: ClassVar[MessageLayout] = MessageLayout(
        (
        ),
    )


REQUESTS: dict[Opcode, type[Message]] = {
    Opcode.INFO: InfoRequest,
    Opcode.READ: ReadRequest,
    Opcode.PULSE: PulseRequest,
    Opcode.PROGRAM: ProgramRequest,
    Opcode.MVM: MvmRequest,
    Opcode.CONFIG: ConfigRequest,
    Opcode.ADVANCE_TIME: AdvanceTimeRequest,
    Opcode.FAULT_INJECT: FaultInjectRequest,
}
RESPONSES: dict[Opcode, type[Message]] = {
    Opcode.INFO: InfoResponse,
    Opcode.READ: ReadResponse,
    Opcode.PULSE: PulseResponse,
    Opcode.PROGRAM: ProgramResponse,
    Opcode.MVM: MvmResponse,
    Opcode.CONFIG: ConfigResponse,
    Opcode.ADVANCE_TIME: AdvanceTimeResponse,
    Opcode.FAULT_INJECT: FaultInjectResponse,
}

REFERENCE_CHIP = InfoResponse(
    protocol_major=VERSION_MAJOR,
    protocol_minor=VERSION_MINOR,
    rows=64,
    cols=128,
    chip_id=1381125425,
    capabilities=15,
    max_set_amplitude=3000,
    max_reset_amplitude=3000,
    dac_step=10,
    min_width=1,
    max_width=10000,
    adc_bits=12,
    adc_full_scale=5000,
    mvm_input_bits=8,
    mvm_adc_bits=10,
    mvm_full_scale=200000,
)
"""INFO of the reference chip: the RTL model and the default simulated chip."""
