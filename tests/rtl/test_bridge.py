"""The host library on the RTL chip in one simulator process (in-process bridge,
tests/rtl/cocotb_bridge.py on hil/rtl/hdl/sim_chip.sv, the build `hil sim serve` uses)."""

from __future__ import annotations

from hil.rtl import run_cocotb
from hil.rtl.chip_link import CLKS_PER_BIT
from hil.rtl.serve import BUILD_ARGS, TOPLEVEL, chip_parameters, chip_sources


def test_bridge(tmp_path) -> None:
    """Both cocotb tests in one simulator process (each resets the chip)."""
    run_cocotb(
        toplevel=TOPLEVEL,
        sources=chip_sources(),
        test_module="tests.rtl.cocotb_bridge",
        test_dir=tmp_path,
        parameters=chip_parameters(),
        extra_env={"CLKS_PER_BIT": str(CLKS_PER_BIT)},
        build_args=BUILD_ARGS,
    )
