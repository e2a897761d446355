"""The bench TOML file: instrument addresses, array wiring through the matrix, biasing, limits.

    [visa]
    library = "@model"          # "" system VISA, "x.yaml@sim" pyvisa-sim, "@model" device model
    timeout_ms = 2000

    [instruments.smu]           # required: reads (and pulses unless a pulser is named)
    driver = "keithley2450"     # keithley2400 | keithley2450 | keysight_b2900
    address = "USB0::0x05E6::0x2450::04412345::INSTR"
    [instruments.matrix]        # required: keithley707b | keithley708b
    [instruments.bias]          # optional SMU (channel) on the bias bus: V/2 for "half" biasing
    [instruments.pulser]        # optional keysight33500b for pulses shorter than the SMU's

    [buses]                     # which matrix row each source is wired to
    smu = "A"
    ground = "B"
    bias = "C"                  # optional
    pulser = "D"                # optional

    [array]                     # array rows (word lines) and columns (bit lines) -> matrix columns
    word_lines = { slot = 1, columns = [1, 2, 3, 4] }
    bit_lines = { slot = 1, columns = [5, 6, 7, 8] }

    [biasing]                   # unselected lines: "float" (open), "ground", "half" (V/2)
    read = "float"
    pulse = "half"
    pulse_source = "smu"        # or "pulser"

    [limits]
    v_set_max_v = 2.5
    v_reset_max_v = 2.5
    v_read_v = 0.2
    read_compliance_a = 1e-4
    pulse_compliance_a = 1e-3
    v_form_max_v = 4.0          # optional: forming ramps may go above the SET limit

    [model]                     # only for library = "@model": the simulated crossbar
    seed = 0                    # also preset, initial_g_us, iv_nonlinear, v_form_v, ...

Biasing (see hil/instruments/README.md): the selected word line is on the source's bus, the
selected bit line on the ground bus; every other line is left open ("float"), tied to the ground
bus ("ground") or to the bias bus, which the bias SMU holds at half the applied voltage ("half").
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hil.instruments.errors import BenchConfigError
from hil.instruments.switch_matrix import MATRIX_COLUMNS, MATRIX_ROWS, channel_name

SMU_DRIVERS = ("keithley2400", "keithley2450", "keysight_b2900")
MATRIX_DRIVERS = ("keithley707b", "keithley708b")
PULSER_DRIVERS = ("keysight33500b",)
SCHEMES = ("float", "ground", "half")
BUS_ROLES = ("smu", "ground", "bias", "pulser")


@dataclass(frozen=True)
class InstrumentEntry:
    driver: str
    address: str
    channel: int = 1


@dataclass(frozen=True)
class BenchLimits:
    """Bench-wide safety limits, enforced in software before any command is sent."""

    v_set_max_v: float
    v_reset_max_v: float
    v_read_v: float
    """Read voltage, V (DM6.4 reads at 0.2 V)."""
    read_compliance_a: float
    pulse_compliance_a: float
    v_form_max_v: float | None = None
    """Highest forming-ramp voltage, V (forming needs more than SET; default: the SET limit)."""

    @property
    def v_max_v(self) -> float:
        return max(self.v_set_max_v, self.v_reset_max_v, self.v_read_v, self.v_form_max_v or 0)


@dataclass(frozen=True)
class BenchConfig:
    """A parsed, checked bench TOML file."""

    path: Path
    visa_library: str
    timeout_ms: int
    smu: InstrumentEntry
    matrix: InstrumentEntry
    bias: InstrumentEntry | None
    pulser: InstrumentEntry | None
    buses: dict[str, str]
    word_lines: tuple[tuple[int, int], ...]
    """(slot, matrix column) of each array row."""
    bit_lines: tuple[tuple[int, int], ...]
    read_bias: str
    pulse_bias: str
    pulse_source: str
    limits: BenchLimits
    model: dict[str, Any] = field(default_factory=dict)
    """The [model] table: settings of the simulated crossbar behind `library = "@model"`."""

    @property
    def rows(self) -> int:
        return len(self.word_lines)

    @property
    def cols(self) -> int:
        return len(self.bit_lines)

    def channel(self, bus: str, line: tuple[int, int]) -> str:
        """The crosspoint joining a bus role's matrix row to an array line."""
        slot, column = line
        return channel_name(slot, self.buses[bus], column)

    def crosspoints(self, row: int, col: int, source: str, scheme: str) -> list[str]:
        """Crosspoints to close so that `source` drives cell (row, col) under `scheme`."""
        channels = [
            self.channel(source, self.word_lines[row]),
            self.channel("ground", self.bit_lines[col]),
        ]
        if scheme != "float":
            bus = "ground" if scheme == "ground" else "bias"
            others = [w for i, w in enumerate(self.word_lines) if i != row]
            others += [b for j, b in enumerate(self.bit_lines) if j != col]
            channels += [self.channel(bus, line) for line in others]
        return channels

    def settings(self) -> dict[str, Any]:
        """The record stored as the measurement file's `instrument_settings`."""
        entries = {
            role: vars(entry)
            for role, entry in (
                ("smu", self.smu),
                ("matrix", self.matrix),
                ("bias", self.bias),
                ("pulser", self.pulser),
            )
            if entry is not None
        }
        return {
            "bench_file": str(self.path),
            "visa_library": self.visa_library,
            "instruments": entries,
            "buses": self.buses,
            "word_lines": [list(x) for x in self.word_lines],
            "bit_lines": [list(x) for x in self.bit_lines],
            "biasing": {
                "read": self.read_bias,
                "pulse": self.pulse_bias,
                "pulse_source": self.pulse_source,
            },
            "limits": vars(self.limits),
            "model": self.model,
        }


