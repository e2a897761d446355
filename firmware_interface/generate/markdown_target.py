"""Render the spec as `firmware_interface/PROTOCOL.md`."""

from __future__ import annotations

from firmware_interface.crc import Crc
from firmware_interface.generate.spec import Field, Message, Spec


def render(spec: Spec) -> str:
    out = [
        f"# The {spec.name} wire protocol, version {spec.version_major}.{spec.version_minor}",
        "",
        "<!-- Generated from firmware_interface/spec.toml by"
        " `python -m firmware_interface.generate`. Do not edit. -->",
        "",
        spec.doc["overview"],
        "",
        "## Frame",
        "",
        "| offset | size | field | meaning |",
        "|---|---|---|---|",
        f"| 0 | 1 | SOF | start of frame, 0x{spec.sof:02X} |",
        f"| 1 | 2 | LEN | payload length in bytes, u16 little-endian, at most {spec.max_payload} |",
        "| 3 | 1 | SEQ | sequence number chosen by the host; the response repeats it |",
        f"| 4 | 1 | OPC | opcode; responses set RESPONSE_FLAG 0x{spec.response_flag:02X} |",
        f"| 5 | 1 | HCRC | {spec.header_crc.name} over bytes 0..4 |",
        "| 6 | LEN | payload | request body, or status byte + response body |",
        f"| 6+LEN | {spec.trailer_bytes} | FCRC | {spec.frame_crc.name} over bytes 0..5+LEN,"
        " little-endian |",
        "",
        f"A frame is at most {spec.max_frame} bytes. All multi-byte integers are little-endian.",
        "",
        "### CRC parameters",
        "",
        "| check | model | width | poly | init | refin | refout | xorout | check value |",
        "|---|---|---|---|---|---|---|---|---|",
        _crc_row("HCRC", spec.header_crc),
        _crc_row("FCRC", spec.frame_crc),
        "",
        "## Receiver",
        "",
        spec.doc["receiver"].replace("IDLE_BYTES", str(spec.idle_bytes)),
        "",
        "## Retries and idempotency",
        "",
        spec.doc["retries"],
        "",
        "## Status codes",
        "",
        "A response payload starts with a status byte. A non-OK status is followed only by"
        " DETAIL (u16): the index of the offending field or array entry, or"
        f" 0x{spec.no_detail:04X} if none.",
        "",
        "| code | name | meaning |",
        "|---|---|---|",
    ]
    out += [f"| 0x{s.code:02X} | {s.name} | {s.doc} |" for s in spec.statuses]
    out += ["", "## Units", "", "Physical value = code x LSB.", ""]
    out += ["| unit | LSB | meaning |", "|---|---|---|"]
    out += [f"| {u.name} | {u.lsb:g} {u.symbol} | {u.doc} |" for u in spec.units]
    out += ["", "## Operations", ""]
    out += ["| code | name | summary |", "|---|---|---|"]
    out += [f"| 0x{op.code:02X} | {op.name} | {op.doc} |" for op in spec.opcodes]
    for op in spec.opcodes:
        out += ["", f"### {op.name} (0x{op.code:02X})", "", op.doc, ""]
        out += _message_table("Request", op.request, 0)
        out += _message_table("Response (after the status byte)", op.response, 1)
    for record in spec.records:
        out += ["", f"### Record {record.name} ({record.size} bytes)", "", record.doc, ""]
        out += _field_rows(record.fields, 0)
    out += ["", "## Enumerations", ""]
    for enum_ in spec.enums:
        kind = "bit flags" if enum_.flags else "values"
        out += [f"### {enum_.name} ({kind})", "", enum_.doc, "", "| code | name | meaning |"]
        out += ["|---|---|---|"]
        out += [f"| 0x{v.code:02X} | {v.name} | {v.doc} |" for v in enum_.values]
        out.append("")
    out += ["## Configuration registers", ""]
    out += [
        "| address | name | unit | reset | min | max | meaning |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in spec.registers:
        out.append(
            f"| 0x{r.address:02X} | {r.name} | {r.unit or '-'} | {r.reset} | {r.min} | {r.max}"
            f" | {r.doc} |"
        )
    out += [
        "",
        "## Reference chip",
        "",
        "INFO of the RTL model and the default simulated chip.",
        "",
    ]
    out += ["| field | value |", "|---|---|"]
    out += [f"| {k} | {v} |" for k, v in spec.reference_chip.items()]
    out.append("")
    return "\n".join(out)


def _crc_row(label: str, c: Crc) -> str:
    return (
        f"| {label} | {c.name} | {c.width} | 0x{c.poly:X} | 0x{c.init:X} | {str(c.refin).lower()}"
        f" | {str(c.refout).lower()} | 0x{c.xorout:X} | 0x{c.check_value:X} |"
    )


def _message_table(title: str, message: Message, start: int) -> list[str]:
    if not message.fields:
        return [f"{title}: empty.", ""]
    return [f"{title}:", "", *_field_rows(message.fields, start), ""]


def _field_rows(fields: tuple[Field, ...], start: int) -> list[str]:
    rows = ["| offset | field | type | unit | meaning |", "|---|---|---|---|---|"]
    offset = start
    for f in fields:
        type_name = f"{f.type_name}[<= {f.max}]" if f.array else f.type_name
        rows.append(f"| {offset} | {f.name} | {type_name} | {f.unit or '-'} | {f.doc} |")
        offset += f.element_size
    return rows
