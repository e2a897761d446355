"""The RTL benches: toplevel, sources and cocotb module of each, for the pytest files."""

from __future__ import annotations

from pathlib import Path

from hil.rtl import rtl_sources, run_cocotb

HDL_DIR = Path(__file__).resolve().parent / "hdl"
CLKS_PER_BIT = 8


def run_bench(
    bench: str,
    modules: list[str],
    test_module: str,
    test: str,
    tmp_path: Path,
    clks_per_bit: int = CLKS_PER_BIT,
    extra_env: dict[str, str] | None = None,
) -> Path:
    """Run cocotb test `test` of tests/rtl/<test_module>.py on tests/rtl/hdl/<bench>.sv."""
    helpers = [HDL_DIR / "tb_byte_src.sv"] if bench in ("tb_uart", "tb_frame_rx") else []
    return run_cocotb(
        toplevel=bench,
        sources=[*rtl_sources(*modules), *helpers, HDL_DIR / f"{bench}.sv"],
        test_module=f"tests.rtl.{test_module}",
        test_dir=tmp_path,
        parameters={"CLKS_PER_BIT": clks_per_bit},
        test_filter=rf"\.{test}$",
        extra_env={"CLKS_PER_BIT": str(clks_per_bit), **(extra_env or {})},
    )
