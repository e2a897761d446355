"""The spec is the one source of truth: generated files are current, consistent and usable."""

from __future__ import annotations

import copy
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from firmware_interface import protocol
from firmware_interface.codec import encode_request
from firmware_interface.generate import PROJECT_ROOT, TARGETS, render_all
from firmware_interface.generate.spec import SPEC_PATH, SpecError, _build, load_spec
from firmware_interface.protocol import ProgramEntry, ProgramRequest
from hil.verilator_env import activate


def run_generate(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "firmware_interface.generate", *args],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
    )


def test_check_passes_on_the_tree() -> None:
    result = run_generate("--check")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("edited", sorted(TARGETS))
def test_check_names_an_edited_file(tmp_path: Path, edited: str) -> None:
    for path in TARGETS:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(PROJECT_ROOT / path, tmp_path / path)
    assert run_generate("--check", "--root", str(tmp_path)).returncode == 0
    with (tmp_path / edited).open("a", encoding="utf-8") as handle:
        handle.write("\n")
    result = run_generate("--check", "--root", str(tmp_path))
    assert result.returncode == 1
    assert f"stale: {edited}" in result.stderr
    assert result.stderr.count("stale:") == 1
    assert run_generate("--root", str(tmp_path)).returncode == 0  # regenerating repairs it
    assert run_generate("--check", "--root", str(tmp_path)).returncode == 0


def raw_spec() -> dict:
    with SPEC_PATH.open("rb") as handle:
        return tomllib.load(handle)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda s: s["opcode"][1].update(code=s["opcode"][0]["code"]), "duplicate"),
        (
            lambda s: s["opcode"][3]["request"].append({"name": "x", "type": "u8"}),
            "must be the last field",
        ),
        (lambda s: s["register"][0].update(unit="volts"), "unknown unit 'volts'"),
        (lambda s: s["opcode"][0].update(code=0x81), "collides with RESPONSE_FLAG"),
        (lambda s: s["status"].pop(), "status codes missing"),
        (lambda s: s["reference_chip"].pop("rows"), "reference_chip must give every INFO field"),
        (lambda s: s["register"][0].update(reset=0), "outside"),
    ],
    ids=[
        "dup-opcode",
        "array-not-last",
        "bad-unit",
        "flag-clash",
        "missing-status",
        "chip",
        "reset",
    ],
)
def test_inconsistent_spec_is_refused(mutate, message: str) -> None:
    spec = copy.deepcopy(raw_spec())
    mutate(spec)
    with pytest.raises(SpecError, match=message):
        _build(spec)


