"""`hil finetune` and `hil calibrate`: bad input, and DoRA calibration from a real read-back
(`hil program` + `hil retention` on the simulated chip, HDF5 in between)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from click.testing import CliRunner

from calibration.finetune.api import load_chip_model
from calibration.finetune.evaluate import METHODS
from calibration.finetune.models import ARCHS, accuracy, model_path
from calibration.finetune.tasks import TASKS, load_task
from calibration.finetune.training import FINETUNE_METHODS, METHOD_EPOCHS
from hil.cli import main


def test_cli_choices_match_the_library() -> None:
    import calibration.finetune.cli as finetune_cli  # after hil.cli, which registers it

    assert finetune_cli.TASK_CHOICES == TASKS
    assert finetune_cli.ARCH_CHOICES == ARCHS
    assert finetune_cli.METHOD_CHOICES == METHODS
    assert finetune_cli.FINETUNE_CHOICES == FINETUNE_METHODS
    assert finetune_cli.DEFAULT_EPOCHS == METHOD_EPOCHS


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["finetune"], "give --method and --out"),
        (["finetune", "--compare", "x", "--method", "hwa"], "drop --method"),
        (["finetune", "--method", "hwa", "--out", "m.pt", "--epochs", "0"], "at least 1"),
        (["calibrate", "nope.pt", "--readback", "0.weight", "--out", "a.pt"], "LAYER=FILE"),
        (["calibrate", "nope.pt", "--readback", "0.weight=x.h5", "--out", "a.pt"], "no model"),
    ],
)
def test_bad_input_is_one_line_exit_2(args: list[str], message: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("method", FINETUNE_METHODS)
def test_finetune_saves_a_model_that_reloads_onto_the_chip(method: str, tmp_path: Path) -> None:
    torch.set_num_threads(2)
    out = tmp_path / f"{method}.pt"
    args = ["finetune", "--arch", "mlp", "--method", method, "--epochs", "1", "--out", str(out)]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    _, chip, card = load_chip_model(out)
    assert (card.method, card.epochs, card.arch) == (method, 1, "mlp")
    assert card.input_shrink == (0.5 if method == "reram" else 1.0)
    task = load_task("digits")
    assert accuracy(chip, task.x_test, task.y_test) == pytest.approx(card.test_accuracy, abs=0.01)
    assert card.test_accuracy > 0.9


def test_calibrate_from_programmed_and_read_back_layer(tmp_path: Path) -> None:
    runner = CliRunner()
    weights = model_path("digits", "cnn")
    layer_file = tmp_path / "conv0.h5"
    programmed = runner.invoke(
        main,
        ["program", "--weights", str(weights), "--key", "0.weight", "--out", str(layer_file)],
        catch_exceptions=False,
    )
    assert programmed.exit_code == 0, programmed.output
    aged = runner.invoke(
        main, ["retention", str(layer_file), "--until", "86400", "--per-decade", "1"]
    )
    assert aged.exit_code == 0, aged.output
    out = tmp_path / "adapters.pt"
    result = runner.invoke(
        main,
        ["calibrate", str(weights), "--readback", f"0.weight={layer_file}", "--out", str(out)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert summary["t_s"] == pytest.approx(86400.0, rel=0.01)
    assert summary["layers_read_back"] == ["0.weight"]
    assert summary["samples"] == 10
    assert summary["accuracy_after"] >= summary["accuracy_before"] - 0.005
    assert summary["accuracy_after"] > 0.95
    state = torch.load(out, weights_only=True)
    assert state["0.gamma"].shape == (16,)  # first conv: 16 output channels
    assert summary["params"] == sum(t.numel() for t in state.values())
