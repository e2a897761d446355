"""The RTL chip under Verilator from Python.

- `runner`: build Verilator models once (cached under build/rtl/) and run cocotb benches.
- `serve`: build the served chip (`hdl/sim_chip.sv` around rtl/chip_top.sv) and run it as a TCP
  server (`hil sim serve --model rtl`); `cocotb_serve` is the cocotb side of that server.
- `process`: `--backend rtl`, a server subprocess for the duration of one command.
- `chip_link`, `bridge`: the byte link into the simulated chip and the in-process lockstep bridge
  (`SimSerial`) that runs the unmodified host library inside a cocotb test.
- `cocotb_rate`: Verilator's raw clock rate for the served chip (for benchmarks/bench_rtl.py).

Only `runner` is imported here: the others import cocotb and run inside the simulator or start
one.
"""

from hil.rtl.runner import (
    BUILD_ROOT,
    RTL_DIR,
    CocotbFailure,
    build_model,
    rtl_sources,
    run_cocotb,
)

__all__ = ["BUILD_ROOT", "RTL_DIR", "CocotbFailure", "build_model", "rtl_sources", "run_cocotb"]
