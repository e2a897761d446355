"""The host library on the RTL chip in one simulator process (in-process bridge,
tests/rtl/cocotb_bridge.py on hil/rtl/hdl/sim_chip.sv, the builds `hil sim serve` uses: the
UART link by default, the byte link (`--link byte`, benchmarks/bench_rtl.py) as a slow test
with its own build)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hil.rtl import run_cocotb
from hil.rtl.serve import BUILD_ARGS, TOPLEVEL, chip_parameters, chip_sources, link_env


def _run(test: str, tmp_path: Path, link: str = "uart") -> None:
    run_cocotb(
        toplevel=TOPLEVEL,
        sources=chip_sources(),
        test_module="tests.rtl.cocotb_bridge",
        test_dir=tmp_path,
        parameters=chip_parameters(link=link),
        test_filter=rf"\.{test}$",
        extra_env=link_env(),
        build_args=BUILD_ARGS,
    )


@pytest.mark.parametrize("link", ["uart", pytest.param("byte", marks=pytest.mark.slow)])
def test_host_reads_and_pulses_match_twin(tmp_path: Path, link: str) -> None:
    """Every response checked against the bit-exact twin, over either link (byte: its own build,
    about 2 min cold)."""
    _run("host_reads_and_pulses_match_twin", tmp_path, link)


@pytest.mark.slow
def test_host_side_write_verify_converges(tmp_path: Path) -> None:
    """About 15-30 s; on-chip PROGRAM and the CLI path are covered by test_e2e_rtl.py."""
    _run("host_side_write_verify_converges", tmp_path)
