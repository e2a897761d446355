"""The `visa:` backend on the model bench: cost of one read, one pulse and a 4 x 8 write-verify
through the whole stack (Chip -> Station -> drivers -> pyvisa -> ModelVisaLibrary -> device
model), against the same operations on an in-process SimChip.

Baseline (same process): SimChip.read / SimChip.pulse of one cell, i.e. the device model alone.
The ratio visa/baseline is the price of the SCPI path per operation; "messages" counts the VISA
writes and queries one operation costs (matrix selection, settings, error-queue checks).

    python benchmarks/bench_visa.py [--quick]
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from harness import emit_json, parse_args, print_table, rate_per_s

from hil.backends.sim import SimChip
from hil.backends.visa import VisaChip
from hil.instruments.model.visa_library import model_bench
from hil.program import program_block

BENCH = Path(__file__).resolve().parents[1] / "data" / "benches" / "model_4x8.toml"


def messages(chip: VisaChip) -> int:
    return sum(len(sim.commands) for sim in model_bench(chip.station.manager).instruments.values())


def main() -> None:
    args = parse_args(__doc__.splitlines()[0])
    min_time_s = 0.3 if args.quick else 1.5
    one = (np.array([1]), np.array([2]))
    sim = SimChip(4, 8, seed=0)
    with VisaChip(BENCH) as chip:
        base_read = rate_per_s(lambda: sim.read(*one), min_time_s=min_time_s)
        base_pulse = rate_per_s(lambda: sim.pulse(*one, 1.0, 1e-6), min_time_s=min_time_s)
        visa_read = rate_per_s(lambda: chip.read(*one), min_time_s=min_time_s)
        visa_pulse = rate_per_s(lambda: chip.pulse(*one, 1.0, 1e-6), min_time_s=min_time_s)
        before = messages(chip)
        chip.read(*one)
        read_messages = messages(chip) - before
        before = messages(chip)
        chip.pulse(np.array([2]), np.array([5]), 1.0, 1e-6)  # a new cell: includes the selection
        pulse_messages = messages(chip) - before
    target = np.random.default_rng(0).uniform(5.0, 35.0, (4, 8))
    with VisaChip(BENCH) as chip:
        before = messages(chip)
        start = time.perf_counter()
        result = program_block(chip, target)
        program_s = time.perf_counter() - start
        program_messages = messages(chip) - before
    start = time.perf_counter()
    sim_result = program_block(SimChip(4, 8, seed=0), target)
    sim_program_s = time.perf_counter() - start
    stats = result.stats()
    rows = [
        ["read one cell", base_read, visa_read, base_read / visa_read, read_messages],
        ["pulse one cell", base_pulse, visa_pulse, base_pulse / visa_pulse, pulse_messages],
    ]
    print_table(["operation", "sim ops/s", "visa ops/s", "visa cost x", "messages"], rows)
    print(
        f"write-verify 4 x 8: {program_s:.2f} s through VISA ({program_messages} messages, "
        f"{program_s / program_messages * 1e6:.0f} us each), {sim_program_s:.3f} s on SimChip; "
        f"{stats.success_pct:.1f} % in tolerance, {stats.pulses_mean:.1f} pulses/device"
    )
    emit_json(
        "visa",
        {
            "sim_read_per_s": round(base_read),
            "visa_read_per_s": round(visa_read),
            "read_cost_ratio": round(base_read / visa_read, 1),
            "read_messages": read_messages,
            "sim_pulse_per_s": round(base_pulse),
            "visa_pulse_per_s": round(visa_pulse),
            "pulse_cost_ratio": round(base_pulse / visa_pulse, 1),
            "pulse_messages": pulse_messages,
            "program_4x8_s": round(program_s, 3),
            "program_4x8_messages": program_messages,
            "program_4x8_sim_s": round(sim_program_s, 4),
            "program_4x8_success_pct": round(stats.success_pct, 2),
            "program_4x8_sim_success_pct": round(sim_result.stats().success_pct, 2),
        },
    )


if __name__ == "__main__":
    main()
