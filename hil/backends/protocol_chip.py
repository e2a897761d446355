"""The chip side of the wire protocol in Python: a `SimChip` behind `Responder`, served over TCP.

`ProtocolChipHandler` executes decoded requests (firmware_interface/PROTOCOL.md) on a `SimChip`;
`firmware_interface.responder.Responder` adds framing, status mapping and the replay cache. Together
they are a protocol-level simulator of a test board: what a real board's firmware must answer,
byte for byte, and what `SerialBoardChip` talks to in tests and demos.

Rules the handler enforces (the firmware must do the same):

- Every request is validated completely before anything is applied, so a refused request changes
  no state (no pulse, no register, no clock tick). DETAIL names the offending field (its index in
  the message) or, for arrays, the offending entry.
- Addresses outside the chip are BAD_ADDRESS; zero counts, unknown enum values, amplitudes off the
  DAC grid and register values outside the spec's min..max are BAD_ARGUMENT; amplitudes above the
  INFO maxima and widths outside [min_width, max_width] are LIMIT (pulses and policy registers).
- Optional operations (PROGRAM, MVM, ADVANCE_TIME, FAULT_INJECT) answer UNSUPPORTED unless the
  handler's capabilities include them.

`ChipServer` (`serve_tcp`) serves a handler on a loopback TCP port, one connection at a time, in a
background thread; hosts connect with pyserial's ``socket://127.0.0.1:<port>``. Line noise
(FAULT_INJECT LINE_NOISE) corrupts the bytes the server receives before they reach the decoder.

Demo: ``hil sim serve --port 5555`` then
``hil ... --backend serial:socket://127.0.0.1:5555``.
"""

from __future__ import annotations

import logging
import select
import socket
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType

import numpy as np

from firmware_interface.errors import CommandRejected
from firmware_interface.message import Message
from firmware_interface.protocol import (
    AMPLITUDE,
    CONDUCTANCE,
    CURRENT,
    REFERENCE_CHIP,
    REGISTERS,
    TEMPERATURE,
    TIME,
    WIDTH,
    AdvanceTimeRequest,
    AdvanceTimeResponse,
    Capability,
    ConfigRequest,
    ConfigResponse,
    FaultInjectRequest,
    FaultInjectResponse,
    FaultKind,
    InfoRequest,
    MvmRequest,
    MvmResponse,
    Polarity,
    ProgramRequest,
    ProgramResponse,
    ProgramResult,
    PulseRequest,
    PulseResponse,
    ReadRequest,
    ReadResponse,
    Register,
    RegisterValue,
)
from firmware_interface.responder import Responder, ResponderStats
from hil.backends.sim import SimChip
from hil.device.write_verify import IsppPolicy
from hil.errors import AddressError, HilError, LimitError, UnsupportedOperation

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

ALL_CAPABILITIES = (
    Capability.PROGRAM | Capability.MVM | Capability.ADVANCE_TIME | Capability.FAULT_INJECT
)
"""Every capability flag: what the simulated chip implements."""

READ_MAX_CELLS = ReadResponse.LAYOUT.array.max_count
"""Cells one READ response carries (512)."""
LINE_NOISE_FULL_SCALE = 1_000_000
"""LINE_NOISE VALUE meaning "every byte" (VALUE / 1e6 per byte)."""

_U16_MAX = 0xFFFF
_I32_MIN, _I32_MAX = -(2**31), 2**31 - 1
_REQUIRED_CAPABILITY: dict[type[Message], Capability] = {
    ProgramRequest: Capability.PROGRAM,
    MvmRequest: Capability.MVM,
    AdvanceTimeRequest: Capability.ADVANCE_TIME,
    FaultInjectRequest: Capability.FAULT_INJECT,
}
_AMPLITUDE_LIMITS = {
    Register.SET_V_START: "max_set_amplitude",
    Register.SET_V_STOP: "max_set_amplitude",
    Register.RESET_V_START: "max_reset_amplitude",
    Register.RESET_V_STOP: "max_reset_amplitude",
}
_WIDTH_REGISTERS = (Register.SET_WIDTH, Register.RESET_WIDTH)


def _reject(status: str, message: str, detail: int | None) -> CommandRejected:
    return CommandRejected(status, message, detail=detail)


