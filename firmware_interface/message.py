"""Machinery behind the generated message classes: units, field layouts and (de)serialisation.

The generated module `firmware_interface.protocol` declares one frozen dataclass per request and
response body with a `LAYOUT` describing its wire fields; this module turns that layout into bytes
and back. Decoding failures raise the protocol's own errors (`BadLength`, `BadArgument`), which
carry the status code a chip answers with.
"""

from __future__ import annotations

import enum
import functools
import math
import operator
import struct
from dataclasses import dataclass, fields
from typing import Any, ClassVar, NamedTuple, NoReturn, Self

from firmware_interface.errors import BadArgument, BadLength


@dataclass(frozen=True)
class Unit:
    """A code <-> physical quantity conversion defined by the spec: physical = code * lsb."""

    name: str
    lsb: float
    symbol: str

    def to_code(self, value: float) -> int:
        """Nearest code for a physical value (in `symbol` units); rejects NaN and infinities."""
        if not math.isfinite(value):
            raise ValueError(f"{self.name}: {value!r} is not a finite number of {self.symbol}")
        return round(value / self.lsb)

    def from_code(self, code: int) -> float:
        """Physical value (in `symbol` units) of a code."""
        return code * self.lsb


@dataclass(frozen=True)
class ScalarLayout:
    """One fixed-size integer field on the wire."""

    name: str
    struct_char: str
    min_value: int
    max_value: int
    unit: Unit | None = None
    enum_type: type[enum.IntEnum] | type[enum.IntFlag] | None = None


@dataclass(frozen=True)
class ArrayLayout:
    """The trailing variable-length array of a message: integers or records (NamedTuples)."""

    name: str
    element: tuple[ScalarLayout, ...]
    max_count: int
    record_type: type[NamedTuple] | None = None

    @property
    def element_chars(self) -> str:
        """struct format characters of one element."""
        return "".join(s.struct_char for s in self.element)

    @property
    def element_size(self) -> int:
        return struct.calcsize("<" + self.element_chars)

    def packer(self, count: int) -> struct.Struct:
        """A Struct for `count` elements (cached: arrays come in few distinct sizes)."""
        return _array_struct(self.element_chars, count)


class MessageLayout:
    """Wire layout of a message body: fixed scalars, then at most one array."""

    def __init__(self, scalars: tuple[ScalarLayout, ...], array: ArrayLayout | None = None):
        self.scalars = scalars
        self.array = array
        self.fixed = struct.Struct("<" + "".join(s.struct_char for s in scalars))

    @property
    def max_size(self) -> int:
        extra = self.array.max_count * self.array.element_size if self.array else 0
        return self.fixed.size + extra


