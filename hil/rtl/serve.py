"""Build the RTL chip (`hil/rtl/hdl/sim_chip.sv` around `rtl/chip_top.sv`) and serve it on TCP.

`serve_chip()` is what `hil sim serve --model rtl` runs: it builds the Verilator model (cached
under `build/rtl/` by `hil.rtl.runner.build_model`, the build log next to it), then runs the
simulator in the foreground with the cocotb test `hil.rtl.cocotb_serve.serve_tcp`, which prints
`listening on socket://HOST:PORT` to the inherited stdout once the port is bound and serves until
the simulator is stopped (Ctrl-C, SIGTERM).

With `link="uart"` (the default) the chip's line runs at CLKS_PER_BIT = 4 clocks per bit, bit by
bit in C++ on the chip's real UART pins; with `link="byte"` the chip is built with BYTE_LINK = 1
and a byte costs one clock (same bytes, same frames, far fewer clocks). Python hands whole bytes
to an HDL FIFO either way (`hil.rtl.chip_link`). Each link is its own cached build.
"""

from __future__ import annotations

import tempfile
from contextlib import suppress
from pathlib import Path

from hil.errors import HilError
from hil.rtl import runner
from hil.rtl.chip_link import CLKS_PER_BIT, FIFO_DEPTH, LANES, LINKS
from hil.rtl.runner import PLUSARGS, RTL_DIR, CocotbFailure, build_model

HDL_DIR = Path(__file__).resolve().parent / "hdl"
TOPLEVEL = "sim_chip"
QUIET = {"COCOTB_LOG_LEVEL": "WARNING", "GPI_LOG_LEVEL": "WARNING"}
"""Keep the simulator's stdout to the `listening on` line (and warnings)."""


BUILD_ARGS: tuple[str, ...] = (
    *runner.BUILD_ARGS,
    "--no-public-flat-rw",
    str(HDL_DIR / "sim_chip.vlt"),
)
"""The benches' build options, but only sim_chip's own signals public (sim_chip.vlt)."""


class RtlBuildError(HilError):
    """Verilator could not build the chip model."""


def chip_sources() -> list[Path]:
    """Every rtl/ file (the packages first) and the bridge wrapper, in compile order. All of
    rtl/ rather than a list, so that a module the chip gains is picked up without an edit."""
    files = sorted(RTL_DIR.glob("*.sv"))
    packages = [f for f in files if f.stem.endswith("_pkg")]
    protocol = RTL_DIR / "hil_protocol_pkg.sv"
    ordered = [protocol, *(f for f in packages if f != protocol)]
    modules = [f for f in files if f not in packages]
    return [*ordered, *modules, HDL_DIR / "sim_byte_fifo.sv", HDL_DIR / "sim_chip.sv"]


def chip_parameters(rows: int = 64, cols: int = 128, link: str = "uart") -> dict[str, int]:
    """sim_chip parameters for a `rows` x `cols` device array on `link` ("uart" or "byte")."""
    if link not in LINKS:
        raise ValueError(f"link must be one of {', '.join(LINKS)}, not {link!r}")
    return {"ROWS": rows, "COLS": cols, "CLKS_PER_BIT": CLKS_PER_BIT, "FIFO_DEPTH": FIFO_DEPTH,
            "LANES": LANES, "BYTE_LINK": int(link == "byte")}  # fmt: skip


def link_env() -> dict[str, str]:
    """What `hil.rtl.chip_link` reads in the simulator (either link's build)."""
    return {"CLKS_PER_BIT": str(CLKS_PER_BIT)}


def build_chip(rows: int = 64, cols: int = 128, link: str = "uart") -> Path:
    """Build (or reuse) the served chip model for `link`; return its build directory."""
    parameters = chip_parameters(rows, cols, link)
    try:
        return build_model(TOPLEVEL, chip_sources(), parameters, BUILD_ARGS, log=True)
    except CocotbFailure as error:
        raise RtlBuildError(f"cannot build the RTL chip: {error}") from None


def serve_chip(
    port: int = 0, host: str = "127.0.0.1", rows: int = 64, cols: int = 128, link: str = "uart"
) -> None:
    """Build the chip for `link` and serve it on `host:port` until the simulator is stopped."""
    from cocotb_tools.runner import get_runner

    build_dir = build_chip(rows, cols, link)
    simulator = get_runner("verilator")
    env = {**QUIET, **link_env(), "HIL_RTL_HOST": host, "HIL_RTL_PORT": str(port)}
    # the simulator ends when stopped (Ctrl-C, SIGTERM): its exit code is not an error here
    stopped = suppress(SystemExit, KeyboardInterrupt)
    with tempfile.TemporaryDirectory(prefix="hil-rtl-") as test_dir, stopped:
        simulator.test(
            test_module="hil.rtl.cocotb_serve",
            hdl_toplevel=TOPLEVEL,
            hdl_toplevel_lang="verilog",
            build_dir=build_dir,
            test_dir=test_dir,
            extra_env=env,
            plusargs=list(PLUSARGS),
        )