@dataclass
class HandlerStats:
    """What a handler executed (requests refused with an error status are not counted here)."""

    executed: Counter[str] = field(default_factory=Counter)
    """Executed requests per opcode name."""
    refused: Counter[str] = field(default_factory=Counter)
    """Refused requests per status name."""
    pulse_cells: int = 0
    """Cells pulsed by PULSE requests (PROGRAM's own pulses are not counted)."""
    program_cells: int = 0
    corrupted_bytes: int = 0
    """Received bytes flipped by LINE_NOISE."""


class ProtocolChipHandler:
    """Executes protocol requests on a `SimChip`; a `Responder` handler (call it with a request).

    Args:
        chip: The simulated chip that does the work (its geometry and limits make INFO).
        capabilities: INFO capability flags; operations whose flag is missing answer UNSUPPORTED
            (e.g. ``Capability.PROGRAM | Capability.MVM`` behaves like a real board).
        chip_id: INFO chip id.
        noise_seed: Seed of the LINE_NOISE generator (separate from the chip's noise, so a noisy
            line never changes the device's random sequence).
    """

    def __init__(
        self,
        chip: SimChip,
        *,
        capabilities: int = ALL_CAPABILITIES,
        chip_id: int = REFERENCE_CHIP.chip_id,
        noise_seed: int = 0,
    ):
        self.chip = chip
        self.capabilities = Capability(capabilities)
        self.info = chip.info().to_info(chip_id=chip_id, capabilities=self.capabilities)
        self.registers: dict[Register, int] = {r: spec.reset for r, spec in REGISTERS.items()}
        self.chip.read_v_v = AMPLITUDE.from_code(self.registers[Register.READ_V])
        self.line_noise_ppm = 0
        """LINE_NOISE fault: received bytes corrupted per million."""
        self.stats = HandlerStats()
        self._noise_rng = np.random.default_rng(noise_seed)
        self._pristine_stuck: tuple[np.ndarray, np.ndarray] | None = None
        self._dispatch: dict[type[Message], Callable[[Message], Message]] = {
            InfoRequest: lambda _: self.info,
            ReadRequest: self._read,
            PulseRequest: self._pulse,
            ProgramRequest: self._program,
            MvmRequest: self._mvm,
            ConfigRequest: self._config,
            AdvanceTimeRequest: self._advance_time,
            FaultInjectRequest: self._fault_inject,
        }

    def __call__(self, request: Message) -> Message:
        """Execute one decoded request; raises CommandRejected to refuse it."""
        name = type(request).OPCODE.name
        try:
            needed = _REQUIRED_CAPABILITY.get(type(request))
            if needed is not None and not self.capabilities & needed:
                raise _reject("UNSUPPORTED", f"{name} is not a capability of this chip", None)
            try:
                reply = self._dispatch[type(request)](request)
            except AddressError as error:  # the chip's own checks, should ours have missed one
                raise _reject("BAD_ADDRESS", str(error), None) from error
            except LimitError as error:
                raise _reject("LIMIT", str(error), None) from error
            except UnsupportedOperation as error:
                raise _reject("UNSUPPORTED", str(error), None) from error
            except (ValueError, HilError) as error:
                raise _reject("BAD_ARGUMENT", str(error), None) from error
        except CommandRejected as error:
            self.stats.refused[error.status_name] += 1
            raise
        self.stats.executed[name] += 1
        return reply

    # --- line noise (called by the server on every received chunk) -------------------------

    def corrupt_received(self, data: bytes) -> bytes:
        """Apply the LINE_NOISE fault: flip one random bit in each byte with probability
        VALUE / 1e6."""
        if not self.line_noise_ppm or not data:
            return data
        buf = np.frombuffer(data, dtype=np.uint8).copy()
        hit = self._noise_rng.random(buf.size) < self.line_noise_ppm / LINE_NOISE_FULL_SCALE
        n = int(hit.sum())
        if n:
            buf[hit] ^= (1 << self._noise_rng.integers(0, 8, n)).astype(np.uint8)
            self.stats.corrupted_bytes += n
        return buf.tobytes()

    # --- operations -----------------------------------------------------------------------------

    def _check_block(self, row: int, col: int, n_rows: int, n_cols: int, fields: tuple) -> None:
        """BAD_ADDRESS naming the first field (by message index) that leaves the chip."""
        rows, cols = self.info.rows, self.info.cols
        f_row, f_col, f_n_rows, f_n_cols = fields
        if row >= rows:
            raise _reject("BAD_ADDRESS", f"row {row} outside 0..{rows - 1}", f_row)
        if col >= cols:
            raise _reject("BAD_ADDRESS", f"column {col} outside 0..{cols - 1}", f_col)
        if row + n_rows > rows:
            raise _reject("BAD_ADDRESS", f"rows {row}..{row + n_rows - 1} leave the chip", f_n_rows)
        if col + n_cols > cols:
            raise _reject(
                "BAD_ADDRESS", f"columns {col}..{col + n_cols - 1} leave the chip", f_n_cols
            )

    def _read(self, request: ReadRequest) -> ReadResponse:
        for index, name in ((2, "n_rows"), (3, "n_cols"), (4, "n_reads")):
            if getattr(request, name) < 1:
                raise _reject("BAD_ARGUMENT", f"READ {name} must be at least 1", index)
        if request.n_rows * request.n_cols > READ_MAX_CELLS:
            raise _reject(
                "BAD_ARGUMENT",
                f"READ of {request.n_rows} x {request.n_cols} cells exceeds {READ_MAX_CELLS}",
                3,
            )
        self._check_block(request.row, request.col, request.n_rows, request.n_cols, (0, 1, 2, 3))
        rows, cols = np.meshgrid(
            np.arange(request.row, request.row + request.n_rows),
            np.arange(request.col, request.col + request.n_cols),
            indexing="ij",
        )
        g_us = self.chip.read(rows, cols, n_reads=request.n_reads, n_discard=request.n_discard)
        return ReadResponse(g=tuple(_codes(g_us, CONDUCTANCE.lsb, 0, _U16_MAX).ravel().tolist()))

    def _pulse(self, request: PulseRequest) -> PulseResponse:
        info = self.info
        if request.n_cols < 1:
            raise _reject("BAD_ARGUMENT", "PULSE n_cols must be at least 1", 2)
        self._check_block(request.row, request.col, 1, request.n_cols, (0, 1, 0, 2))
        if info.dac_step and request.amplitude % info.dac_step:
            raise _reject(
                "BAD_ARGUMENT",
                f"amplitude code {request.amplitude} is not a multiple of the DAC step "
                f"{info.dac_step}",
                4,
            )
        is_set = request.polarity == Polarity.SET
        maximum = info.max_set_amplitude if is_set else info.max_reset_amplitude
        if request.amplitude > maximum:
            raise _reject("LIMIT", f"amplitude code {request.amplitude} above {maximum}", 4)
        if not info.min_width <= request.width <= info.max_width:
            raise _reject(
                "LIMIT",
                f"width code {request.width} outside {info.min_width}..{info.max_width}",
                5,
            )
        v = AMPLITUDE.from_code(request.amplitude) * (1 if is_set else -1)
        cols = np.arange(request.col, request.col + request.n_cols)
        self.chip.pulse(np.full(cols.shape, request.row), cols, v, WIDTH.from_code(request.width))
        self.stats.pulse_cells += request.n_cols
        return PulseResponse()

    def _program(self, request: ProgramRequest) -> ProgramResponse:
        if not request.entries:
            raise _reject("BAD_ARGUMENT", "PROGRAM needs at least one entry", 0)
        entries = np.array(request.entries, dtype=np.int64).reshape(-1, 4)
        rows, cols, target, tolerance = entries.T
        outside = (rows >= self.info.rows) | (cols >= self.info.cols)
        if outside.any():
            bad = int(np.flatnonzero(outside)[0])
            raise _reject("BAD_ADDRESS", f"PROGRAM entry {bad} lies outside the chip", bad)
        if (tolerance == 0).any():
            bad = int(np.flatnonzero(tolerance == 0)[0])
            raise _reject("BAD_ARGUMENT", f"PROGRAM entry {bad} has a zero tolerance", bad)
        outcome = self.chip.program(
            rows,
            cols,
            target * CONDUCTANCE.lsb,
            tolerance * CONDUCTANCE.lsb,
            IsppPolicy.from_registers(self.registers),
        )
        self.stats.program_cells += len(request.entries)
        g = _codes(outcome.g_us, CONDUCTANCE.lsb, 0, _U16_MAX).tolist()
        pulses = np.minimum(outcome.pulses, _U16_MAX).tolist()
        iterations = np.minimum(outcome.iterations, 0xFF).tolist()
        results = zip(g, pulses, outcome.outcome.tolist(), iterations, strict=True)
        return ProgramResponse(results=tuple(ProgramResult(*result) for result in results))

    def _mvm(self, request: MvmRequest) -> MvmResponse:
        if not request.col % 2 == 0:
            raise _reject("BAD_ARGUMENT", f"MVM column {request.col} must be even", 1)
        if request.n_pairs < 1:
            raise _reject("BAD_ARGUMENT", "MVM n_pairs must be at least 1", 2)
        if not request.inputs:
            raise _reject("BAD_ARGUMENT", "MVM needs at least one input", 3)
        n_rows = len(request.inputs)
        self._check_block(request.row, request.col, n_rows, 2 * request.n_pairs, (0, 1, 3, 2))
        v_in = np.asarray(request.inputs, dtype=np.float64) * AMPLITUDE.lsb
        v_max = self.chip.info().limits.v_read_max_v
        over = np.abs(v_in) > v_max
        if over.any():
            bad = int(np.flatnonzero(over)[0])
            raise _reject("LIMIT", f"MVM input {bad} beyond +-{v_max} V", bad)
        i_ua = self.chip.mvm(v_in, request.row, request.col, request.n_pairs)
        outputs = _codes(i_ua * 1e-6, CURRENT.lsb, _I32_MIN, _I32_MAX)
        return MvmResponse(outputs=tuple(outputs.tolist()))

    def _config(self, request: ConfigRequest) -> ConfigResponse:
        if request.write not in (0, 1):
            raise _reject("BAD_ARGUMENT", f"CONFIG write must be 0 or 1, got {request.write}", 0)
        writes: list[tuple[Register, int]] = []
        for index, (address, value) in enumerate(request.entries):
            try:
                register = Register(address)
            except ValueError:
                raise _reject("BAD_ADDRESS", f"no register at 0x{address:02X}", index) from None
            if request.write:
                self._check_register(index, register, value)
                writes.append((register, value))
        for register, value in writes:  # every write was checked: apply them all
            self.registers[register] = value
            if register == Register.NOISE_SEED:
                self.chip.array.rng = np.random.default_rng(value)
            elif register == Register.READ_V:
                self.chip.read_v_v = AMPLITUDE.from_code(value)
        return ConfigResponse(
            entries=tuple(
                RegisterValue(address, self.registers[Register(address)])
                for address, _ in request.entries
            )
        )

    def _check_register(self, index: int, register: Register, value: int) -> None:
        spec = REGISTERS[register]
        if not spec.min <= value <= spec.max:
            raise _reject(
                "BAD_ARGUMENT",
                f"{register.name} = {value} outside {spec.min}..{spec.max}",
                index,
            )
        if register in _AMPLITUDE_LIMITS:
            maximum = getattr(self.info, _AMPLITUDE_LIMITS[register])
            if value > maximum:
                raise _reject("LIMIT", f"{register.name} = {value} above {maximum}", index)
        if register in _WIDTH_REGISTERS and not (
            self.info.min_width <= value <= self.info.max_width
        ):
            raise _reject(
                "LIMIT",
                f"{register.name} = {value} outside {self.info.min_width}..{self.info.max_width}",
                index,
            )

    def _advance_time(self, request: AdvanceTimeRequest) -> AdvanceTimeResponse:
        temperature_k = TEMPERATURE.from_code(request.temperature) if request.temperature else None
        now_s = self.chip.advance_time(TIME.from_code(request.dt), temperature_k)
        return AdvanceTimeResponse(now=TIME.to_code(now_s))

    def _fault_inject(self, request: FaultInjectRequest) -> FaultInjectResponse:
        if request.kind == FaultKind.CLEAR:
            if self._pristine_stuck is not None:
                stuck, stuck_g = self._pristine_stuck
                self.chip.array.cells.stuck[:] = stuck
                self.chip.array.cells.stuck_g_us[:] = stuck_g
            self.line_noise_ppm = 0
        elif request.kind == FaultKind.STUCK_CELL:
            self._check_block(request.row, request.col, 1, 1, (1, 2, 1, 2))
            if request.value > _U16_MAX:
                raise _reject("BAD_ARGUMENT", "a stuck conductance is a u16 code", 3)
            if self._pristine_stuck is None:
                cells = self.chip.array.cells
                self._pristine_stuck = (cells.stuck.copy(), cells.stuck_g_us.copy())
            self.chip.inject_stuck(
                np.array([request.row]),
                np.array([request.col]),
                CONDUCTANCE.from_code(request.value),
            )
        elif request.kind == FaultKind.LINE_NOISE:
            if request.value > LINE_NOISE_FULL_SCALE:
                raise _reject("BAD_ARGUMENT", "LINE_NOISE value is per million (<= 1e6)", 3)
            self.line_noise_ppm = request.value
        return FaultInjectResponse()


