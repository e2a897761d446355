"""The host library on the RTL chip in one simulator process (in-process bridge,
tests/rtl/cocotb_bridge.py on hil/rtl/hdl/sim_chip.sv, the build `hil sim serve` uses)."""

from __future__ import annotations

import pytest

from hil.rtl import run_cocotb
from hil.rtl.chip_link import CLKS_PER_BIT
from hil.rtl.serve import BUILD_ARGS, TOPLEVEL, chip_parameters, chip_sources


@pytest.mark.parametrize("test", ["host_reads_and_pulses_match_twin",
                                  "host_side_write_verify_converges"])  # fmt: skip
def test_bridge(test, tmp_path) -> None:
    run_cocotb(
        toplevel=TOPLEVEL,
        sources=chip_sources(),
        test_module="tests.rtl.cocotb_bridge",
        test_dir=tmp_path,
        parameters=chip_parameters(),
        test_filter=rf"\.{test}$",
        extra_env={"CLKS_PER_BIT": str(CLKS_PER_BIT)},
        build_args=BUILD_ARGS,
    )