def test_python_module_matches_spec() -> None:
    spec = load_spec()
    assert spec.max_payload == protocol.MAX_PAYLOAD
    for op in spec.opcodes:
        assert protocol.REQUESTS[protocol.Opcode[op.name]].LAYOUT.max_size == op.request.max_size
        assert protocol.RESPONSES[protocol.Opcode[op.name]].LAYOUT.max_size == op.response.max_size
    # 64 x 128 devices = 8192 cells in at most 64 PROGRAM frames.
    cells = protocol.REFERENCE_CHIP.rows * protocol.REFERENCE_CHIP.cols
    per_frame = protocol.ProgramRequest.LAYOUT.array.max_count
    assert -(-cells // per_frame) <= 64


def test_protocol_md_documents_every_status_and_opcode() -> None:
    text = render_all()["firmware_interface/PROTOCOL.md"]
    for status in protocol.Status:
        assert f"| {status.name} |" in text
    for opcode in protocol.Opcode:
        assert f"### {opcode.name} (0x{opcode.value:02X})" in text
    assert "CRC-32/ISO-HDLC" in text and "0x4C11DB7" in text


def sample_frame() -> bytes:
    entries = [ProgramEntry(r, 2 * r, 1000 + r, 100) for r in range(5)]
    return encode_request(0x42, ProgramRequest(entries))


def test_c_header_compiles_and_agrees(tmp_path: Path) -> None:
    if shutil.which("gcc") is None:
        pytest.skip("gcc is not installed")
    frame = sample_frame()
    body = frame[: -protocol.TRAILER_BYTES]
    source = tmp_path / "check.c"
    source.write_text(
        '#include <stdio.h>\n#include "hil_protocol.h"\n'
        f"static const uint8_t frame[] = {{{', '.join(str(b) for b in body)}}};\n"
        "int main(void) {\n"
        '    printf("%u %u %u %u %u\\n", (unsigned)hil_header_crc(frame, 5),\n'
        "           (unsigned)hil_frame_crc(frame, sizeof frame), HIL_MAX_PAYLOAD,\n"
        "           (unsigned)HIL_OP_PROGRAM, (unsigned)HIL_STATUS_LIMIT);\n"
        '    printf("%u %u\\n", (unsigned)hil_frame_crc((const uint8_t *)"123456789", 9),\n'
        "           HIL_PROGRAM_REQ_ELEMENT_BYTES);\n"
        "    return 0;\n}\n",
        encoding="utf-8",
    )
    exe = tmp_path / "check"
    include = PROJECT_ROOT / "firmware_interface" / "c"
    flags = ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-Wconversion"]
    subprocess.run(["gcc", *flags, "-I", str(include), str(source), "-o", str(exe)], check=True)
    lines = subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout.split()
    expected = [
        frame[5],
        int.from_bytes(frame[-4:], "little"),
        protocol.MAX_PAYLOAD,
        protocol.Opcode.PROGRAM,
        protocol.Status.LIMIT,
        protocol.FRAME_CRC.check_value,
        8,
    ]
    assert [int(x) for x in lines] == expected


def test_sv_package_lints_clean() -> None:
    verilator = activate()
    result = subprocess.run(
        [str(verilator), "--lint-only", "-Wall", str(PROJECT_ROOT / "rtl/hil_protocol_pkg.sv")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_sv_package_crcs_agree_with_python(tmp_path: Path) -> None:
    """Build and run a tiny SystemVerilog program on the generated CRC functions (Verilator)."""
    verilator = activate()
    frame = sample_frame()
    body = frame[: -protocol.TRAILER_BYTES]
    data = ", ".join(f"8'h{b:02X}" for b in body)
    top = tmp_path / "crc_check.sv"
    top.write_text(
        "module crc_check;\n"
        "  import hil_protocol_pkg::*;\n"
        f"  localparam int N = {len(body)};\n"
        f"  localparam logic [7:0] FRAME [N] = '{{{data}}};\n"
        "  initial begin\n"
        "    logic [7:0] h;\n"
        "    logic [31:0] f;\n"
        "    h = HCRC_INIT_REG;\n"
        "    f = FCRC_INIT_REG;\n"
        "    for (int i = 0; i < 5; i++) h = hcrc_update(h, FRAME[i]);\n"
        "    for (int i = 0; i < N; i++) f = fcrc_update(f, FRAME[i]);\n"
        '    $display("%0d %0d %0d", h ^ HCRC_XOROUT, f ^ FCRC_XOROUT, MAX_PAYLOAD);\n'
        "    $finish;\n"
        "  end\n"
        "endmodule\n",
        encoding="utf-8",
    )
    build = tmp_path / "obj"
    subprocess.run(
        [
            str(verilator),
            "--binary",
            "-Wall",
            "--top-module",
            "crc_check",
            "--Mdir",
            str(build),
            "-j",
            "2",
            str(PROJECT_ROOT / "rtl/hil_protocol_pkg.sv"),
            str(top),
        ],
        check=True,
        capture_output=True,
    )
    out = subprocess.run([str(build / "Vcrc_check")], capture_output=True, text=True, check=True)
    values = [int(x) for x in out.stdout.split()[:3]]
    assert values == [frame[5], int.from_bytes(frame[-4:], "little"), protocol.MAX_PAYLOAD]
