"""`SerialBoardChip`: the Chip interface over a serial line speaking the wire protocol.

The board may be a real test board (``/dev/ttyUSB0``), the RTL chip behind a bridge, or the Python
protocol simulator (`hil.backends.protocol_chip`, over ``socket://``): anything pyserial opens, or
any object with pyserial's ``write``/``read``/``in_waiting``. Capabilities and limits come from the
board's INFO, so the base class refuses out-of-range requests and unsupported operations before a
byte is sent.

Batching (each rule is the fewest frames the protocol allows for the request):

- READ: the requested cells (deduplicated) are cut into row runs of consecutive columns; runs of
  equal column span on consecutive rows merge into rectangles, each at most 512 cells (one READ
  response); a run longer than 512 is split. A whole 64 x 128 array is 16 frames.
- PULSE: cells sorted by (row, column) are cut into row segments of consecutive columns with equal
  polarity, amplitude code and width code; one frame per segment. A row pulsed with one amplitude
  is one frame; cells with per-cell amplitudes cost a frame each.
- PROGRAM: at most 128 entries per frame, in request order, after one CONFIG frame that writes the
  policy registers that differ from what the board last confirmed (all of them the first time).
- MVM: one frame per input vector and per 256 column pairs.
- ADVANCE_TIME carries SET_TEMPERATURE too (dt = 0 and the temperature).

Chip errors become the host library's errors (`BoardAddressError` is an `AddressError`,
`BoardLimitError` a `LimitError`, `BoardUnsupported` an `UnsupportedOperation`; other statuses are
`BoardError`); a port that cannot be opened is `BoardUnavailable` (a `BackendUnavailable`), and a
board that stays silent or sends garbage after all retries is `BoardLinkError`. Messages are one
line and name the opcode, the status and the offending cell or field.

`stats` counts frames, round trips (attempts, including retries) and bytes per opcode, for the
protocol benchmark.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import serial

from firmware_interface.codec import DecoderStats
from firmware_interface.errors import ChipError, LinkError, ProtocolError
from firmware_interface.link import ProtocolClient, SerialLike
from firmware_interface.message import Message
from firmware_interface.protocol import (
    AMPLITUDE,
    CONDUCTANCE,
    CURRENT,
    TEMPERATURE,
    TIME,
    VERSION_MAJOR,
    VERSION_MINOR,
    WIDTH,
    AdvanceTimeRequest,
    ConfigRequest,
    FaultInjectRequest,
    FaultKind,
    InfoRequest,
    InfoResponse,
    MvmRequest,
    Opcode,
    Polarity,
    ProgramRequest,
    ProgramResult,
    PulseRequest,
    ReadRequest,
    ReadResponse,
    Register,
    Status,
)
from hil.backends import BackendUnavailable
from hil.chip import Chip, ChipCapabilities, Operation, ProgramOutcome
from hil.device.write_verify import IsppPolicy
from hil.errors import AddressError, HilError, LimitError, UnsupportedOperation

READ_MAX_CELLS = ReadResponse.LAYOUT.array.max_count
"""Cells per READ frame (512)."""
PROGRAM_MAX_ENTRIES = ProgramRequest.LAYOUT.array.max_count
"""Entries per PROGRAM frame (128)."""
MVM_MAX_INPUTS = MvmRequest.LAYOUT.array.max_count
"""Row inputs per MVM frame (256); also the most column pairs per frame."""
SIMULATOR_TIMEOUT_S = 30.0
"""Response timeout for boards behind ``socket://`` (simulators): the RTL chip under Verilator
runs at about 1/500 of real time (hil/rtl, benchmarks/RESULTS.md "rtl"), so one PROGRAM frame of
128 cells can take seconds of wall time; the 1 s default would resend it."""
_U8_MAX, _U16_MAX, _U64_MAX = 0xFF, 0xFFFF, 2**64 - 1

_STATUS_HINTS = {
    Status.BAD_LENGTH: "the board and the host disagree on the message layout (protocol version?)",
    Status.UNKNOWN_OPCODE: "the board's firmware does not know this opcode",
    Status.BAD_ADDRESS: "the board is smaller than its INFO said, or the address is wrong",
    Status.BAD_ARGUMENT: "a field value is invalid for the board",
    Status.UNSUPPORTED: "the board does not implement this operation",
    Status.LIMIT: "a safety limit of the board refused it; nothing was applied",
    Status.INTERNAL: "the board failed internally; re-read the array before trusting it",
}


# --- errors -------------------------------------------------------------------------------------


class BoardError(HilError):
    """The serial board refused a request or could not be reached."""

    def __init__(
        self,
        message: str,
        *,
        opcode: str | None = None,
        status: str | None = None,
        detail: int | None = None,
    ):
        super().__init__(message)
        self.opcode = opcode
        self.status = status
        """The board's status name, or None when no valid answer came back."""
        self.detail = detail