def load_bench(path: str | Path) -> BenchConfig:
    """Parse and check a bench TOML file; errors name the file and the offending key."""
    path = Path(path)
    if not path.is_file():
        raise BenchConfigError(f"bench file {path} does not exist")
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as error:
        raise BenchConfigError(f"{path}: not valid TOML ({error})") from None
    return _parse(path, data)


def _parse(path: Path, data: dict[str, Any]) -> BenchConfig:
    where = str(path)
    _keys(where, data, {"visa", "instruments", "buses", "array", "biasing", "limits", "model"})
    visa = _table(where, data, "visa")
    instruments = _table(where, data, "instruments")
    _keys(f"{where} [instruments]", instruments, set(BUS_ROLES) | {"matrix"})
    smu = _instrument(where, instruments, "smu", SMU_DRIVERS, required=True)
    matrix = _instrument(where, instruments, "matrix", MATRIX_DRIVERS, required=True)
    bias = _instrument(where, instruments, "bias", SMU_DRIVERS, required=False)
    pulser = _instrument(where, instruments, "pulser", PULSER_DRIVERS, required=False)
    assert smu is not None and matrix is not None
    buses = {str(k): str(v) for k, v in _table(where, data, "buses").items()}
    _keys(f"{where} [buses]", buses, set(BUS_ROLES))
    for role in ("smu", "ground"):
        if role not in buses:
            raise BenchConfigError(f"{where}: [buses] needs '{role}' (a matrix row A-H)")
    if any(row not in MATRIX_ROWS or len(row) != 1 for row in buses.values()):
        raise BenchConfigError(f"{where}: [buses] rows must be letters A-H, got {buses}")
    if len(set(buses.values())) != len(buses):
        raise BenchConfigError(f"{where}: [buses] wires two sources to one matrix row: {buses}")
    array = _table(where, data, "array")
    slots = 1 if matrix.driver == "keithley708b" else 6
    word_lines = _lines(where, array, "word_lines", slots)
    bit_lines = _lines(where, array, "bit_lines", slots)
    if len(set(word_lines + bit_lines)) != len(word_lines) + len(bit_lines):
        raise BenchConfigError(f"{where}: [array] wires two lines to one matrix column")
    biasing = _table(where, data, "biasing")
    read_bias = _choice(where, biasing, "read", SCHEMES, "float")
    pulse_bias = _choice(where, biasing, "pulse", SCHEMES, "half")
    pulse_source = _choice(where, biasing, "pulse_source", ("smu", "pulser"), "smu")
    if "half" in (read_bias, pulse_bias) and (bias is None or "bias" not in buses):
        raise BenchConfigError(
            f"{where}: 'half' biasing needs [instruments.bias] and a 'bias' row in [buses]"
        )
    if pulse_source == "pulser" and (pulser is None or "pulser" not in buses):
        raise BenchConfigError(
            f"{where}: pulse_source = 'pulser' needs [instruments.pulser] and a 'pulser' bus"
        )
    limits_table = _table(where, data, "limits")
    try:
        limits = BenchLimits(**{k: float(v) for k, v in limits_table.items()})
    except TypeError as error:
        raise BenchConfigError(f"{where}: [limits] {error}") from None
    if min(v for v in vars(limits).values() if v is not None) <= 0:
        raise BenchConfigError(f"{where}: [limits] must all be positive, got {vars(limits)}")
    return BenchConfig(
        path=path,
        visa_library=str(visa.get("library", "")),
        timeout_ms=int(visa.get("timeout_ms", 2000)),
        smu=smu,
        matrix=matrix,
        bias=bias,
        pulser=pulser,
        buses=buses,
        word_lines=word_lines,
        bit_lines=bit_lines,
        read_bias=read_bias,
        pulse_bias=pulse_bias,
        pulse_source=pulse_source,
        limits=limits,
        model=dict(data.get("model", {})),
    )


