"""chip_top end to end over the UART against the fixed-point twin (cocotb bench
tests/rtl/cocotb_chip.py on tests/rtl/hdl/tb_chip.sv), plus a check that the device constants
generated into rtl/device_pkg.sv still match `FixedLuts.from_params(DeviceParams())`."""

from __future__ import annotations

from pathlib import Path

import pytest

from hil.device.fixed_point import generated_block, sv_constants
from hil.rtl import rtl_sources, run_cocotb

HDL_DIR = Path(__file__).resolve().parent / "hdl"
DEVICE_PKG = Path(__file__).resolve().parents[2] / "rtl" / "device_pkg.sv"
CHIP = ["device_pkg", "byte_ram", "uart_rx", "uart_tx", "frame_rx", "frame_tx", "lfsr", "regfile",
        "cell_array", "program_engine", "relax_walker", "mvm_unit", "line_noise", "cmd_exec",
        "chip_top"]  # fmt: skip


def test_device_constants_are_current() -> None:
    """`python -m hil.device.fixed_point --check` in test form: the LUT block is current."""
    assert generated_block(DEVICE_PKG.read_text()) == sv_constants()


@pytest.mark.parametrize(
    "bench",
    ["chip_scoreboard", "program_scoreboard", "time_scoreboard", "mvm_scoreboard",
     "fault_scoreboard", "robustness"],
)  # fmt: skip
def test_chip(bench: str, tmp_path) -> None:
    """One cocotb test of tests/rtl/cocotb_chip.py (one cached build for all of them)."""
    run_cocotb(
        toplevel="tb_chip",
        sources=[*rtl_sources(*CHIP), HDL_DIR / "tb_byte_src.sv", HDL_DIR / "tb_chip.sv"],
        test_module="tests.rtl.cocotb_chip",
        test_dir=tmp_path,
        parameters={"CLKS_PER_BIT": 8},
        test_filter=rf"\.{bench}$",
        extra_env={"CLKS_PER_BIT": "8"},
    )


@pytest.mark.slow  # a second Verilator build of the chip (about 2 minutes on 2 cores)
def test_chip_over_the_byte_link(tmp_path) -> None:
    """chip_top with BYTE_LINK = 1 (no UARTs, one byte per clock; its own cached build): the
    INFO/CONFIG/READ/PULSE and PROGRAM scoreboards still match the twin byte for byte."""
    run_cocotb(
        toplevel="tb_chip",
        sources=[*rtl_sources(*CHIP), HDL_DIR / "tb_byte_src.sv", HDL_DIR / "tb_chip.sv"],
        test_module="tests.rtl.cocotb_chip",
        test_dir=tmp_path,
        parameters={"CLKS_PER_BIT": 8, "BYTE_LINK": 1},
        test_filter=r"\.(chip_scoreboard|program_scoreboard)$",
        extra_env={"CLKS_PER_BIT": "8"},
    )
