"""Load and validate `firmware_interface/spec.toml` into typed records for the code generators.

The spec is the single source of truth of the wire protocol; every check that a hand-edit could
break (duplicate codes, unknown units, an array that is not last, a frame too large for the CRC's
guarantees) is made here, so a broken spec fails generation with a message naming the entry.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from firmware_interface.crc import Crc

SPEC_PATH = Path(__file__).resolve().parent.parent / "spec.toml"

HEADER_BYTES = 6  # SOF, LEN (u16), SEQ, OPC, header CRC-8
"""Bytes before the payload; the layout itself is fixed by this generator, not configurable."""


@dataclass(frozen=True)
class IntType:
    """A wire integer type."""

    name: str
    size: int
    signed: bool

    @property
    def struct_char(self) -> str:
        chars = {1: "b", 2: "h", 4: "i", 8: "q"}
        char = chars[self.size]
        return char if self.signed else char.upper()

    @property
    def c_type(self) -> str:
        return f"{'int' if self.signed else 'uint'}{self.size * 8}_t"

    @property
    def bits(self) -> int:
        return self.size * 8

    @property
    def min_value(self) -> int:
        return -(1 << (self.bits - 1)) if self.signed else 0

    @property
    def max_value(self) -> int:
        return (1 << (self.bits - 1)) - 1 if self.signed else (1 << self.bits) - 1


INT_TYPES = {
    t.name: t
    for t in (
        IntType("u8", 1, False),
        IntType("u16", 2, False),
        IntType("u32", 4, False),
        IntType("u64", 8, False),
        IntType("i16", 2, True),
        IntType("i32", 4, True),
    )
}


class SpecError(ValueError):
    """The spec file is inconsistent; the message names the offending entry."""


@dataclass(frozen=True)
class Unit:
    """A code <-> physical quantity conversion: physical = code * lsb."""

    name: str
    lsb: float
    symbol: str
    doc: str


@dataclass(frozen=True)
class NamedCode:
    name: str
    code: int
    doc: str


@dataclass(frozen=True)
class Enum:
    name: str
    doc: str
    values: tuple[NamedCode, ...]
    flags: bool


@dataclass(frozen=True)
class Register:
    name: str
    address: int
    reset: int
    min: int
    max: int
    unit: str | None
    doc: str


@dataclass(frozen=True)
class Field:
    """One message or record field. `record` is set for arrays of records instead of `int_type`."""

    name: str
    int_type: IntType | None
    record: Record | None
    unit: str | None
    doc: str
    array: bool
    max: int

    @property
    def element_size(self) -> int:
        if self.record is not None:
            return self.record.size
        assert self.int_type is not None
        return self.int_type.size

    @property
    def type_name(self) -> str:
        if self.record is not None:
            return self.record.name
        assert self.int_type is not None
        return self.int_type.name


@dataclass(frozen=True)
class Record:
    name: str
    doc: str
    fields: tuple[Field, ...]

    @property
    def size(self) -> int:
        return sum(f.element_size for f in self.fields)


@dataclass(frozen=True)
class Message:
    """A request or response body (the response's leading status byte is not part of it)."""

    fields: tuple[Field, ...]

    @property
    def scalars(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if not f.array)

    @property
    def array(self) -> Field | None:
        arrays = [f for f in self.fields if f.array]
        return arrays[0] if arrays else None

    @property
    def fixed_size(self) -> int:
        return sum(f.element_size for f in self.scalars)

    @property
    def max_size(self) -> int:
        array = self.array
        extra = array.max * array.element_size if array else 0
        return self.fixed_size + extra


@dataclass(frozen=True)
class Opcode:
    name: str
    code: int
    doc: str
    request: Message
    response: Message


@dataclass(frozen=True)
class Spec:
    """The whole validated protocol."""

    name: str
    version_major: int
    version_minor: int
    sof: int
    response_flag: int
    no_detail: int
    idle_bytes: int
    header_crc: Crc
    frame_crc: Crc
    units: tuple[Unit, ...]
    statuses: tuple[NamedCode, ...]
    enums: tuple[Enum, ...]
    registers: tuple[Register, ...]
    records: tuple[Record, ...]
    opcodes: tuple[Opcode, ...]
    reference_chip: dict[str, int]
    """INFO response fields of the reference chip (capabilities as a bit mask)."""
    doc: dict[str, str]

    def opcode(self, name: str) -> Opcode:
        return next(op for op in self.opcodes if op.name == name)

    def enum(self, name: str) -> Enum:
        return next(e for e in self.enums if e.name == name)

    @property
    def header_bytes(self) -> int:
        return HEADER_BYTES

    @property
    def trailer_bytes(self) -> int:
        return self.frame_crc.width // 8

    @property
    def max_payload(self) -> int:
        """Largest payload of any request or response (responses add their status byte)."""
        sizes = [op.request.max_size for op in self.opcodes]
        sizes += [1 + op.response.max_size for op in self.opcodes]
        sizes.append(1 + 2)  # an error response: status + detail
        return max(sizes)

    @property
    def max_frame(self) -> int:
        return self.header_bytes + self.max_payload + self.trailer_bytes


def snake_case(camel: str) -> str:
    """`CellOutcome` -> `cell_outcome`."""
    return "".join(f"_{c.lower()}" if c.isupper() and i else c.lower() for i, c in enumerate(camel))


def load_spec(path: Path = SPEC_PATH) -> Spec:
    """Parse and validate the spec file."""
    with path.open("rb") as handle:
        raw = tomllib.load(handle)
    return _build(raw)


def _build(raw: dict) -> Spec:
    proto = raw["protocol"]
    units = tuple(
        Unit(name, float(u["lsb"]), u["symbol"], u["doc"].strip())
        for name, u in raw["units"].items()
    )
    unit_names = {u.name for u in units}
    enums = tuple(_enum(e) for e in raw["enum"])
    enum_names = {e.name for e in enums}

    def check_unit(unit: str | None, where: str) -> None:
        if unit is None:
            return
        if unit.startswith("enum:"):
            if unit[5:] not in enum_names:
                raise SpecError(f"{where}: unknown enum {unit[5:]!r}")
        elif unit not in unit_names:
            raise SpecError(f"{where}: unknown unit {unit!r} (known: {sorted(unit_names)})")

    records: dict[str, Record] = {}
    for r in raw["record"]:
        fields = tuple(_field(f, records, f"record {r['name']}") for f in r["fields"])
        for f in fields:
            if f.array or f.record is not None:
                raise SpecError(f"record {r['name']}: field {f.name} must be a plain integer")
            check_unit(f.unit, f"record {r['name']}.{f.name}")
        records[r["name"]] = Record(r["name"], r["doc"].strip(), fields)

    opcodes = []
    for op in raw["opcode"]:
        messages = []
        for part in ("request", "response"):
            where = f"opcode {op['name']} {part}"
            fields = tuple(_field(f, records, where) for f in op[part])
            for i, f in enumerate(fields):
                check_unit(f.unit, f"{where}.{f.name}")
                if f.array and i != len(fields) - 1:
                    raise SpecError(f"{where}: array {f.name} must be the last field")
                if f.record is not None and not f.array:
                    raise SpecError(f"{where}: record field {f.name} must be an array")
            _unique([f.name for f in fields], where)
            messages.append(Message(fields))
        opcodes.append(Opcode(op["name"], op["code"], op["doc"].strip(), *messages))

    registers = tuple(_register(r, check_unit) for r in raw["register"])
    statuses = tuple(NamedCode(s["name"], s["code"], s["doc"].strip()) for s in raw["status"])
    spec = Spec(
        name=proto["name"],
        version_major=proto["version_major"],
        version_minor=proto["version_minor"],
        sof=proto["sof"],
        response_flag=proto["response_flag"],
        no_detail=proto["no_detail"],
        idle_bytes=proto["idle_bytes"],
        header_crc=_crc(raw["crc"]["header"]),
        frame_crc=_crc(raw["crc"]["frame"]),
        units=units,
        statuses=statuses,
        enums=enums,
        registers=registers,
        records=tuple(records.values()),
        opcodes=tuple(opcodes),
        reference_chip=_reference_chip(raw["reference_chip"], enums),
        doc={k: v.strip() for k, v in raw["doc"].items()},
    )
    _validate(spec)
    return spec


def _crc(raw: dict) -> Crc:
    params = dict(raw)
    params["check_value"] = params.pop("check")
    return Crc(**params)


def _reference_chip(raw: dict, enums: tuple[Enum, ...]) -> dict[str, int]:
    chip = dict(raw)
    flags = {v.name: v.code for e in enums if e.name == "Capability" for v in e.values}
    unknown = set(chip["capabilities"]) - flags.keys()
    if unknown:
        raise SpecError(f"reference_chip.capabilities: unknown {sorted(unknown)}")
    chip["capabilities"] = sum(flags[name] for name in chip["capabilities"])
    return chip


def _enum(raw: dict) -> Enum:
    values = tuple(NamedCode(v["name"], v["code"], v["doc"].strip()) for v in raw["values"])
    _unique([v.name for v in values], f"enum {raw['name']}")
    _unique([v.code for v in values], f"enum {raw['name']} codes")
    return Enum(raw["name"], raw["doc"].strip(), values, bool(raw.get("flags", False)))


def _field(raw: dict, records: dict[str, Record], where: str) -> Field:
    type_name = raw["type"]
    int_type = INT_TYPES.get(type_name)
    record = records.get(type_name)
    if int_type is None and record is None:
        raise SpecError(f"{where}.{raw['name']}: unknown type {type_name!r}")
    array = bool(raw.get("array", False))
    if array and "max" not in raw:
        raise SpecError(f"{where}.{raw['name']}: an array needs `max`")
    return Field(
        name=raw["name"],
        int_type=int_type,
        record=record,
        unit=raw.get("unit"),
        doc=raw.get("doc", "").strip(),
        array=array,
        max=int(raw.get("max", 1)),
    )


def _register(raw: dict, check_unit) -> Register:
    where = f"register {raw['name']}"
    unit = raw.get("unit")
    check_unit(unit, where)
    reg = Register(
        name=raw["name"],
        address=raw["address"],
        reset=raw["reset"],
        min=raw.get("min", 0),
        max=raw.get("max", 0xFFFF if unit else 0xFFFFFFFF),
        unit=unit,
        doc=raw["doc"].strip(),
    )
    if not reg.min <= reg.reset <= reg.max:
        raise SpecError(f"{where}: reset value {reg.reset} outside [{reg.min}, {reg.max}]")
    return reg


def _unique(items: list, where: str) -> None:
    seen = set()
    for item in items:
        if item in seen:
            raise SpecError(f"{where}: duplicate {item!r}")
        seen.add(item)


def _validate(spec: Spec) -> None:
    _unique([s.code for s in spec.statuses], "status codes")
    _unique([s.name for s in spec.statuses], "status names")
    _unique([o.code for o in spec.opcodes], "opcode codes")
    _unique([o.name for o in spec.opcodes], "opcode names")
    _unique([r.address for r in spec.registers], "register addresses")
    _unique([r.name for r in spec.registers], "register names")
    for op in spec.opcodes:
        if op.code & spec.response_flag or not 0 < op.code < 256:
            raise SpecError(f"opcode {op.name}: code {op.code:#x} collides with RESPONSE_FLAG")
    required = {
        "OK",
        "BAD_CRC",
        "BAD_LENGTH",
        "UNKNOWN_OPCODE",
        "BAD_ADDRESS",
        "BAD_ARGUMENT",
        "BUSY",
        "UNSUPPORTED",
        "LIMIT",
        "INTERNAL",
    }
    missing = required - {s.name for s in spec.statuses}
    if missing:
        raise SpecError(f"status codes missing: {sorted(missing)}")
    if next(s for s in spec.statuses if s.name == "OK").code != 0:
        raise SpecError("status OK must be code 0")
    if spec.max_payload > 0xFFFF:
        raise SpecError(f"MAX_PAYLOAD {spec.max_payload} does not fit the u16 LEN field")
    info_fields = {f.name for f in spec.opcode("INFO").response.fields}
    chip_fields = set(spec.reference_chip) | {"protocol_major", "protocol_minor"}
    if chip_fields != info_fields:
        raise SpecError(
            f"reference_chip must give every INFO field: {sorted(info_fields ^ chip_fields)}"
        )
    data_bits = 8 * (spec.max_frame - spec.trailer_bytes)
    if spec.frame_crc.width == 32 and data_bits > 91_607:
        raise SpecError(f"largest frame ({data_bits} bits) exceeds CRC-32's HD=4 length")
    for crc in (spec.header_crc, spec.frame_crc):
        if crc.refin != crc.refout:
            raise SpecError(f"{crc.name}: refin != refout is not supported by the generators")
        if crc.width % 8:
            raise SpecError(f"{crc.name}: width must be a whole number of bytes")
