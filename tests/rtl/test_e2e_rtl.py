"""End to end on the RTL chip: `hil program`, `hil read` and `hil retention` through the CLI
against one `hil sim serve --model rtl` (the chip's state lives in that server, so every command
reaches it with --backend serial:socket://...), compared with the same layer on SimChip.

Statistics compared (the RTL runs the fixed-point twin of SimChip's device model, so the two
agree in distribution, not cell by cell), both under the NeuRRAM policy (on-chip PROGRAM where
the chip has it, else host-side write-verify with the same ramps):

- success: both at least 95 % of devices within tolerance and within 5 points of each other;
- programmed error g - target of successful devices: |mean| < 0.3 uS on both, both within the
  1 uS tolerance;
- pulses per device: means within a factor 1.5 of each other;
- `hil read` after programming: the read conductances equal the programmed ones within 1.5 uS
  (tolerance plus a little read noise and relaxation) for 95 % of the devices;
- `hil retention` to 1e4 s (virtual time): the drift g(1e4 s) - g(first read) of the programmed
  devices has a standard deviation within a factor 2 of SimChip's and a mean within 0.5 uS.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from hil.cli import main
from hil.rtl.process import RtlServer
from hil.store import MeasurementFile

POLICY = Path(__file__).resolve().parents[2] / "data" / "policies" / "neurram.toml"


@pytest.fixture(scope="module")
def rtl_url():
    """One `hil sim serve --model rtl` (it printed its URL); Ctrl-C must end it cleanly."""
    server = RtlServer()
    try:
        yield server.url
    finally:
        server.stop()
    assert server.process.returncode == 0, "hil sim serve --model rtl failed on Ctrl-C"


def _cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _programmed(path: Path):
    with MeasurementFile.open(path, "r") as store:
        return store.programming(), store.metadata


def test_program_read_retention_on_rtl(rtl_url: str, tmp_path: Path) -> None:
    weights = np.random.default_rng(16).normal(0.0, 1.0, (16, 16))
    np.save(tmp_path / "layer.npy", weights)
    backend = f"serial:{rtl_url}"
    rtl_h5, sim_h5 = tmp_path / "rtl.h5", tmp_path / "sim.h5"
    common = ["--weights", str(tmp_path / "layer.npy"), "--policy", str(POLICY)]
    _cli("program", *common, "--out", str(rtl_h5), "--backend", backend)
    _cli("program", *common, "--out", str(sim_h5), "--backend", "sim", "--seed", "3")

    rtl, meta = _programmed(rtl_h5)
    sim, _ = _programmed(sim_h5)
    assert meta["run"]["backend_spec"] == backend
    assert rtl.targeted.sum() == sim.targeted.sum() == 16 * 32
    ok_rtl, ok_sim = rtl.success[rtl.targeted], sim.success[sim.targeted]
    assert ok_rtl.mean() >= 0.95 and ok_sim.mean() >= 0.95
    assert abs(ok_rtl.mean() - ok_sim.mean()) <= 0.05
    for maps in (rtl, sim):
        error = maps.error_us[maps.success]
        assert abs(error.mean()) < 0.3 and np.abs(error).max() <= 1.0 + 1e-9
    pulses_rtl = rtl.pulses[rtl.targeted].mean()
    pulses_sim = sim.pulses[sim.targeted].mean()
    assert 1 / 1.5 <= pulses_rtl / pulses_sim <= 1.5, (pulses_rtl, pulses_sim)

    read_h5 = tmp_path / "read.h5"
    _cli("read", "--out", str(read_h5), "--backend", backend, "--n-reads", "4")
    with MeasurementFile.open(read_h5, "r") as store:
        g_read = store.reads().g_us[0]
    targeted = rtl.targeted
    close = np.abs(g_read[targeted] - rtl.g_us[targeted]) <= 1.5
    assert close.mean() >= 0.95

    # virtual time: the campaign advances the chip's clock with ADVANCE_TIME between reads
    drifts = []
    for path in (rtl_h5, sim_h5):
        _cli("retention", str(path), "--until", "1e4", "--per-decade", "2")
        with MeasurementFile.open(path, "r") as store:
            series = store.reads()
        assert series.t_s.size == series.schedule_t_s.size >= 8
        assert series.t_s[-1] == pytest.approx(1e4, rel=1e-6)
        g = series.g_us[:, targeted[: series.g_us.shape[1], : series.g_us.shape[2]]]
        assert np.isfinite(g).all()
        drifts.append(g[-1] - g[0])
    rtl_drift, sim_drift = drifts
    assert 0.5 <= rtl_drift.std() / sim_drift.std() <= 2.0, (rtl_drift.std(), sim_drift.std())
    assert abs(rtl_drift.mean() - sim_drift.mean()) < 0.5