class BoardAddressError(BoardError, AddressError):
    """The board answered BAD_ADDRESS."""


class BoardLimitError(BoardError, LimitError):
    """The board answered LIMIT (nothing was applied)."""


class BoardUnsupported(BoardError, UnsupportedOperation):
    """The board answered UNSUPPORTED."""


class BoardLinkError(BoardError):
    """No valid response after all retries: a silent, disconnected or garbling line."""


class BoardUnavailable(BoardError, BackendUnavailable):
    """The serial port could not be opened."""


_ERROR_BY_STATUS: dict[str, type[BoardError]] = {
    "BAD_ADDRESS": BoardAddressError,
    "LIMIT": BoardLimitError,
    "UNSUPPORTED": BoardUnsupported,
}


# --- statistics ---------------------------------------------------------------------------------


@dataclass
class OpcodeStats:
    requests: int = 0
    """Distinct requests (frames the host meant to send)."""
    round_trips: int = 0
    """Attempts: requests plus retries."""
    bytes_sent: int = 0
    bytes_received: int = 0


@dataclass
class WireStats:
    """Traffic of a `SerialBoardChip`, per opcode name."""

    by_opcode: dict[str, OpcodeStats] = field(default_factory=dict)

    def __getitem__(self, opcode: str) -> OpcodeStats:
        return self.by_opcode.get(opcode, OpcodeStats())

    @property
    def requests(self) -> int:
        return sum(s.requests for s in self.by_opcode.values())

    @property
    def round_trips(self) -> int:
        return sum(s.round_trips for s in self.by_opcode.values())

    @property
    def bytes_sent(self) -> int:
        return sum(s.bytes_sent for s in self.by_opcode.values())

    @property
    def bytes_received(self) -> int:
        return sum(s.bytes_received for s in self.by_opcode.values())

    def reset(self) -> None:
        self.by_opcode.clear()


class _CountingPort:
    """Wraps a serial-like port and counts the bytes through it."""

    def __init__(self, port: SerialLike):
        self.port = port
        self.sent = 0
        self.received = 0

    def write(self, data: bytes, /) -> int | None:
        self.sent += len(data)
        return self.port.write(data)

    def read(self, size: int = 1, /) -> bytes:
        data = self.port.read(size)
        self.received += len(data)
        return data

    @property
    def in_waiting(self) -> int:
        return self.port.in_waiting


# --- the chip -----------------------------------------------------------------------------------


