"""hil.rtl.runner: a failing cocotb test fails the caller, an empty selection is an error, and
a model is built once and then reused."""

from __future__ import annotations

import pytest

from hil.rtl import CocotbFailure
from hil.rtl.runner import BUILD_ROOT
from tests.rtl.benches import run_bench
from tests.rtl.test_uart import UART


def test_failing_bench_raises(tmp_path):
    with pytest.raises(CocotbFailure, match=r"deliberate_failure: .*deliberate failure"):
        run_bench(
            "tb_uart",
            UART,
            "cocotb_uart",
            "deliberate_failure",
            tmp_path,
            extra_env={"HIL_RTL_SELFTEST": "1"},
        )


def test_no_matching_test_raises(tmp_path):
    with pytest.raises(CocotbFailure, match="no test matched"):
        run_bench("tb_uart", UART, "cocotb_uart", "no_such_test", tmp_path)


def test_build_is_cached(tmp_path):
    run_bench("tb_uart", UART, "cocotb_uart", "short_glitch_ignored", tmp_path / "a")
    builds = sorted(BUILD_ROOT.glob("tb_uart-*/hil-build.json"))
    stamps = {p: p.stat().st_mtime_ns for p in builds}
    run_bench("tb_uart", UART, "cocotb_uart", "short_glitch_ignored", tmp_path / "b")
    assert {p: p.stat().st_mtime_ns for p in builds} == stamps
