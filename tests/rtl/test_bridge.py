"""The host library on the RTL chip in one simulator process (in-process bridge,
tests/rtl/cocotb_bridge.py on hil/rtl/hdl/sim_chip.sv, the build `hil sim serve` uses)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hil.rtl import run_cocotb
from hil.rtl.chip_link import CLKS_PER_BIT
from hil.rtl.serve import BUILD_ARGS, TOPLEVEL, chip_parameters, chip_sources


def _run(test: str, tmp_path: Path) -> None:
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


def test_host_reads_and_pulses_match_twin(tmp_path: Path) -> None:
    _run("host_reads_and_pulses_match_twin", tmp_path)


@pytest.mark.slow
def test_host_side_write_verify_converges(tmp_path: Path) -> None:
    """About 15-30 s; on-chip PROGRAM and the CLI path are covered by test_e2e_rtl.py."""
    _run("host_side_write_verify_converges", tmp_path)
