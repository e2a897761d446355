"""Render the spec as the C99 header `firmware_interface/c/hil_protocol.h` for firmware authors."""

from __future__ import annotations

from firmware_interface.crc import Crc, reflect
from firmware_interface.generate.spec import Message, Spec, snake_case

BANNER = """/* {title}
 *
 * Generated from firmware_interface/spec.toml by `python -m firmware_interface.generate`.
 * Do not edit: change the spec and regenerate. All multi-byte fields are little-endian.
 */
"""


def _define(name: str, value: int | str, comment: str = "") -> str:
    text = f"#define HIL_{name} {value}"
    return f"{text}  /* {comment} */" if comment else text


def render(spec: Spec) -> str:
    out = [
        BANNER.format(title=f"Constants of the {spec.name} wire protocol."),
        "#ifndef HIL_PROTOCOL_H",
        "#define HIL_PROTOCOL_H",
        "",
        "#include <stddef.h>",
        "#include <stdint.h>",
        "",
        "/* Framing: SOF | LEN u16 | SEQ | OPC | HCRC | payload[LEN] | FCRC u32 */",
        _define("VERSION_MAJOR", f"{spec.version_major}u"),
        _define("VERSION_MINOR", f"{spec.version_minor}u"),
        _define("SOF", f"0x{spec.sof:02X}u"),
        _define("RESPONSE_FLAG", f"0x{spec.response_flag:02X}u"),
        _define("HEADER_BYTES", f"{spec.header_bytes}u"),
        _define("TRAILER_BYTES", f"{spec.trailer_bytes}u"),
        _define("MAX_PAYLOAD", f"{spec.max_payload}u"),
        _define("MAX_FRAME", f"{spec.max_frame}u"),
        _define("NO_DETAIL", f"0x{spec.no_detail:04X}u"),
        _define("IDLE_BYTES", f"{spec.idle_bytes}u"),
        "",
        "/* Units: physical value = code * LSB */",
    ]
    for unit in spec.units:
        out.append(_define(f"{unit.name.upper()}_LSB", repr(unit.lsb), unit.symbol))
    out.append("")
    out += _enum("hil_status", "HIL_STATUS", [(s.name, s.code) for s in spec.statuses])
    out += _enum("hil_opcode", "HIL_OP", [(o.name, o.code) for o in spec.opcodes])
    for enum_ in spec.enums:
        prefix = "HIL_" + snake_case(enum_.name).upper()
        out += _enum(
            "hil_" + snake_case(enum_.name), prefix, [(v.name, v.code) for v in enum_.values]
        )
    out += _enum("hil_register", "HIL_REG", [(r.name, r.address) for r in spec.registers])
    for reg in spec.registers:
        out.append(_define(f"REG_{reg.name}_RESET", f"{reg.reset}u"))
    out.append("")
    out.append("/* Message layouts: byte sizes and field offsets within the payload */")
    for op in spec.opcodes:
        out += _layout(f"{op.name}_REQ", op.request, 0)
        out += _layout(f"{op.name}_RSP", op.response, 1)
    for record in spec.records:
        name = snake_case(record.name).upper()
        out.append(_define(f"{name}_BYTES", f"{record.size}u"))
        offset = 0
        for f in record.fields:
            out.append(_define(f"{name}_{f.name.upper()}_OFFSET", f"{offset}u"))
            offset += f.element_size
    out.append("")
    out.append("/* Reference chip (INFO of the RTL model) */")
    for key, value in spec.reference_chip.items():
        out.append(_define(f"REF_{key.upper()}", f"{value}u"))
    out.append("")
    out += _crc_function("hil_header_crc", spec.header_crc)
    out += _crc_function("hil_frame_crc", spec.frame_crc)
    out += ["#endif /* HIL_PROTOCOL_H */", ""]
    return "\n".join(out)


def _enum(tag: str, prefix: str, items: list[tuple[str, int]]) -> list[str]:
    out = [f"enum {tag} {{"]
    out += [f"    {prefix}_{name} = 0x{code:02X}," for name, code in items]
    out += ["};", ""]
    return out


def _layout(prefix: str, message: Message, start: int) -> list[str]:
    out = [_define(f"{prefix}_FIXED_BYTES", f"{start + message.fixed_size}u")]
    offset = start
    for f in message.scalars:
        out.append(_define(f"{prefix}_{f.name.upper()}_OFFSET", f"{offset}u"))
        offset += f.element_size
    if message.array is not None:
        out.append(_define(f"{prefix}_ELEMENT_BYTES", f"{message.array.element_size}u"))
        out.append(_define(f"{prefix}_MAX_ELEMENTS", f"{message.array.max}u"))
    return out


def _crc_function(name: str, crc: Crc) -> list[str]:
    ctype = f"uint{crc.width}_t" if crc.width in (8, 16, 32) else "uint64_t"
    top = 1 << (crc.width - 1)
    if crc.refin:
        init = reflect(crc.init, crc.width)
        poly = reflect(crc.poly, crc.width)
        body = [
            "        crc ^= data[i];",
            "        for (int b = 0; b < 8; b++)",
            f"            crc = (crc & 1u) ? (({ctype})(crc >> 1) ^ 0x{poly:X}u) : (crc >> 1);",
        ]
    else:
        init = crc.init
        body = [
            f"        crc ^= ({ctype})((uint32_t)data[i] << {crc.width - 8});",
            "        for (int b = 0; b < 8; b++)",
            f"            crc = (crc & 0x{top:X}u) ? ({ctype})((crc << 1) ^ 0x{crc.poly:X}u)"
            f" : ({ctype})(crc << 1);",
        ]
    return [
        f'/* {crc.name} (bitwise; check value 0x{crc.check_value:X} for "123456789"). */',
        f"static inline {ctype} {name}(const uint8_t *data, size_t len)",
        "{",
        f"    {ctype} crc = 0x{init:X}u;",
        "    for (size_t i = 0; i < len; i++) {",
        *body,
        "    }",
        f"    return ({ctype})(crc ^ 0x{crc.xorout:X}u);",
        "}",
        "",
    ]