class Message:
    """Base of every generated request and response body (a frozen dataclass)."""

    OPCODE: ClassVar[enum.IntEnum]
    IS_RESPONSE: ClassVar[bool]
    LAYOUT: ClassVar[MessageLayout]

    def __post_init__(self) -> None:
        array = self.LAYOUT.array
        if array is None:
            return
        items = getattr(self, array.name)
        if array.record_type is not None:
            items = tuple(
                item if isinstance(item, array.record_type) else array.record_type(*item)
                for item in items
            )
        object.__setattr__(self, array.name, tuple(items))

    def pack(self) -> bytes:
        """Serialise the body; raises ValueError naming the field whose value does not fit."""
        layout, owner = self.LAYOUT, type(self).__name__
        values = [getattr(self, s.name) for s in layout.scalars]
        try:
            body = layout.fixed.pack(*values)
        except struct.error:
            _raise_range_error(
                owner, [(s.name, s, v) for s, v in zip(layout.scalars, values, strict=True)]
            )
        array = layout.array
        if array is None:
            return body
        items = getattr(self, array.name)
        if len(items) > array.max_count:
            raise ValueError(
                f"{owner}.{array.name}: {len(items)} entries, at most {array.max_count} fit "
                "one frame"
            )
        flat = items if array.record_type is None else [v for item in items for v in item]
        try:
            return body + array.packer(len(items)).pack(*flat)
        except struct.error:
            k = len(array.element)
            _raise_range_error(
                owner,
                [
                    (f"{array.name}[{i // k}]" + (f".{s.name}" if array.record_type else ""), s, v)
                    for i, (s, v) in enumerate(zip(array.element * len(items), flat, strict=True))
                ],
            )

    @classmethod
    def unpack(cls, payload: bytes | memoryview) -> Self:
        """Parse a body; raises BadLength or BadArgument (with the field index as detail)."""
        layout = cls.LAYOUT
        fixed_size = layout.fixed.size
        if len(payload) < fixed_size or (layout.array is None and len(payload) != fixed_size):
            raise BadLength(f"{cls.__name__}: {len(payload)} bytes, expected {fixed_size}")
        values: dict[str, Any] = {}
        for index, (spec, raw) in enumerate(
            zip(layout.scalars, layout.fixed.unpack_from(payload), strict=True)
        ):
            values[spec.name] = _to_enum(cls.__name__, index, spec, raw)
        array = layout.array
        if array is not None:
            values[array.name] = _unpack_array(cls.__name__, array, payload[fixed_size:])
        message = object.__new__(cls)  # values are already normalised: skip __post_init__
        message.__dict__.update(values)
        return message

    def as_dict(self) -> dict[str, Any]:
        """The body as a plain dict (handy for logging and HDF5 attributes)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}  # type: ignore[arg-type]


def _to_enum(owner: str, index: int, spec: ScalarLayout, raw: int) -> int:
    if spec.enum_type is None:
        return raw
    try:
        return spec.enum_type(raw)
    except ValueError:
        raise BadArgument(
            f"{owner}.{spec.name}: {raw} is not a valid {spec.enum_type.__name__}", detail=index
        ) from None


def _unpack_array(owner: str, array: ArrayLayout, data: bytes | memoryview) -> tuple:
    size = array.element_size
    count, leftover = divmod(len(data), size)
    if leftover:
        raise BadLength(f"{owner}.{array.name}: {len(data)} bytes is not a multiple of {size}")
    if count > array.max_count:
        raise BadLength(f"{owner}.{array.name}: {count} entries, at most {array.max_count}")
    flat = array.packer(count).unpack(data)
    if array.record_type is None:
        return flat
    width = len(array.element)
    columns: list = [flat[i::width] for i in range(width)]
    for column_index, spec in enumerate(array.element):
        if spec.enum_type is None:
            continue
        members, column = _members(spec.enum_type), columns[column_index]
        try:
            columns[column_index] = [members[v] for v in column]
        except KeyError:
            bad = next(i for i, v in enumerate(column) if v not in members)
            raise BadArgument(
                f"{owner}.{array.name}[{bad}].{spec.name}: {column[bad]} is not a valid "
                f"{spec.enum_type.__name__}",
                detail=bad,
            ) from None
    return tuple(
        map(functools.partial(tuple.__new__, array.record_type), zip(*columns, strict=True))
    )


@functools.cache
def _array_struct(element_chars: str, count: int) -> struct.Struct:
    return struct.Struct(f"<{element_chars * count}")


@functools.cache
def _members(enum_type: type[enum.IntEnum] | type[enum.IntFlag]) -> dict[int, enum.IntEnum]:
    return {member.value: member for member in enum_type}


def _raise_range_error(owner: str, named_values: list[tuple[str, ScalarLayout, Any]]) -> NoReturn:
    """Name the first value that does not fit its field (struct only says that one did not)."""
    for name, spec, value in named_values:
        try:
            in_range = spec.min_value <= operator.index(value) <= spec.max_value
        except TypeError:
            in_range = False
        if not in_range:
            raise ValueError(
                f"{owner}.{name}: {value!r} is not an integer in "
                f"[{spec.min_value}, {spec.max_value}]"
            )
    raise AssertionError(f"{owner}: struct refused values that are all in range")
