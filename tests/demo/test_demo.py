"""`hil demo` end to end in the reduced configuration (`--quick`), its HDF5 file and its report."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pytest
from click.testing import CliRunner

from calibration.retention import load_model
from hil.cli import main
from hil.demo import EVAL_TIMES_S, METHOD_DORA, METHOD_NONE

from . import browser

MIN_SUCCESS_PCT = 97.0
"""Issue 9: programming success of at least 97 %."""
RANGE_MARGIN = 0.25
"""Fitted a and k may leave the device model's [min, max] over its levels by this share of the
span: cells at the window's floor (1 uS) cannot relax below it, which biases their fitted a up
by about 0.01 uS (seen in every run), and the top level is clipped by each cell's own G_max."""
MANY_CELLS = 200
"""Levels with this many cells are held to their point estimate; the sparse top levels (tens of
cells) to their confidence interval."""
TAU_FACTOR = 3.0
"""Fitted tau within this factor of the device model's (a log-grid estimate)."""
TAIL_FACTOR = 1.5
"""Fitted NLNV sigma within this factor of the device model's (0.9; 0.95 in the runs seen)."""


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """One `hil demo --quick` run: its directory and the summary stored in demo.h5."""
    out = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(main, ["demo", "--out", str(out), "--quick", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert f"wrote {out / 'report.html'}" in result.output
    with h5py.File(out / "demo.h5", "r") as handle:
        summary = json.loads(handle["demo"].attrs["summary"])
    return out, summary


def _stage(summary: dict[str, Any], key: str) -> dict[str, Any]:
    return next(s for s in summary["stages"] if s["key"] == key)


def test_chip_stages_ran(demo_run: tuple[Path, dict[str, Any]]) -> None:
    _, summary = demo_run
    for key in ("model", "finetune", "map", "program", "retention", "fit", "calibrate", "evaluate"):
        assert _stage(summary, key)["status"] == "done", _stage(summary, key)


def test_programming_success(demo_run: tuple[Path, dict[str, Any]]) -> None:
    out, summary = demo_run
    programming = summary["programming"]
    weights = sum(s["in_features"] * s["out_features"] for s in summary["layers"])
    assert programming["devices"] == 2 * weights  # every weight as a pair, no padding
    assert programming["success_pct"] >= MIN_SUCCESS_PCT
    with h5py.File(out / "demo.h5", "r") as handle:
        assert handle["programming/done"][()].sum() == 2 * weights
        assert handle["reads/t_s"][-1] == pytest.approx(365.25 * 86400)


def test_fitted_parameters_within_device_range(demo_run: tuple[Path, dict[str, Any]]) -> None:
    out, summary = demo_run
    fit = summary["fit"]
    many = np.array([level["cells"] >= MANY_CELLS for level in fit["levels"]])
    assert many.sum() >= 10
    for name in ("a_us", "k_us2"):
        low, high = fit["device_range"][name]
        margin = RANGE_MARGIN * (high - low)
        fitted = np.array([level[name] for level in fit["levels"]])
        lo = np.array([level[f"{name}_lo"] for level in fit["levels"]])
        hi = np.array([level[f"{name}_hi"] for level in fit["levels"]])
        assert np.all((lo <= fitted) & (fitted <= hi))
        inside = (fitted >= low - margin) & (fitted <= high + margin)
        assert np.all(inside[many]), (name, fitted)
        assert np.all((hi >= low - margin) & (lo <= high + margin)), (name, lo, hi)
    assert fit["tail"] == "nlnv"  # the heavy tail of the device's per-cell relaxation variance
    stored = load_model(out / "demo.h5")  # the fitted model, where `hil fit` would put it
    assert stored.tail == "nlnv" and stored.tail_param == pytest.approx(fit["tail_param"])
    assert 1 / TAIL_FACTOR <= fit["tail_param"] / fit["tail_param_device"] <= TAIL_FACTOR
    tau_device = fit["levels"][0]["tau_s_device"]
    assert tau_device / TAU_FACTOR <= fit["tau_s"] <= tau_device * TAU_FACTOR
    # the mean drift turns negative with the level, as in the device model (Levy tech C)
    a = [level["a_us"] for level in fit["levels"]]
    assert a[0] > 0 > a[-1]


def test_accuracy_against_time(demo_run: tuple[Path, dict[str, Any]]) -> None:
    out, summary = demo_run
    uncalibrated = summary["accuracy"][METHOD_NONE]
    assert len(uncalibrated) == len(EVAL_TIMES_S)
    floating = summary["reference_accuracy"]["floating point"]
    assert floating > 0.95
    assert uncalibrated[0] > 0.9  # right after programming the network still works
    assert uncalibrated[-1] < floating - 0.02  # a year of drift costs accuracy
    with h5py.File(out / "demo.h5", "r") as handle:
        stored = handle[f"demo/accuracy/{METHOD_NONE}"][()]
        np.testing.assert_allclose(stored, uncalibrated)
        np.testing.assert_allclose(handle["demo/accuracy"].attrs["t_s"], EVAL_TIMES_S)


def test_calibrated_at_least_uncalibrated(demo_run: tuple[Path, dict[str, Any]]) -> None:
    """From 1 day on, where drift costs accuracy; right after programming there is nothing to
    win back and the 10-sample calibration may cost a point (the report shows it)."""
    _, summary = demo_run
    assert _stage(summary, "calibrate")["status"] == "done", _stage(summary, "calibrate")
    uncalibrated = np.array(summary["accuracy"][METHOD_NONE])
    calibrated = np.array(summary["accuracy"][METHOD_DORA])
    drifted = np.asarray(EVAL_TIMES_S) >= 86400
    assert np.all(calibrated[drifted] >= uncalibrated[drifted])
    assert calibrated.mean() >= uncalibrated.mean()
    cost = summary["calibration_cost"]
    assert cost["calibration samples"] == 10 and cost["chip writes"] == 0


def test_report_is_self_contained(demo_run: tuple[Path, dict[str, Any]]) -> None:
    out, summary = demo_run
    page = (out / "report.html").read_text()
    for heading in ("Programming statistics", "Fitted retention model", "Accuracy against time"):
        assert heading in page
    sources = re.findall(r'src="([^"]*)"', page)
    assert len(sources) >= 5 and all(s.startswith("data:image/png;base64,") for s in sources)
    assert "http://" not in page and "https://" not in page
    assert f"{summary['programming']['success_pct']:.2f} %" in page
    accuracy_1_day = summary["accuracy"][METHOD_NONE][2]
    assert f"{100 * accuracy_1_day:.2f} %" in page


@pytest.mark.skipif(not browser.available(), reason="needs /usr/bin/chromium and chromedriver")
def test_report_opens_in_chromium_without_console_errors(
    demo_run: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    out, _ = demo_run
    screenshot = tmp_path / "report.png"
    seen = browser.visit(out / "report.html", screenshot)
    assert seen.title == "reram-hil demo report"
    assert seen.errors == []
    assert seen.image_count >= 5 and seen.images_loaded == seen.image_count
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert screenshot.stat().st_size > 10_000  # a rendered page, not a blank one


@pytest.mark.skipif(not browser.available(), reason="needs /usr/bin/chromium and chromedriver")
def test_browser_check_catches_console_errors(tmp_path: Path) -> None:
    page = tmp_path / "broken.html"
    page.write_text('<html><body><img src="missing.png"><script>console.error("x")</script>')
    seen = browser.visit(page)
    assert len(seen.errors) == 2  # the failed image load and the console.error
    assert seen.images_loaded == 0


def test_out_must_be_a_directory(tmp_path: Path) -> None:
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    result = CliRunner().invoke(main, ["demo", "--out", str(a_file)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
