"""Issue 8's targets on the digits CNN, in a reduced configuration (fewer seeds and read times
than benchmarks/bench_finetune.py, whose full table is in benchmarks/RESULTS.md).

The default Levy tech-C model costs the digits CNN only about 2 points at 1 day, below the
3 points the issue asks for, so the 1-day targets (uncalibrated loss, DoRA recovery) use the
harsher preset the issue allows: relaxation variance x2
(calibration.finetune.retention.HARSH_VARIANCE_FACTOR). Method b's 1-year target is checked on
the default device model, as the issue states it.
"""

from __future__ import annotations

import pytest
import torch

from calibration.finetune.evaluate import EvalSettings, evaluate
from calibration.finetune.models import load_or_train
from calibration.finetune.retention import HARSH_VARIANCE_FACTOR, load_retention

DAY_S, YEAR_S = 86400.0, 31536000.0


@pytest.fixture(scope="module")
def digits_cnn():
    torch.set_num_threads(2)
    return load_or_train("digits", "cnn")


@pytest.fixture(scope="module")
def harsh():
    return load_retention(variance_factor=HARSH_VARIANCE_FACTOR)


def test_dora_with_10_samples_recovers_80_percent_of_a_day_of_drift(digits_cnn, harsh) -> None:
    model, task = digits_cnn
    settings = EvalSettings(methods=("none", "dora"), times_s=(DAY_S,), seeds=3, n_cal=10)
    result = evaluate(model, task, harsh, settings=settings)
    fp = result.fp_accuracy
    none = float(result.accuracies["none"].mean())
    dora = float(result.accuracies["dora"].mean())
    assert fp - none >= 0.03  # uncalibrated: at least 3 points lost after a day
    assert (dora - none) / (fp - none) >= 0.8
    cost = result.costs["dora"]
    assert cost.samples == 10
    assert 0 < cost.params_pct < 10  # gamma, beta and rank-2 A, B on every layer: about 5 %
    assert cost.sram_bytes == 2 * cost.params


@pytest.mark.slow
def test_reram_aware_finetuning_keeps_a_year_within_2_points_of_fp(digits_cnn) -> None:
    # Default device model, method b at its default settings (40 epochs), 10 programming seeds,
    # read at 1 year only; uncalibrated, the same chips lose about 3 points by then.
    model, task = digits_cnn
    settings = EvalSettings(methods=("none", "reram"), times_s=(YEAR_S,), seeds=10)
    result = evaluate(model, task, load_retention(), settings=settings)
    fp = result.fp_accuracy
    assert fp - float(result.accuracies["none"].mean()) > 0.02
    assert fp - float(result.accuracies["reram"].mean()) <= 0.02