def _keys(where: str, table: dict[str, Any], known: set[str]) -> None:
    unknown = set(table) - known
    if unknown:
        raise BenchConfigError(f"{where}: unknown keys {sorted(unknown)}; known: {sorted(known)}")


def _table(where: str, data: dict[str, Any], name: str) -> dict[str, Any]:
    table = data.get(name, {})
    if not isinstance(table, dict):
        raise BenchConfigError(f"{where}: [{name}] must be a table")
    return table


def _instrument(
    where: str, table: dict[str, Any], role: str, drivers: tuple[str, ...], *, required: bool
) -> InstrumentEntry | None:
    entry = table.get(role)
    if entry is None:
        if required:
            raise BenchConfigError(f"{where}: [instruments.{role}] is missing")
        return None
    _keys(f"{where} [instruments.{role}]", entry, {"driver", "address", "channel"})
    if entry.get("driver") not in drivers:
        raise BenchConfigError(
            f"{where}: [instruments.{role}] driver must be one of {list(drivers)}, "
            f"got {entry.get('driver')!r}"
        )
    if not isinstance(entry.get("address"), str) or not entry["address"]:
        raise BenchConfigError(f"{where}: [instruments.{role}] needs an address")
    return InstrumentEntry(entry["driver"], entry["address"], int(entry.get("channel", 1)))


def _lines(where: str, array: dict[str, Any], name: str, slots: int) -> tuple[tuple[int, int], ...]:
    spec = array.get(name)
    if not isinstance(spec, dict) or not spec.get("columns"):
        raise BenchConfigError(f"{where}: [array] {name} = {{ slot = S, columns = [...] }} needed")
    slot, columns = int(spec.get("slot", 1)), [int(c) for c in spec["columns"]]
    if not 1 <= slot <= slots or not all(1 <= c <= MATRIX_COLUMNS for c in columns):
        raise BenchConfigError(
            f"{where}: [array] {name} uses slot {slot} / columns {columns}; the matrix has "
            f"slots 1-{slots} and columns 1-{MATRIX_COLUMNS}"
        )
    return tuple((slot, c) for c in columns)


def _choice(
    where: str, table: dict[str, Any], key: str, allowed: tuple[str, ...], default: str
) -> str:
    value = str(table.get(key, default))
    if value not in allowed:
        raise BenchConfigError(f"{where}: [biasing] {key} must be one of {allowed}, got {value!r}")
    return value
