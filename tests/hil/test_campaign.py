"""Retention campaigns: schedules, bakes, virtual and real clocks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hil.backends.sim import SimChip
from hil.campaign import BakeStep, Campaign, Schedule, start_reads
from hil.chip import REFERENCE_LIMITS, Chip, ChipCapabilities, Operation
from hil.store import MeasurementFile


def test_log_spaced_schedule() -> None:
    schedule = Schedule.log_spaced(1e5, per_decade=4)
    assert schedule.t_s[0] == 0.0 and schedule.t_s[1] == 1.0 and schedule.t_s[-1] == 1e5
    assert len(schedule.t_s) == 1 + 5 * 4 + 1
    ratios = schedule.t_s[2:] / schedule.t_s[1:-1]
    assert np.allclose(ratios, 10 ** (1 / 4))
    with pytest.raises(ValueError, match="per_decade >= 1"):
        Schedule.log_spaced(10, per_decade=0)


def test_bake_parsing_and_segments() -> None:
    bake = BakeStep.parse("358:3600@1e4")
    assert (bake.temperature_k, bake.duration_s, bake.start_s) == (358.0, 3600.0, 1e4)
    with pytest.raises(ValueError, match="expected TEMP_K:DURATION_S@START_S"):
        BakeStep.parse("85C for an hour")
    with pytest.raises(ValueError, match=r"outside 250\.\.600 K"):
        BakeStep.parse("1000:10@0")
    schedule = Schedule(np.array([0.0, 1e5]), (bake,))
    segments = schedule.segments(0.0, 1e5)
    assert segments == [(1e4, 300.0), (3600.0, 358.0), (1e5 - 1e4 - 3600.0, 300.0)]
    assert schedule.temperature_at(1e4 + 1) == 358.0 and schedule.temperature_at(0) == 300.0


def run_campaign(tmp_path: Path, name: str, schedule: Schedule, seed: int = 4) -> np.ndarray:
    chip = SimChip(32, 64, seed=seed)
    rows, cols = np.meshgrid(np.arange(32), np.arange(64), indexing="ij")
    chip.program(rows, cols, 20.0, 1.0)
    with MeasurementFile.create(tmp_path / name, chip_id="x", backend="sim", chip_info={}) as store:
        block = (0, 0, 32, 64)
        start_reads(store, chip, schedule, block, n_reads=1)
        calls: list[tuple[int, int]] = []
        taken = Campaign(chip, store, schedule, block).run(lambda d, t: calls.append((d, t)))
        assert taken == len(schedule.t_s) and calls[-1] == (taken, taken)
        series = store.reads()
    assert np.array_equal(series.t_s, schedule.t_s)
    return series.g_us


def test_bake_accelerates_drift_like_arrhenius(tmp_path: Path) -> None:
    plain = Schedule(np.array([0.0, 2e4]))
    baked = Schedule(np.array([0.0, 2e4]), (BakeStep(100.0, 3600.0, 358.15),))
    drift_plain = run_campaign(tmp_path, "plain.h5", plain)
    drift_baked = run_campaign(tmp_path, "baked.h5", baked)
    spread_plain = np.std(drift_plain[1] - drift_plain[0])
    spread_baked = np.std(drift_baked[1] - drift_baked[0])
    # 1 h at 85 C is about 76 days at 27 C: L(t) grows from ln(1+2e4/5ms) to ln(1+6.6e6/5ms).
    expected = np.sqrt(np.log1p(6.6e6 / 5e-3) / np.log1p(2e4 / 5e-3))
    assert spread_baked / spread_plain == pytest.approx(expected, rel=0.1)
    assert np.mean(drift_baked[1] - drift_baked[0]) < np.mean(drift_plain[1] - drift_plain[0])


class WallClockChip(Chip):
    """A real-time chip (no virtual time) whose reads return the time they were taken."""

    def __init__(self, clock: list[float]) -> None:
        self.clock = clock

    def info(self) -> ChipCapabilities:
        ops = frozenset({Operation.READ, Operation.PULSE})
        return ChipCapabilities("wall", "test", 2, 2, REFERENCE_LIMITS, ops, False)

    def _read(self, rows, cols, n_reads, n_discard):
        return np.full(rows.shape, self.clock[0])

    def _pulse(self, rows, cols, v, width_s):
        raise AssertionError("a campaign never pulses")


def test_real_chip_waits_on_the_monotonic_clock(tmp_path: Path, monkeypatch) -> None:
    clock = [1000.0]  # the monotonic clock; UTC runs 1.7e9 s ahead of it
    monkeypatch.setattr("hil.campaign.time.time", lambda: clock[0] + 1.7e9)
    chip = WallClockChip(clock)
    schedule = Schedule(np.array([0.0, 1.0, 10.0, 100.0]))
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        clock[0] += seconds

    with MeasurementFile.create(
        tmp_path / "wall.h5", chip_id="w", backend="test", chip_info={}
    ) as f:
        start_reads(f, chip, schedule, (0, 0, 2, 2), n_reads=1)
        clock[0] += 0.25  # set-up took a moment
        campaign = Campaign(chip, f, schedule, (0, 0, 2, 2), sleep=sleep)
        campaign.monotonic, campaign.wall = (lambda: clock[0]), (lambda: clock[0] + 1.7e9)
        campaign.run()
        series = f.reads()
    assert sleeps == pytest.approx([0.0, 0.75, 9.0, 90.0])
    assert series.g_us[:, 0, 0] == pytest.approx([1000.25, 1001.0, 1010.0, 1100.0])
