"""Small entry points for scripts and ``hil demo``: load or train a model, finetune it, compare
every method against time, and calibrate from read-back conductances.

    model, task = load_or_train("digits", "cnn")             # cached in data/models/
    evaluation = evaluate(model, task, load_retention())     # accuracy vs time, all methods
    result = calibrate_from_files(model_path, {"0.weight": Path("layer.h5")}, Path("ad.pt"))
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path

import torch
from torch import nn

from calibration.finetune.chip import ChipConfig, calibrate_ranges, to_chip, to_digital
from calibration.finetune.dora import adapters, calibrate_dora
from calibration.finetune.evaluate import EvalSettings, Evaluation, evaluate, table
from calibration.finetune.models import (
    ModelCard,
    accuracy,
    load_model,
    load_or_train,
    save_model,
)
from calibration.finetune.plot import plot_accuracy_vs_time
from calibration.finetune.readback import apply_readback, load_readback
from calibration.finetune.retention import load_retention
from calibration.finetune.tasks import load_task
from calibration.finetune.training import FinetuneSettings, config_for, finetune

__all__ = [
    "calibrate_from_files",
    "compare_methods",
    "digits_cnn",
    "finetune_model",
    "load_chip_model",
]


def digits_cnn(retrain: bool = False) -> tuple[nn.Module, object]:
    """The digits CNN (floating point, eval mode) and the digits task; trained on first use."""
    return load_or_train("digits", "cnn", retrain=retrain)


def _fp_model(task: str, arch: str, path: Path | None) -> nn.Module:
    if path is None:
        model, _ = load_or_train(task, arch)
        return model
    model, card = load_model(path)
    if (card.task, card.arch) != (task, arch):
        raise ValueError(f"{path} is a {card.task}/{card.arch} model, not {task}/{arch}")
    return model


def load_chip_model(path: Path) -> tuple[nn.Module, nn.Module, ModelCard]:
    """A saved model as (digital model, chip model with ranges calibrated, card)."""
    model, card = load_model(path)
    chip = to_chip(model, replace(ChipConfig(), input_shrink=card.input_shrink))
    calibrate_ranges(chip, load_task(card.task).x_train)
    return model, chip.eval(), card


def finetune_model(
    task: str,
    arch: str,
    method: str,
    out: Path,
    settings: FinetuneSettings | None = None,
    model_file: Path | None = None,
    retention_path: Path | None = None,
    device_preset: str | None = None,
) -> ModelCard:
    """Finetune the floating-point model with ``method`` and save it (state dict + card) to
    ``out``; the card records the method, the range-shrink factor and the ideal-chip accuracy."""
    settings = settings or FinetuneSettings()
    data = load_task(task)
    fp = _fp_model(task, arch, model_file)
    chip = finetune(fp, data, method, load_retention(retention_path, device_preset), None, settings)
    card = ModelCard(
        task,
        arch,
        settings.epochs_for(method),
        settings.seed,
        accuracy(chip, data.x_test, data.y_test),
        method,
        config_for(method).input_shrink,
    )
    save_model(to_digital(chip), card, out)
    return card


def compare_methods(
    task: str,
    arch: str,
    out_dir: Path,
    settings: EvalSettings | None = None,
    model_file: Path | None = None,
    retention_path: Path | None = None,
    device_preset: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    variance_factor: float = 1.0,
) -> str:
    """Evaluate every method against time; write ``results.json``, ``table.md`` and
    ``accuracy_vs_time.png`` into ``out_dir``. Returns the markdown table."""
    data = load_task(task)
    fp = _fp_model(task, arch, model_file)
    retention = load_retention(retention_path, device_preset, variance_factor)
    result: Evaluation = evaluate(fp, data, retention, None, settings, None, progress)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "results.json").write_text(json.dumps(result.to_dict(), indent=1) + "\n")
    text = table(result)
    (out_dir / "table.md").write_text(text + "\n")
    plot_accuracy_vs_time(result, out_dir / "accuracy_vs_time.png", f"{task} {arch}")
    return text


def calibrate_from_files(
    model_file: Path,
    readbacks: dict[str, Path],
    out: Path,
    *,
    n_cal: int = 10,
    rank: int = 2,
    seed: int = 0,
    retention_path: Path | None = None,
    device_preset: str | None = None,
) -> dict:
    """DoRA-calibrate ``model_file`` on read-back conductances and save the adapters.

    Args:
        model_file: A model saved by this package (``.pt`` plus ``.json`` card).
        readbacks: Weight key (``"0.weight"``) -> HDF5 file holding that layer's targets and
            reads; layers without a file are simulated at the read time.
        out: Where to write the adapters (a torch state dict; JSON summary beside it).

    Returns:
        A summary: read time, test accuracy before and after, parameters, SRAM bytes, wall s.
    """
    model, chip, card = load_chip_model(model_file)
    data = load_task(card.task)
    retention = load_retention(retention_path, device_preset)
    loaded = {key: load_readback(path) for key, path in readbacks.items()}
    t_s = apply_readback(chip, loaded, retention, seed)
    before = accuracy(chip, data.x_test, data.y_test)
    report = calibrate_dora(chip, model, data.x_train[:n_cal], rank=rank, seed=seed)
    after = accuracy(chip, data.x_test, data.y_test)
    state = {
        f"{i}.{name}": tensor
        for i, adapter in enumerate(adapters(chip))
        for name, tensor in adapter.state_dict().items()
        if not name.startswith("layer.")
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    torch.save(state, out)
    summary = {
        "t_s": t_s,
        "accuracy_before": before,
        "accuracy_after": after,
        "layers_read_back": sorted(readbacks),
        **asdict(report),
    }
    out.with_suffix(".json").write_text(json.dumps(summary, indent=2) + "\n")
    return summary
