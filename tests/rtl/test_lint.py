"""Every SystemVerilog file under rtl/ is lint-clean under `verilator --lint-only -Wall`."""

from __future__ import annotations

import subprocess
from pathlib import Path

from hil.verilator_env import activate

RTL = Path(__file__).resolve().parents[2] / "rtl"


def test_rtl_lints_clean_with_wall() -> None:
    package = RTL / "hil_protocol_pkg.sv"
    # packages before the modules that import them
    packages = [package, *sorted(p for p in RTL.glob("*_pkg.sv") if p != package)]
    modules = sorted(p for p in RTL.glob("*.sv") if p not in packages)
    assert len(modules) >= 5
    result = subprocess.run(
        [str(activate()), "--lint-only", "-Wall", *map(str, packages), *map(str, modules)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "%Warning" not in result.stderr
