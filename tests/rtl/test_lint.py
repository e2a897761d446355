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


def test_chip_lints_clean_with_the_byte_link() -> None:
    """chip_top's other configuration (BYTE_LINK = 1: no UARTs) is lint-clean too."""
    files = sorted(RTL.glob("*.sv"))
    packages = [RTL / "hil_protocol_pkg.sv", RTL / "device_pkg.sv"]
    modules = [p for p in files if p not in packages]
    result = subprocess.run(
        [str(activate()), "--lint-only", "-Wall", "--top-module", "chip_top", "-GBYTE_LINK=1",
         *map(str, packages), *map(str, modules)],
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "%Warning" not in result.stderr