class SerialBoardChip(Chip):
    """A chip on a serial line (real board, RTL bridge or protocol simulator).

    Args:
        port: A pyserial URL or device path (``socket://127.0.0.1:5555``, ``/dev/ttyUSB0``,
            ``loop://``), or an open serial-like object (closed by `close()` only if
            `own_port`).
        baudrate: Line speed for real ports (ignored by ``socket://``).
        timeout_s: Wait for one response before resending the frame.
        retries: Resends after the first attempt before giving up (`BoardLinkError`).
        poll_s: pyserial read timeout. An empty read counts as an idle line and gives up a
            partly received frame, so keep it above the USB-serial adapter's latency timer
            (FTDI: 16 ms); it adds no latency while bytes flow.
        own_port: Close an object passed as `port` on `close()` (URLs are always owned).
        clock: Seconds for the response timeout (`time.monotonic`; the in-process RTL bridge
            passes its simulated clock so that timeouts are deterministic).
    """

    def __init__(
        self,
        port: str | SerialLike,
        *,
        baudrate: int = 115200,
        timeout_s: float = 1.0,
        retries: int = 3,
        poll_s: float = 0.05,
        own_port: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ):
        if isinstance(port, str):
            self.url = port
            try:
                raw = serial.serial_for_url(port, baudrate=baudrate, timeout=poll_s)
            except (serial.SerialException, OSError, ValueError) as error:
                reason = " ".join(str(error).split())
                raise BoardUnavailable(
                    f"cannot open the serial board at {port!r}: {reason}; check the device path "
                    "or URL (e.g. /dev/ttyUSB0, socket://host:port) and that nothing else holds it"
                ) from None
            own_port = True
        else:
            raw = port
            self.url = str(getattr(port, "name", None) or getattr(port, "port", None) or port)
        self._raw = raw
        self._own_port = own_port
        self._closed = False
        self._port = _CountingPort(raw)
        self.client = ProtocolClient(self._port, timeout_s=timeout_s, retries=retries, clock=clock)
        self.stats = WireStats()
        self._registers: dict[Register, int] = {}
        """Register values the board last confirmed (CONFIG read-back)."""
        try:
            reset = getattr(raw, "reset_input_buffer", None)
            if reset is not None:
                reset()  # stale bytes of an earlier session
            info = self.request(InfoRequest())
            if info.protocol_major != VERSION_MAJOR:
                raise BoardError(
                    f"the board at {self.url} speaks protocol {info.protocol_major}."
                    f"{info.protocol_minor}, this host {VERSION_MAJOR}.{VERSION_MINOR}",
                    opcode="INFO",
                )
        except BaseException:
            self.close()
            raise
        self.board_info: InfoResponse = info
        """The board's INFO response as received."""
        self._info = ChipCapabilities.from_info(info, backend="serial")

    def __repr__(self) -> str:
        info = self._info
        return f"SerialBoardChip({self.url!r}, {info.rows} x {info.cols}, chip {info.chip_id})"

    def info(self) -> ChipCapabilities:
        return self._info

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._own_port:
            close = getattr(self._raw, "close", None)
            if close is not None:
                close()

    def time_s(self) -> float:
        """Virtual time on boards with ADVANCE_TIME (one round trip), else the host's clock."""
        if not self._info.virtual_time:
            return super().time_s()
        return TIME.from_code(self.request(AdvanceTimeRequest(dt=0, temperature=0)).now)

    # --- simulator-only faults (FAULT_INJECT) -------------------------------------------------

    def inject_stuck(self, rows: np.ndarray, cols: np.ndarray, g_us: np.ndarray | float) -> None:
        """Pin cells at a conductance (one FAULT_INJECT frame per cell)."""
        self._require(Operation.FAULT_INJECT)
        r, c = self._cells(rows, cols)
        g = np.broadcast_to(np.asarray(g_us, dtype=np.float64), r.shape).ravel()
        codes = _wire_codes(g, CONDUCTANCE.lsb, "stuck conductance", "uS", 0, _U16_MAX)
        for row, col, code in zip(r.ravel().tolist(), c.ravel().tolist(), codes, strict=True):
            self.request(FaultInjectRequest(FaultKind.STUCK_CELL, row, col, code))

    def inject_line_noise(self, probability: float) -> None:
        """Make the board corrupt each received byte with `probability` (one bit flipped)."""
        self._require(Operation.FAULT_INJECT)
        if not 0 <= probability <= 1:
            raise ValueError(f"line-noise probability must be in [0, 1], got {probability}")
        self.request(FaultInjectRequest(FaultKind.LINE_NOISE, 0, 0, round(probability * 1e6)))

    def clear_faults(self) -> None:
        """Remove every injected fault."""
        self._require(Operation.FAULT_INJECT)
        self.request(FaultInjectRequest(FaultKind.CLEAR, 0, 0, 0))

    # --- backend hooks --------------------------------------------------------------------------

    def _read(self, rows: np.ndarray, cols: np.ndarray, n_reads: int, n_discard: int) -> np.ndarray:
        if n_reads > _U8_MAX or n_discard > _U8_MAX:
            raise ValueError(f"a READ frame carries n_reads and n_discard up to {_U8_MAX}")
        n_cols = self._info.cols
        unique, inverse = np.unique(rows.astype(np.int64) * n_cols + cols, return_inverse=True)
        g_codes = np.empty(unique.size, dtype=np.int64)
        position = 0
        for row, col, n_block_rows, n_block_cols in read_blocks(unique, n_cols):
            request = ReadRequest(row, col, n_block_rows, n_block_cols, n_reads, n_discard)
            reply = self.request(request)
            size = n_block_rows * n_block_cols
            if len(reply.g) != size:
                raise self._malformed(request, f"{len(reply.g)} conductances for {size} cells")
            g_codes[position : position + size] = reply.g
            position += size
        return g_codes[inverse.ravel()] * CONDUCTANCE.lsb

    def _pulse(
        self, rows: np.ndarray, cols: np.ndarray, v: np.ndarray, width_s: np.ndarray
    ) -> None:
        n = rows.size
        v = np.broadcast_to(v, (n,))
        polarity = np.where(v < 0, Polarity.RESET, Polarity.SET).astype(np.int64)
        amplitude = np.rint(np.abs(v) / AMPLITUDE.lsb).astype(np.int64)
        width = np.rint(np.broadcast_to(width_s, (n,)) / WIDTH.lsb).astype(np.int64)
        for segment in pulse_segments(rows, cols, polarity, amplitude, width):
            row, col, n_cols, pol, amp, wid = segment
            self.request(PulseRequest(row, col, n_cols, Polarity(pol), amp, wid))

    def _program(
        self,
        rows: np.ndarray,
        cols: np.ndarray,
        target_us: np.ndarray,
        tolerance_us: np.ndarray,
        policy: IsppPolicy,
    ) -> ProgramOutcome:
        target = _wire_codes(target_us, CONDUCTANCE.lsb, "target", "uS", 0, _U16_MAX)
        tolerance = np.minimum(np.rint(tolerance_us / CONDUCTANCE.lsb), _U16_MAX).astype(np.int64)
        if (tolerance < 1).any():
            raise ValueError(
                f"tolerances below {CONDUCTANCE.lsb / 2} uS round to 0 on the wire "
                f"({CONDUCTANCE.lsb} uS per code)"
            )
        self._write_registers(policy.registers())
        n = rows.size
        entries = list(zip(rows.tolist(), cols.tolist(), target, tolerance.tolist(), strict=True))
        results: list[ProgramResult] = []
        for start in range(0, n, PROGRAM_MAX_ENTRIES):
            request = ProgramRequest(entries=tuple(entries[start : start + PROGRAM_MAX_ENTRIES]))
            reply = self.request(request)
            if len(reply.results) != len(request.entries):
                raise self._malformed(
                    request, f"{len(reply.results)} results for {len(request.entries)} entries"
                )
            results.extend(reply.results)
        table = np.array(results, dtype=np.int64).reshape(n, len(ProgramResult._fields))
        column = dict(zip(ProgramResult._fields, table.T, strict=True))
        return ProgramOutcome(
            rows,
            cols,
            target_us,
            column["g"] * CONDUCTANCE.lsb,
            column["pulses"],
            column["outcome"].astype(np.uint8),
            column["iterations"],
        )

    def _mvm(self, v_in: np.ndarray, row: int, col: int, n_pairs: int) -> np.ndarray:
        n_rows = v_in.shape[-1]
        if n_rows > MVM_MAX_INPUTS:
            raise LimitError(f"an MVM frame drives at most {MVM_MAX_INPUTS} rows, got {n_rows}")
        vectors = np.rint(v_in.reshape(-1, n_rows) / AMPLITUDE.lsb).astype(np.int64)
        out = np.empty((vectors.shape[0], n_pairs), dtype=np.float64)
        for index, vector in enumerate(vectors):
            inputs = tuple(vector.tolist())
            for first in range(0, n_pairs, MVM_MAX_INPUTS):
                count = min(MVM_MAX_INPUTS, n_pairs - first)
                request = MvmRequest(row, col + 2 * first, count, inputs)
                reply = self.request(request)
                if len(reply.outputs) != count:
                    raise self._malformed(request, f"{len(reply.outputs)} outputs for {count}")
                out[index, first : first + count] = reply.outputs
        return (out * (CURRENT.lsb * 1e6)).reshape(*v_in.shape[:-1], n_pairs)

    def _advance_time(self, dt_s: float, temperature_k: float | None) -> float:
        dt = TIME.to_code(dt_s)
        if dt > _U64_MAX:
            raise ValueError(f"dt_s = {dt_s} s does not fit the protocol's u64 microseconds")
        temperature = 0 if temperature_k is None else self._temperature_code(temperature_k)
        reply = self.request(AdvanceTimeRequest(dt=dt, temperature=temperature))
        return TIME.from_code(reply.now)

    def _set_temperature(self, temperature_k: float) -> None:
        temperature = self._temperature_code(temperature_k)
        self.request(AdvanceTimeRequest(dt=0, temperature=temperature))

    # --- helpers --------------------------------------------------------------------------------

    @staticmethod
    def _temperature_code(temperature_k: float) -> int:
        code = TEMPERATURE.to_code(temperature_k)
        if not 1 <= code <= _U16_MAX:
            raise ValueError(
                f"temperature {temperature_k} K is outside the protocol's range "
                f"{TEMPERATURE.lsb}..{TEMPERATURE.from_code(_U16_MAX)} K"
            )
        return code

    def _write_registers(self, wanted: dict[Register, int]) -> None:
        """One CONFIG frame with the registers that differ from the board's confirmed values."""
        changed = {r: v for r, v in wanted.items() if self._registers.get(r) != v}
        if not changed:
            return
        request = ConfigRequest(write=1, entries=tuple(changed.items()))
        reply = self.request(request)
        readback = {Register(address): value for address, value in reply.entries}
        wrong = {r.name: readback.get(r) for r, v in changed.items() if readback.get(r) != v}
        if wrong:
            self._registers.clear()
            raise BoardError(
                f"CONFIG read-back from the board at {self.url} differs from what was written: "
                f"{wrong} (wrote { ({r.name: v for r, v in changed.items()}) })",
                opcode="CONFIG",
            )
        self._registers.update(readback)

    def request(self, message: Message) -> Message:
        """Send one protocol request and return its response body: raw access for diagnostics and
        simulator-only requests, counted in `stats` and with errors translated like every
        operation's (`BoardError` and its subclasses)."""
        opcode = Opcode(message.OPCODE).name
        stats = self.stats.by_opcode.setdefault(opcode, OpcodeStats())
        port, link = self._port, self.client.stats
        sent, received, retries = port.sent, port.received, link.retries
        decoder = _snapshot(self.client.decoder.stats)
        try:
            return self.client.request(message)
        except ChipError as error:
            raise self._chip_error(message, error) from None
        except LinkError as error:
            raise self._link_error(opcode, error, decoder, port.received - received) from None
        except ProtocolError as error:  # an OK response that does not decode
            raise self._malformed(message, str(error)) from None
        except (serial.SerialException, OSError) as error:
            raise BoardLinkError(
                f"{opcode}: the serial port {self.url} failed: {error}", opcode=opcode
            ) from None
        finally:
            stats.requests += 1
            stats.round_trips += 1 + link.retries - retries
            stats.bytes_sent += port.sent - sent
            stats.bytes_received += port.received - received

    def _chip_error(self, message: Message, error: ChipError) -> BoardError:
        status = Status[error.status_name]
        where = _describe_detail(message, status, error.detail)
        hint = _STATUS_HINTS.get(status, "")
        cls = _ERROR_BY_STATUS.get(error.status_name, BoardError)
        return cls(
            f"{error.opcode_name} refused by the board at {self.url}: {error.status_name}"
            f"{where}; {hint}",
            opcode=error.opcode_name,
            status=error.status_name,
            detail=error.detail,
        )

    def _link_error(
        self, opcode: str, error: LinkError, before: DecoderStats, received: int
    ) -> BoardLinkError:
        after = self.client.decoder.stats
        frames = after.frames - before.frames
        damaged = (
            after.header_errors
            - before.header_errors
            + after.crc_errors
            - before.crc_errors
            + after.length_errors
            - before.length_errors
            + after.truncated
            - before.truncated
        )
        garbage = after.garbage_bytes - before.garbage_bytes
        attempts = self.client.retries + 1
        wait = f"{attempts} attempts of {self.client.timeout_s:g} s"
        if received == 0:
            problem = (
                f"no answer from the board at {self.url} to {opcode} ({wait}); is it powered, "
                "connected, at the right baud rate, and is this the right port?"
            )
        elif frames and not garbage and not damaged:
            problem = (
                f"the line at {self.url} only echoes requests back, no board answers {opcode} "
                f"({wait}, {frames} foreign frames); is the board connected (and local echo off)?"
            )
        else:
            problem = (
                f"the board at {self.url} sends garbage: no valid {opcode} response in {wait} "
                f"({received} bytes received, {garbage} unframed, {damaged} damaged frames); "
                "check the baud rate, cabling and grounding"
            )
        return BoardLinkError(problem, opcode=opcode)

    def _malformed(self, message: Message, problem: str) -> BoardError:
        opcode = Opcode(message.OPCODE).name
        return BoardError(
            f"{opcode}: malformed response from the board at {self.url}: {problem}",
            opcode=opcode,
        )


