"""Render the spec as the Python module `firmware_interface/protocol.py`."""

from __future__ import annotations

from firmware_interface.generate.spec import Enum, Field, Message, Opcode, Spec

BANNER = (
    '"""{title}\n\n'
    "Generated from firmware_interface/spec.toml by `python -m firmware_interface.generate`.\n"
    'Do not edit: change the spec and regenerate.\n"""\n'
)


def class_name(opcode: Opcode, part: str) -> str:
    """`READ`, `request` -> `ReadRequest`."""
    words = opcode.name.lower().split("_")
    return "".join(w.capitalize() for w in words) + part.capitalize()


def render(spec: Spec) -> str:
    out: list[str] = [
        BANNER.format(title=f"Constants and message classes of the {spec.name} wire protocol."),
        "from __future__ import annotations\n",
        "import enum",
        "from dataclasses import dataclass",
        "from typing import ClassVar, NamedTuple\n",
        "from firmware_interface.crc import Crc",
        "from firmware_interface.message import (",
        "    ArrayLayout,",
        "    Message,",
        "    MessageLayout,",
        "    ScalarLayout,",
        "    Unit,",
        ")\n",
        f'PROTOCOL_NAME = "{spec.name}"',
        f"VERSION_MAJOR = {spec.version_major}",
        f"VERSION_MINOR = {spec.version_minor}",
        f"SOF = 0x{spec.sof:02X}",
        f"RESPONSE_FLAG = 0x{spec.response_flag:02X}",
        f"HEADER_BYTES = {spec.header_bytes}",
        '"""SOF, LEN (u16), SEQ, OPC, header CRC."""',
        f"TRAILER_BYTES = {spec.trailer_bytes}",
        f"MAX_PAYLOAD = {spec.max_payload}",
        f"MAX_FRAME = {spec.max_frame}",
        f"NO_DETAIL = 0x{spec.no_detail:04X}",
        f"IDLE_BYTES = {spec.idle_bytes}",
        '"""Idle byte times after which a receiver gives up an incomplete frame."""',
        "",
    ]
    for attr, crc in (("HEADER_CRC", spec.header_crc), ("FRAME_CRC", spec.frame_crc)):
        out.append(
            f'{attr} = Crc("{crc.name}", {crc.width}, 0x{crc.poly:X}, 0x{crc.init:X}, '
            f"{crc.refin}, {crc.refout}, 0x{crc.xorout:X}, 0x{crc.check_value:X})"
        )
    out.append("\n# Units: physical value = code * lsb.")
    for unit in spec.units:
        out.append(f'{unit.name.upper()} = Unit("{unit.name}", {unit.lsb!r}, "{unit.symbol}")')
        out.append(f'"""{unit.doc}"""')
    out.append("")
    out += _int_enum("Status", "Response status codes.", spec.statuses)
    out += _int_enum("Opcode", "Request opcodes (responses set RESPONSE_FLAG).", spec.opcodes)
    for enum_ in spec.enums:
        out += _enum(enum_)
    out += _int_enum("Register", "Configuration register addresses (CONFIG).", spec.registers)
    out += _registers(spec)
    for record in spec.records:
        out += [f"\n\nclass {record.name}(NamedTuple):", f'    """{record.doc}"""\n']
        for f in record.fields:
            out.append(f"    {f.name}: int")
            if f.doc or f.unit:
                out.append(f'    """{_field_doc(f)}"""')
    for op in spec.opcodes:
        out += _message(spec, op, "request", op.request)
        out += _message(spec, op, "response", op.response)
    out.append("\n")
    out.append("REQUESTS: dict[Opcode, type[Message]] = {")
    out += [f"    Opcode.{op.name}: {class_name(op, 'request')}," for op in spec.opcodes]
    out.append("}")
    out.append("RESPONSES: dict[Opcode, type[Message]] = {")
    out += [f"    Opcode.{op.name}: {class_name(op, 'response')}," for op in spec.opcodes]
    out.append("}\n")
    out.append("REFERENCE_CHIP = InfoResponse(")
    out.append("    protocol_major=VERSION_MAJOR,")
    out.append("    protocol_minor=VERSION_MINOR,")
    for name, value in spec.reference_chip.items():
        out.append(f"    {name}={value},")
    out.append(")")
    out.append('"""INFO of the reference chip: the RTL model and the default simulated chip."""')
    return "\n".join(out) + "\n"


