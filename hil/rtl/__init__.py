"""Helpers to build the RTL with Verilator and run its cocotb benches (see `runner`)."""

from hil.rtl.runner import (
    BUILD_ROOT,
    RTL_DIR,
    CocotbFailure,
    build_model,
    rtl_sources,
    run_cocotb,
)

__all__ = ["BUILD_ROOT", "RTL_DIR", "CocotbFailure", "build_model", "rtl_sources", "run_cocotb"]
