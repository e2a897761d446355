"""Frames encoded and decoded per second for READ and PROGRAM frames of typical size.

Baseline (same process): the least work that can produce or check the same bytes in Python,
`struct.pack`/`unpack` of the fields plus `zlib.crc32`, without validation, the header check,
message classes or the streaming decoder. The ratio codec/baseline is the price of those.

    python benchmarks/bench_codec.py [--quick]
"""

from __future__ import annotations

import struct
import zlib

from harness import emit_json, parse_args, print_table, rate_per_s

from firmware_interface.codec import (
    FrameDecoder,
    decode_request,
    decode_response,
    encode_request,
    encode_response,
)
from firmware_interface.protocol import (
    HEADER_CRC,
    SOF,
    ProgramEntry,
    ProgramRequest,
    ProgramResponse,
    ProgramResult,
    ReadRequest,
    ReadResponse,
)


def baseline_encode(opcode: int, fmt: str, values: list[int]) -> bytes:
    payload = struct.pack(fmt, *values)
    header = struct.pack("<BHBB", SOF, len(payload), 1, opcode)
    body = header + bytes((HEADER_CRC(header),)) + payload
    return body + struct.pack("<I", zlib.crc32(body))


def baseline_decode(frame: bytes, fmt: str) -> tuple:
    if zlib.crc32(frame[:-4]) != struct.unpack_from("<I", frame, len(frame) - 4)[0]:
        raise ValueError
    return struct.unpack_from(fmt, frame, 6)


def cases():
    """(name, message, is_response, struct format, flat field values) per frame kind."""
    entries = [ProgramEntry(i // 128, i % 128, 1000 + i, 100) for i in range(128)]
    results = [ProgramResult(1000 + i, 12, 0, 3) for i in range(128)]
    yield "READ request", ReadRequest(0, 0, 1, 128, 4, 3), "<HHHHBB", [0, 0, 1, 128, 4, 3]
    codes = list(range(1000, 1128))
    yield "READ response (128 cells)", ReadResponse(codes), "<B128H", [0, *codes]
    flat = [v for e in entries for v in e]
    yield "PROGRAM request (128 cells)", ProgramRequest(entries), "<" + "HHHH" * 128, flat
    flat = [0, *(v for r in results for v in r)]
    yield "PROGRAM response (128 cells)", ProgramResponse(results), "<B" + "HHBB" * 128, flat


def main() -> None:
    args = parse_args(__doc__.splitlines()[0])
    min_time = 0.05 if args.quick else 0.5
    rows, figures = [], {}
    for name, message, fmt, values in cases():
        is_response = message.IS_RESPONSE
        encode = encode_response if is_response else encode_request
        decode = decode_response if is_response else decode_request
        frame = encode(1, message)
        opcode = frame[4]

        decoder = FrameDecoder()  # one receiver per line, as in a running link

        def codec_decode(frame=frame, decode=decode, decoder=decoder):
            return decode(decoder.feed(frame)[0])

        enc = rate_per_s(lambda m=message, e=encode: e(1, m), min_time_s=min_time)
        dec = rate_per_s(codec_decode, min_time_s=min_time)
        base_enc = rate_per_s(
            lambda o=opcode, f=fmt, v=values: baseline_encode(o, f, v), min_time_s=min_time
        )
        base_dec = rate_per_s(lambda fr=frame, f=fmt: baseline_decode(fr, f), min_time_s=min_time)
        assert codec_decode() == message
        rows.append(
            [name, len(frame), enc, base_enc, enc / base_enc, dec, base_dec, dec / base_dec]
        )
        key = name.split(" (")[0].lower().replace(" ", "_")
        figures[f"{key}_encode_per_s"] = round(enc)
        figures[f"{key}_decode_per_s"] = round(dec)
        figures[f"{key}_encode_ratio"] = round(enc / base_enc, 3)
        figures[f"{key}_decode_ratio"] = round(dec / base_dec, 3)
    print_table(
        ["frame", "bytes", "enc/s", "base enc/s", "enc ratio", "dec/s", "base dec/s", "dec ratio"],
        rows,
    )
    emit_json("codec", {"quick": args.quick, **figures})


if __name__ == "__main__":
    main()