# --- batching rules (pure functions, tested on their own) ---------------------------------------


def read_blocks(
    cells: np.ndarray, n_cols: int, max_cells: int = READ_MAX_CELLS
) -> Iterator[tuple[int, int, int, int]]:
    """READ blocks (row, col, n_rows, n_cols) covering sorted unique flat cells ``row * n_cols +
    col`` exactly, in order (the blocks' cells, row-major, concatenate to `cells`)."""
    rows, cols = np.divmod(np.asarray(cells, dtype=np.int64), n_cols)
    breaks = np.flatnonzero((np.diff(rows) != 0) | (np.diff(cols) != 1)) + 1
    starts = np.concatenate([[0], breaks]).tolist()
    ends = np.concatenate([breaks, [rows.size]]).tolist()
    block: list[int] | None = None  # [row, col, n_rows, n_cols]
    for start, end in zip(starts, ends, strict=True):
        row, col, length = int(rows[start]), int(cols[start]), end - start
        if length > max_cells:  # a run longer than a frame: whole frames of it, then the rest
            if block:
                yield tuple(block)
                block = None
            for offset in range(0, length, max_cells):
                yield row, col + offset, 1, min(max_cells, length - offset)
            continue
        if (
            block is not None
            and block[1] == col
            and block[3] == length
            and block[0] + block[2] == row
            and (block[2] + 1) * length <= max_cells
        ):
            block[2] += 1
            continue
        if block:
            yield tuple(block)
        block = [row, col, 1, length]
    if block:
        yield tuple(block)


