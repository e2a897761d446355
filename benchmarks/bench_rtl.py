"""Program a 64 x 64 differential layer on the RTL chip over the TCP bridge: on-chip PROGRAM vs
host-side per-pulse write-verify.

Layer: 64 x 64 weights ~ N(0, 1) (seed 7), mapped by `hil.mapping.map_weights` (default SIGN
pairs over 1-40 uS) to 64 x 128 devices: the whole default RTL chip. Policy: NeuRRAM's fixed
ramp (data/policies/neurram.toml), which the chip's PROGRAM registers express exactly, so both
methods run the same algorithm:

- (a) on-chip: `offload = "auto"`, one CONFIG frame and PROGRAM frames of 128 entries;
- (b) host-side: `offload = "never"`, `hil.program`'s vectorised engine, every step one READ
  frame per 512-cell rectangle and one PULSE frame per row run of equal amplitude (the fewest
  frames the protocol allows; nothing slowed down).

Each method runs on a freshly started `hil sim serve --model rtl --link byte` (a fresh chip, same
seed), the build cached: the chip built with chip_top's byte link (BYTE_LINK = 1, one clock per byte
instead of 40 through the 4-clock UART). The bytes and round trips on the wire are the same as over
the UART link (`--link uart`, the default, which tests/rtl/test_e2e_rtl.py exercises); only the
simulated clocks a byte costs differ, and (a) runs over the UART link too, as the reference.
Reported per method: wall time, bytes on the wire and round trips per device, simulated clocks per
second of the bridge against Verilator's raw rate for this design (an idle chip under one Timer,
measured in the same run), and the projected time on a real bench link from the measured traffic:
bytes x 10 bits / 3 Mbaud + round trips x 1 ms (USB-serial latency; chip execution time not
included). With --quick, (b) programs only the first 8 rows and its figures per device are
extrapolated to the layer (marked in the table).

Targets (issue 5): (a) under 30 s wall on a 2-core machine; projected, (a) at least 20 x faster
than (b).

    python benchmarks/bench_rtl.py [--quick]
"""

from __future__ import annotations

import json
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from harness import emit_json, parse_args, print_table

from hil.backends.serial_board import SIMULATOR_TIMEOUT_S, SerialBoardChip
from hil.mapping import map_weights
from hil.program import program_weights, shipped_policy
from hil.rtl import run_cocotb
from hil.rtl.chip_link import CLK_NS
from hil.rtl.process import RtlServer
from hil.rtl.serve import (
    BUILD_ARGS,
    QUIET,
    TOPLEVEL,
    build_chip,
    chip_parameters,
    chip_sources,
    link_env,
)

WEIGHT_SEED = 7
BAUD = 3_000_000
"""Bench UART (FTDI FT232H-class adapters run 8N1 at 3 Mbaud)."""
USB_ROUND_TRIP_S = 1e-3
"""One USB full-speed frame per direction turn-around (1 ms frames)."""
RAW_CYCLES = 1_000_000
LINK = "byte"
"""The served chip's link (see the module docstring)."""
REFERENCE_LINK = "uart"
"""(a) also runs over this link, for the clocks and wall time the byte link saves."""


@dataclass
class Run:
    """One method's figures."""

    name: str
    link: str
    devices: int
    wall_s: float
    bytes_total: int
    round_trips: int
    cycles: int
    server_wall_s: float
    success_pct: float
    pulses_mean: float

    @property
    def projected_s(self) -> float:
        return self.bytes_total * 10 / BAUD + self.round_trips * USB_ROUND_TRIP_S

    @property
    def cycles_per_s(self) -> float:
        return self.cycles / self.server_wall_s


def raw_cycle_rate(link: str) -> float:
    """Clocks per second of the idle chip built for `link` under one Timer
    (hil.rtl.cocotb_rate)."""
    with tempfile.TemporaryDirectory() as work:
        run_cocotb(TOPLEVEL, chip_sources(), "hil.rtl.cocotb_rate", work,
                   chip_parameters(link=link), build_args=BUILD_ARGS,
                   extra_env={"HIL_RTL_RATE_CYCLES": str(RAW_CYCLES), **QUIET,
                              **link_env()})  # fmt: skip
        figures = json.loads((Path(work) / "rate.json").read_text())
    return figures["cycles"] / figures["wall_s"]


