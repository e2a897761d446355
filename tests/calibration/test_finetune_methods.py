"""Every method runs from the API and the CLI; the baselines do what they claim."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch
from click.testing import CliRunner
from torch import nn

from calibration.finetune.chip import analog_layers, calibrate_ranges, deploy, to_chip
from calibration.finetune.compensation import drift_gains, reestimate_batchnorm
from calibration.finetune.evaluate import (
    METHODS,
    EvalSettings,
    Evaluation,
    MethodCost,
    evaluate,
    table,
)
from calibration.finetune.models import load_or_train
from calibration.finetune.retention import load_retention
from calibration.finetune.training import FinetuneSettings, finetune
from hil.cli import main


def test_global_drift_gain_undoes_a_uniform_conductance_decay() -> None:
    torch.manual_seed(0)
    chip = to_chip(nn.Sequential(nn.Linear(32, 8)))
    layer = analog_layers(chip)[0]
    layer.delta = -0.2 * layer.weight.detach()  # every weight lost 20 %
    gains = drift_gains(layer, per_column=False)
    assert torch.allclose(gains, torch.full((8,), 1 / 0.8))
    layer.delta[0] *= 2  # column 0 lost 40 %
    per_column = drift_gains(layer, per_column=True)
    assert float(per_column[0]) == pytest.approx(1 / 0.6)
    assert float(per_column[1]) == pytest.approx(1 / 0.8)


def test_batchnorm_reestimation_tracks_the_chip_statistics() -> None:
    model, task = load_or_train("digits", "cnn")
    chip = to_chip(model)
    calibrate_ranges(chip, task.x_train)
    deploy(chip, load_retention(variance_factor=2.0), 3.15e7, seed=0)
    before = chip[1].running_mean.clone()
    reestimate_batchnorm(chip, task.x_train[:10])
    with torch.no_grad():
        conv_out = chip[0](task.x_train[:10])
    assert torch.allclose(chip[1].running_mean, conv_out.mean(dim=(0, 2, 3)), atol=1e-5)
    assert not torch.allclose(before, chip[1].running_mean)


def _modules(model: nn.Module, kind: type | tuple[type, ...]) -> list[nn.Module]:
    return [module for module in model.modules() if isinstance(module, kind)]


@pytest.mark.parametrize("method", ["hwa", "reram", "kd"])
def test_finetuning_keeps_the_batchnorm_statistics_deployment_uses(method: str) -> None:
    # Train-mode BatchNorm would normalise each perturbed batch by its own statistics and hide the
    # shift drift gives a layer's outputs; finetuning must train with the running statistics.
    torch.set_num_threads(2)
    model, task = load_or_train("digits", "cnn")
    small = replace(task, x_train=task.x_train[:256], y_train=task.y_train[:256])
    tuned = finetune(model, small, method, load_retention(), settings=FinetuneSettings(epochs=1))
    fp_norms, tuned_norms = _modules(model, nn.BatchNorm2d), _modules(tuned, nn.BatchNorm2d)
    assert len(fp_norms) == len(tuned_norms) == 2
    batchnorms = zip(fp_norms, tuned_norms, strict=True)
    for fp, tuned_bn in batchnorms:
        assert torch.equal(fp.running_mean, tuned_bn.running_mean)
        assert torch.equal(fp.running_var, tuned_bn.running_var)
        assert int(tuned_bn.num_batches_tracked) == int(fp.num_batches_tracked)
    weights_moved = [
        not torch.equal(layer.base.weight, source.weight)
        for layer, source in zip(
            analog_layers(tuned),
            _modules(model, (nn.Conv2d, nn.Linear)),
            strict=True,
        )
    ]
    assert all(weights_moved)


def test_all_methods_run_on_the_digits_mlp() -> None:
    torch.set_num_threads(2)
    model, task = load_or_train("digits", "mlp")
    settings = EvalSettings(
        times_s=(86400.0,), seeds=1, finetune=FinetuneSettings(epochs=1), max_test=200
    )
    result = evaluate(model, task, load_retention(), settings=settings)
    assert list(result.accuracies) == list(METHODS)
    for method, acc in result.accuracies.items():
        assert acc.shape == (1, 1)
        assert 0.5 < float(acc[0, 0]) <= 1.0, method
    assert result.costs["bn"].params == 0  # the MLP has no BatchNorm
    assert result.costs["pcdc"].params == 128 + 64 + 10
    assert result.costs["dora"].samples == 10
    assert result.costs["hwa"].wall_s > 0 and result.costs["hwa"].params == 0
    points = {(p.method, p.t_s): p for p in result.points()}
    assert points[("none", 86400.0)].recovered is None
    assert np.isclose(
        points[("dora", 86400.0)].normalised * result.fp_accuracy, points[("dora", 86400.0)].mean
    )


def test_compare_writes_table_json_and_plot(tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    result = CliRunner().invoke(
        main,
        [
            "finetune",
            "--arch",
            "mlp",
            "--compare",
            str(out),
            "--methods",
            "none,gdc",
            "--seeds",
            "2",
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    data = json.loads((out / "results.json").read_text())
    assert set(data["accuracies"]) == {"none", "gdc"}
    assert len(data["times_s"]) == 7 and len(data["accuracies"]["none"][0]) == 2
    assert (out / "accuracy_vs_time.png").read_bytes()[:4] == b"\x89PNG"
    assert "| gdc |" in (out / "table.md").read_text()


def test_table_reports_normalised_accuracy_and_recovered_share() -> None:
    costs = {m: MethodCost(m, 0, 0, 0.0, 0, 0.0) for m in ("none", "dora")}
    evaluation = Evaluation(
        fp_accuracy=0.8,
        times_s=(1.0, 86400.0),
        accuracies={
            "none": np.array([[0.8, 0.8], [0.6, 0.7]]),  # nothing lost at 1 s; 0.15 at 1 d
            "dora": np.array([[0.76, 0.76], [0.74, 0.76]]),
        },
        costs=costs,
    )
    lines = table(evaluation, ("1 s", "1 d")).splitlines()
    assert "| dora | 76.00±0.00 | 75.00±1.00 | 0 | 0 (0.00) | 0 | 0.00 |" in lines
    normalised = lines.index("Normalised accuracy A* = acc / acc_FP (%)")
    assert lines[normalised + 4] == "| none | 100.0 | 81.2 |"
    assert lines[normalised + 5] == "| dora | 95.0 | 93.8 |"
    recovered = lines.index("Share of the uncalibrated loss recovered (%)")
    assert lines[recovered + 4] == "| none | - | - |"
    assert lines[recovered + 5] == "| dora | - | 67 |"  # (0.75 - 0.65) / (0.8 - 0.65)