def pulse_segments(
    rows: np.ndarray,
    cols: np.ndarray,
    polarity: np.ndarray,
    amplitude: np.ndarray,
    width: np.ndarray,
) -> Iterator[tuple[int, int, int, int, int, int]]:
    """PULSE frames (row, col, n_cols, polarity, amplitude, width): cells sorted by (row,
    column), cut wherever the row changes, a column is skipped or the pulse parameters change."""
    order = np.lexsort((cols, rows))
    r, c = rows[order], cols[order]
    p, a, w = polarity[order], amplitude[order], width[order]
    cut = (np.diff(r) != 0) | (np.diff(c) != 1)
    cut |= (np.diff(p) != 0) | (np.diff(a) != 0) | (np.diff(w) != 0)
    breaks = np.flatnonzero(cut) + 1
    starts = np.concatenate([[0], breaks])
    lengths = np.diff(np.concatenate([starts, [r.size]]))
    columns = (r[starts], c[starts], lengths, p[starts], a[starts], w[starts])
    yield from zip(*(x.tolist() for x in columns), strict=True)


def _wire_codes(
    values: np.ndarray, lsb: float, what: str, unit: str, lowest: int, highest: int
) -> list[int]:
    codes = np.rint(np.asarray(values, dtype=np.float64) / lsb)
    if codes.size and (codes.min() < lowest or codes.max() > highest):
        raise ValueError(
            f"{what}s must lie in {lowest * lsb:g}..{highest * lsb:g} {unit} to fit the protocol, "
            f"got {np.min(values):g}..{np.max(values):g} {unit}"
        )
    return codes.astype(np.int64).tolist()


def _snapshot(stats: DecoderStats) -> DecoderStats:
    return DecoderStats(**vars(stats))


def _describe_detail(message: Message, status: Status, detail: int | None) -> str:
    """Name what DETAIL points at: an array entry (with its cell or register) or a field."""
    if detail is None:
        return ""
    layout = message.LAYOUT
    entries = getattr(message, layout.array.name) if layout.array is not None else ()
    if isinstance(message, ProgramRequest) and detail < len(entries):
        entry = entries[detail]
        return f" at entry {detail} (cell row {entry.row}, column {entry.col})"
    if isinstance(message, ConfigRequest) and detail < len(entries):
        address = entries[detail].address
        name = Register(address).name if address in set(Register) else f"0x{address:02X}"
        return f" at entry {detail} (register {name} = {entries[detail].value})"
    if isinstance(message, MvmRequest) and status == Status.LIMIT and detail < len(entries):
        return f" at input {detail} ({AMPLITUDE.from_code(entries[detail]):g} V)"
    if detail < len(layout.scalars):
        name = layout.scalars[detail].name
        return f" in field {name} = {getattr(message, name)}"
    return f" (detail {detail})"
