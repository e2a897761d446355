"""The write-verify engine alone (cocotb unit bench tests/rtl/cocotb_program_engine.py on
tests/rtl/hdl/tb_program_engine.sv, an 8 x 16 array): bit-exact with the twin, exact cycle cost,
refused batches."""

from __future__ import annotations

from hil.rtl import rtl_sources, run_cocotb
from tests.rtl.benches import HDL_DIR

ENGINE = ["device_pkg", "byte_ram", "cell_array", "lfsr", "program_engine"]


def test_program_engine(tmp_path) -> None:
    run_cocotb(
        toplevel="tb_program_engine",
        sources=[*rtl_sources(*ENGINE), HDL_DIR / "tb_program_engine.sv"],
        test_module="tests.rtl.cocotb_program_engine",
        test_dir=tmp_path,
    )