def _int_enum(name: str, doc: str, items) -> list[str]:
    out = [f"\n\nclass {name}(enum.IntEnum):", f'    """{doc}"""\n']
    for item in items:
        code = getattr(item, "code", None)
        code = item.address if code is None else code
        out.append(f"    {item.name} = 0x{code:02X}")
        out.append(f'    """{item.doc}"""')
    return out


def _enum(enum_: Enum) -> list[str]:
    base = "enum.IntFlag" if enum_.flags else "enum.IntEnum"
    out = [f"\n\nclass {enum_.name}({base}):", f'    """{enum_.doc}"""\n']
    for value in enum_.values:
        out.append(f"    {value.name} = 0x{value.code:02X}")
        out.append(f'    """{value.doc}"""')
    return out


def _registers(spec: Spec) -> list[str]:
    out = [
        "\n\n@dataclass(frozen=True)",
        "class RegisterSpec:",
        '    """A configuration register: reset value, allowed range and unit."""\n',
        "    register: Register",
        "    reset: int",
        "    min: int",
        "    max: int",
        "    unit: Unit | None\n\n",
        "REGISTERS: dict[Register, RegisterSpec] = {",
    ]
    for reg in spec.registers:
        unit = reg.unit.upper() if reg.unit else "None"
        out.append(
            f"    Register.{reg.name}: RegisterSpec(Register.{reg.name}, {reg.reset}, "
            f"{reg.min}, {reg.max}, {unit}),"
        )
    out.append("}")
    return out


def _scalar_layout(spec: Spec, f: Field) -> str:
    t = f.int_type
    assert t is not None
    extra = ""
    if f.unit and f.unit.startswith("enum:"):
        extra = f", enum_type={f.unit[5:]}"
    elif f.unit:
        extra = f", unit={f.unit.upper()}"
    return f'ScalarLayout("{f.name}", "{t.struct_char}", {t.min_value}, {t.max_value}{extra})'


def _field_doc(f: Field) -> str:
    parts = []
    if f.unit and f.unit.startswith("enum:"):
        parts.append(f"{f.unit[5:]} value.")
    elif f.unit:
        parts.append(f"{f.unit.capitalize()} code.")
    if f.doc:
        parts.append(f.doc)
    return " ".join(parts)


def _message(spec: Spec, op: Opcode, part: str, message: Message) -> list[str]:
    name = class_name(op, part)
    doc = op.doc if part == "request" else f"Body of an OK response to {op.name}."
    out = [
        "\n\n@dataclass(frozen=True)",
        f"class {name}(Message):",
        f'    """{doc}"""\n',
        f"    OPCODE: ClassVar[Opcode] = Opcode.{op.name}",
        f"    IS_RESPONSE: ClassVar[bool] = {part == 'response'}",
        "    LAYOUT: ClassVar[MessageLayout] = MessageLayout(",
        "        (",
    ]
    out += [f"            {_scalar_layout(spec, f)}," for f in message.scalars]
    out.append("        ),")
    array = message.array
    if array is not None:
        if array.record is not None:
            elements = " ".join(f"{_scalar_layout(spec, f)}," for f in array.record.fields)
            record = f", record_type={array.record.name}"
        else:
            elements = f"{_scalar_layout(spec, array)},"
            record = ""
        out.append(f'        ArrayLayout("{array.name}", ({elements}), {array.max}{record}),')
    out.append("    )")
    if message.fields:
        out.append("")
    for f in message.fields:
        if f.array:
            out.append(f"    {f.name}: tuple[{'int' if f.record is None else f.record.name}, ...]")
        else:
            out.append(f"    {f.name}: int")
        if f.doc or f.unit:
            out.append(f'    """{_field_doc(f)}"""')
    return out