def _codes(values: np.ndarray, lsb: float, lowest: int, highest: int) -> np.ndarray:
    """Nearest integer codes of physical values (round half to even, like `Unit.to_code`),
    saturated to the field's range."""
    codes = np.rint(np.asarray(values, dtype=np.float64) / lsb)
    return np.clip(codes, lowest, highest).astype(np.int64)


# --- the TCP server ------------------------------------------------------------------------------


class ChipServer:
    """Serves a handler on a TCP port, one connection after another, in a daemon thread.

    Hosts connect with pyserial (``serial.serial_for_url(server.url)``). Each connection gets a
    fresh `Responder` (decoder and replay cache); the handler, and so the chip, persists. Use as a
    context manager, or call `stop()`.

    Args:
        handler: The chip side (a `ProtocolChipHandler`, or any `Responder` handler).
        host: Interface to bind; loopback by default.
        port: TCP port; 0 picks a free one (see `port`).
        idle_s: Line idle time after which an incomplete frame is given up (the protocol's
            16-byte-time rule, in wall-clock time for a TCP "line").
        tx_noise: Test aid beyond the spec: probability per *sent* byte of a flipped bit, to
            exercise the host's recovery from corrupted responses (and the replay cache).
        seed: Seed of the `tx_noise` generator.
    """

    def __init__(
        self,
        handler: Callable[[Message], Message],
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        idle_s: float = 0.02,
        tx_noise: float = 0.0,
        seed: int = 0,
    ):
        self.handler = handler
        """The handler requests go to; may be replaced between requests (e.g. a "board swap")."""
        self.idle_s = idle_s
        self.tx_noise = tx_noise
        self.stats = ResponderStats()
        """Totals over all connections (executed, replayed, refused)."""
        self.connections = 0
        self._rng = np.random.default_rng(seed)
        self._listener = socket.create_server((host, port))
        self._listener.setblocking(False)
        self.host, self.port = self._listener.getsockname()[:2]
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"chip-server:{self.port}", daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        """The pyserial URL of this server."""
        return f"socket://{self.host}:{self.port}"

    def stop(self, timeout_s: float = 5.0) -> None:
        """Stop serving (closes the listener and any open connection)."""
        self._stop.set()
        self._thread.join(timeout=timeout_s)
        self._listener.close()

    def __enter__(self) -> ChipServer:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _run(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self._listener], [], [], 0.05)
            if not ready:
                continue
            try:
                conn, _ = self._listener.accept()
            except (BlockingIOError, OSError):
                continue
            self.connections += 1
            with conn:
                try:
                    self._serve(conn)
                except OSError as error:  # the host vanished mid-frame
                    log.debug("connection ended: %s", error)

    def _serve(self, conn: socket.socket) -> None:
        responder = Responder(lambda request: self.handler(request))
        try:
            while not self._stop.is_set():
                ready, _, _ = select.select([conn], [], [], self.idle_s)
                if ready:
                    data = conn.recv(65536)
                    if not data:
                        return  # the host closed the port
                    corrupt = getattr(self.handler, "corrupt_received", None)
                    out = responder.receive(corrupt(data) if corrupt else data)
                elif responder.decoder.pending:
                    out = responder.idle()
                else:
                    continue
                if out:
                    conn.sendall(self._damage(out))
        finally:
            for name in ("executed", "replayed", "refused"):
                total = getattr(self.stats, name) + getattr(responder.stats, name)
                setattr(self.stats, name, total)

    def _damage(self, data: bytes) -> bytes:
        if not self.tx_noise:
            return data
        buf = np.frombuffer(data, dtype=np.uint8).copy()
        hit = self._rng.random(buf.size) < self.tx_noise
        buf[hit] ^= (1 << self._rng.integers(0, 8, int(hit.sum()))).astype(np.uint8)
        return buf.tobytes()


def serve_tcp(
    chip: SimChip | Callable[[Message], Message],
    host: str = "127.0.0.1",
    port: int = 0,
    **options: float,
) -> ChipServer:
    """Serve a simulated chip (or a ready handler) over TCP; returns the running `ChipServer`,
    whose `port` is the bound port and `url` the pyserial URL. Stop it with `stop()`."""
    handler = ProtocolChipHandler(chip) if isinstance(chip, SimChip) else chip
    return ChipServer(handler, host, port, **options)
