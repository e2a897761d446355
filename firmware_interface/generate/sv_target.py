"""Render the spec as the SystemVerilog package `rtl/hil_protocol_pkg.sv`."""

from __future__ import annotations

from firmware_interface.crc import Crc, reflect
from firmware_interface.generate.spec import Message, Spec, snake_case

BANNER = """// {title}
//
// Generated from firmware_interface/spec.toml by `python -m firmware_interface.generate`.
// Do not edit: change the spec and regenerate.
"""


def _param(name: str, value: int, bits: int | None = None) -> str:
    """An `int unsigned` localparam, or a `logic [bits-1:0]` one in hex when `bits` is given."""
    if bits is None:
        return f"  localparam int unsigned {name} = 32'd{value};"
    return f"  localparam logic [{bits - 1}:0] {name} = {bits}'h{value:0{(bits + 3) // 4}X};"


def render(spec: Spec) -> str:
    out = [
        BANNER.format(title=f"Constants of the {spec.name} wire protocol."),
        "package hil_protocol_pkg;",
        "",
        "  // A constants package: no single design uses every constant (waiver as in OpenTitan).",
        "  /* verilator lint_off UNUSEDPARAM */",
        "",
        "  // Framing",
        _param("VERSION_MAJOR", spec.version_major),
        _param("VERSION_MINOR", spec.version_minor),
        _param("SOF", spec.sof, 8),
        _param("RESPONSE_FLAG", spec.response_flag, 8),
        _param("HEADER_BYTES", spec.header_bytes),
        _param("TRAILER_BYTES", spec.trailer_bytes),
        _param("MAX_PAYLOAD", spec.max_payload),
        _param("MAX_FRAME", spec.max_frame),
        _param("NO_DETAIL", spec.no_detail, 16),
        _param("IDLE_BYTES", spec.idle_bytes),
        "",
    ]
    out += _crc("HCRC", spec.header_crc)
    out += _crc("FCRC", spec.frame_crc)
    out += ["  // Status codes", "  typedef enum logic [7:0] {"]
    out += _enum_items([(f"ST_{s.name}", s.code) for s in spec.statuses], 8)
    out += ["  } status_e;", "", "  // Opcodes", "  typedef enum logic [7:0] {"]
    out += _enum_items([(f"OP_{o.name}", o.code) for o in spec.opcodes], 8)
    out += ["  } opcode_e;", ""]
    for enum_ in spec.enums:
        prefix = snake_case(enum_.name).upper()
        if enum_.flags:
            out.append(f"  // {enum_.doc}")
            out += [_param(f"{prefix}_{v.name}", v.code, 16) for v in enum_.values]
            out.append("")
            continue
        out += [f"  // {enum_.doc}", "  typedef enum logic [7:0] {"]
        out += _enum_items([(f"{prefix}_{v.name}", v.code) for v in enum_.values], 8)
        out += [f"  }} {snake_case(enum_.name)}_e;", ""]
    out += ["  // Configuration registers", "  typedef enum logic [15:0] {"]
    out += _enum_items([(f"REG_{r.name}", r.address) for r in spec.registers], 16)
    out += ["  } register_e;", ""]
    for reg in spec.registers:
        out.append(_param(f"REG_{reg.name}_RESET", reg.reset))
    out.append("")
    out.append("  // Message layouts: byte sizes and field offsets within the payload")
    for op in spec.opcodes:
        out += _layout(f"{op.name}_REQ", op.request, 0)
        out += _layout(f"{op.name}_RSP", op.response, 1)
    for record in spec.records:
        name = snake_case(record.name).upper()
        out.append(_param(f"{name}_BYTES", record.size))
        offset = 0
        for f in record.fields:
            out.append(_param(f"{name}_{f.name.upper()}_OFFSET", offset))
            offset += f.element_size
    out.append("")
    out.append("  // Reference chip (INFO of the RTL model)")
    for key, value in spec.reference_chip.items():
        out.append(_param(f"REF_{key.upper()}", value))
    out += ["", "  /* verilator lint_on UNUSEDPARAM */", "", "endpackage", ""]
    return "\n".join(out)


def _crc(prefix: str, crc: Crc) -> list[str]:
    """Parameters plus a byte-update function; start from {prefix}_INIT_REG, end by ^ XOROUT."""
    bits, top = crc.width, crc.width - 1
    reg_init = reflect(crc.init, bits) if crc.refin else crc.init
    name = prefix.lower()
    if crc.refin:
        poly = reflect(crc.poly, bits)
        mix = f"c = crc ^ {{{bits - 8}'h0, data}};" if bits > 8 else "c = crc ^ data;"
        step = f"c = c[0] ? ((c >> 1) ^ {bits}'h{poly:X}) : (c >> 1);"
    else:
        mix = f"c = crc ^ {{data, {bits - 8}'h0}};" if bits > 8 else "c = crc ^ data;"
        step = f"c = c[{top}] ? ((c << 1) ^ {prefix}_POLY) : (c << 1);"
    return [
        f"  // {crc.name}: poly 0x{crc.poly:X}, init 0x{crc.init:X}, "
        f"refin {str(crc.refin).lower()}, refout {str(crc.refout).lower()}, "
        f"xorout 0x{crc.xorout:X}, check 0x{crc.check_value:X}",
        _param(f"{prefix}_POLY", crc.poly, bits),
        _param(f"{prefix}_INIT_REG", reg_init, bits),
        _param(f"{prefix}_XOROUT", crc.xorout, bits),
        _param(f"{prefix}_CHECK", crc.check_value, bits),
        "",
        f"  // Feed one byte into the {crc.name} register.",
        f"  function automatic logic [{top}:0] {name}_update("
        f"logic [{top}:0] crc, logic [7:0] data);",
        f"    logic [{top}:0] c;",
        f"    {mix}",
        f"    for (int i = 0; i < 8; i++) {step}",
        "    return c;",
        "  endfunction",
        "",
    ]


def _enum_items(items: list[tuple[str, int]], bits: int) -> list[str]:
    digits = bits // 4
    lines = [f"    {name} = {bits}'h{code:0{digits}X}," for name, code in items]
    lines[-1] = lines[-1].rstrip(",")
    return lines


def _layout(prefix: str, message: Message, start: int) -> list[str]:
    out = [_param(f"{prefix}_FIXED_BYTES", start + message.fixed_size)]
    offset = start
    for f in message.scalars:
        out.append(_param(f"{prefix}_{f.name.upper()}_OFFSET", offset))
        offset += f.element_size
    if message.array is not None:
        out.append(_param(f"{prefix}_ELEMENT_BYTES", message.array.element_size))
        out.append(_param(f"{prefix}_MAX_ELEMENTS", message.array.max))
    return out