def run(name: str, offload: str, rows: int, link: str = LINK) -> Run:
    """Program the first `rows` rows of the layer on a fresh RTL chip served over `link`."""
    weights = np.random.default_rng(WEIGHT_SEED).normal(0.0, 1.0, (64, 64))
    mapped = map_weights(weights[:rows])
    policy = shipped_policy("neurram").replace(offload=offload)
    server = RtlServer(link=link)
    try:
        chip = SerialBoardChip(server.url, timeout_s=SIMULATOR_TIMEOUT_S)
        start = time.perf_counter()
        result = program_weights(chip, mapped, policy=policy)
        wall_s = time.perf_counter() - start
        stats = chip.stats
        info_bytes = stats["INFO"].bytes_sent + stats["INFO"].bytes_received
        chip.close()
        cycles, server_wall_s = server.connection_stats()
    finally:
        server.stop()
    return Run(
        name=name,
        link=link,
        devices=result.success.size,
        wall_s=wall_s,
        bytes_total=stats.bytes_sent + stats.bytes_received - info_bytes,
        round_trips=stats.round_trips - stats["INFO"].round_trips,
        cycles=cycles,
        server_wall_s=server_wall_s,
        success_pct=100 * result.success.mean(),
        pulses_mean=float(result.pulses.mean()),
    )


def main() -> None:
    args = parse_args(__doc__.splitlines()[0])
    start = time.perf_counter()
    for link in (LINK, REFERENCE_LINK):
        build_chip(link=link)
    build_s = time.perf_counter() - start
    raw = {link: raw_cycle_rate(link) for link in (LINK, REFERENCE_LINK)}
    on_chip = run("(a) on-chip PROGRAM", "auto", 64)
    reference = run("(a) on-chip PROGRAM", "auto", 64, REFERENCE_LINK)
    host_rows = 8 if args.quick else 64
    host = run("(b) host-side write-verify", "never", host_rows)
    scale = 64 / host_rows  # per-device figures carry over; totals scale with the devices
    layer = 64 * 128
    rows = []
    for r, k in ((on_chip, 1.0), (reference, 1.0), (host, scale)):
        label = r.name + ("" if k == 1 else f" ({r.devices} devices, x{k:g})")
        rows.append([label, r.link, r.wall_s * k, r.bytes_total / r.devices,
                     r.round_trips / r.devices, r.cycles * k, r.cycles_per_s,
                     r.cycles_per_s / raw[r.link], r.projected_s * k, r.success_pct,
                     r.pulses_mean])  # fmt: skip
    rates = ", ".join(f"{link} link {rate:,.0f}" for link, rate in raw.items())
    print(f"raw Verilator rate of the idle chip, clocks/s: {rates} (build/cache {build_s:.1f} s)")
    print_table(
        ["method", "link", "wall s", "bytes/dev", "round trips/dev", "sim clocks", "sim clk/s",
         "of raw", "projected s", "success %", "pulses/dev"],
        rows,
    )  # fmt: skip
    same = (on_chip.bytes_total, on_chip.round_trips, on_chip.pulses_mean) == (
        reference.bytes_total,
        reference.round_trips,
        reference.pulses_mean,
    )
    print(f"(a) over both links: same bytes, round trips and pulses: {same}")
    speedup = host.projected_s * scale / on_chip.projected_s
    bench = f"{BAUD / 1e6:g} Mbaud, {USB_ROUND_TRIP_S * 1e3:g} ms per round trip"
    print(f"projected bench link ({bench}): (a) is {speedup:.0f} x faster than (b)")
    emit_json(
        "rtl",
        {
            "layer_devices": layer,
            "link": LINK,
            "raw_cycles_per_s": raw[LINK],
            "raw_cycles_per_s_uart": raw[REFERENCE_LINK],
            "a_wall_s": on_chip.wall_s,
            "a_cycles": on_chip.cycles,
            "a_bytes_per_device": on_chip.bytes_total / on_chip.devices,
            "a_round_trips_per_device": on_chip.round_trips / on_chip.devices,
            "a_cycles_per_s": on_chip.cycles_per_s,
            "a_projected_s": on_chip.projected_s,
            "a_success_pct": on_chip.success_pct,
            "a_uart_wall_s": reference.wall_s,
            "a_uart_cycles": reference.cycles,
            "a_uart_cycles_per_s": reference.cycles_per_s,
            "a_links_same_traffic": same,
            "b_devices_measured": host.devices,
            "b_wall_s_layer": host.wall_s * scale,
            "b_bytes_per_device": host.bytes_total / host.devices,
            "b_round_trips_per_device": host.round_trips / host.devices,
            "b_cycles_per_s": host.cycles_per_s,
            "b_projected_s_layer": host.projected_s * scale,
            "b_success_pct": host.success_pct,
            "projected_speedup": speedup,
            "cycle_ns": CLK_NS,
        },
    )


if __name__ == "__main__":
    main()
