"""Accuracy against time since programming for every method, several programming seeds each.

Protocol (finetune_anchors.md 7; aihwkit's HWA tutorial): for each method and seed the model is
programmed once (seeded write-verify error), then read at 1 s, 1 h, 1 day, 1 week, 30 days,
1 year and 10 years (an independent retention draw per time); post-programming methods calibrate
on each read-back state with ``n_cal`` training images. Reported per method and time: mean and
sd of the test accuracy over seeds, the accuracy normalised to floating point, and the share of
the uncalibrated loss recovered, ``(acc - acc_none) / (acc_fp - acc_none)``.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
import torch
from torch import nn

from calibration.finetune.chip import ChipConfig, calibrate_ranges, drift, program, to_chip
from calibration.finetune.compensation import (
    COMPENSATIONS,
    apply_compensation,
    n_compensation_params,
)
from calibration.finetune.dora import BYTES_PER_PARAM, calibrate_dora
from calibration.finetune.models import accuracy
from calibration.finetune.retention import RetentionLike
from calibration.finetune.tasks import Task
from calibration.finetune.training import FINETUNE_METHODS, FinetuneSettings, finetune

TIMES_S = (1.0, 3600.0, 86400.0, 604800.0, 2592000.0, 31536000.0, 315360000.0)
"""1 s, 1 h, 1 day, 1 week, 30 days, 1 year, 10 years (issue 8)."""
TIME_LABELS = ("1 s", "1 h", "1 d", "1 wk", "30 d", "1 y", "10 y")
METHODS = ("none", *COMPENSATIONS, "dora", *FINETUNE_METHODS)
"""Every method: uncalibrated, baselines (e), DoRA (c), then the finetuned models (a, b, d)."""


@dataclass(frozen=True)
class EvalSettings:
    """What to evaluate."""

    methods: tuple[str, ...] = METHODS
    times_s: tuple[float, ...] = TIMES_S
    seeds: int = 10
    """Programming seeds per method (finetune_anchors.md 7: at least 5, prefer 10). The mean's
    standard error is sd / sqrt(seeds); with the 0.5-2.4-point 1-year sd of methods b and none on
    the digits CNN (benchmarks/RESULTS.md, finetune), 5 seeds leave 0.2-1.1 points."""
    n_cal: int = 10
    """Calibration images for DoRA and BatchNorm re-estimation (Dong et al.: at most 10)."""
    finetune: FinetuneSettings = field(default_factory=FinetuneSettings)
    max_test: int | None = None
    """Evaluate on the first N test images only (None: all)."""


@dataclass(frozen=True)
class MethodPoint:
    """Accuracy statistics of one method at one time."""

    method: str
    t_s: float
    mean: float
    sd: float
    normalised: float
    """mean / floating-point accuracy."""
    recovered: float | None
    """Share of the uncalibrated loss recovered (None for ``none`` or when nothing was lost)."""


@dataclass(frozen=True)
class MethodCost:
    """What a method costs."""

    method: str
    samples: int
    """Labelled or unlabelled images used after programming (0 for offline methods)."""
    params: int
    """Digital parameters the method updates after programming (0 for offline methods)."""
    params_pct: float
    sram_bytes: int
    wall_s: float
    """Finetuning time (offline methods) or mean calibration time per read-back."""


@dataclass
class Evaluation:
    """The whole table: floating-point accuracy, per-seed accuracies, summaries and costs."""

    fp_accuracy: float
    times_s: tuple[float, ...]
    accuracies: dict[str, np.ndarray]
    """Per method, shape (n_times, n_seeds), fractions."""
    costs: dict[str, MethodCost]

    def points(self) -> list[MethodPoint]:
        none = self.accuracies.get("none")
        points = []
        for method, acc in self.accuracies.items():
            for i, t_s in enumerate(self.times_s):
                mean = float(acc[i].mean())
                recovered = None
                if method != "none" and none is not None:
                    lost = self.fp_accuracy - float(none[i].mean())
                    if lost > 0:
                        recovered = (mean - float(none[i].mean())) / lost
                points.append(
                    MethodPoint(
                        method, t_s, mean, float(acc[i].std()), mean / self.fp_accuracy, recovered
                    )
                )
        return points

    def to_dict(self) -> dict:
        return {
            "fp_accuracy": self.fp_accuracy,
            "times_s": list(self.times_s),
            "accuracies": {m: a.tolist() for m, a in self.accuracies.items()},
            "costs": {m: asdict(c) for m, c in self.costs.items()},
            "points": [asdict(p) for p in self.points()],
        }


def _post(
    method: str, chip: nn.Module, teacher: nn.Module, x_cal: torch.Tensor, seed: int
) -> tuple[nn.Module, int]:
    """Apply a post-programming method to a copy of ``chip``; returns it and params updated."""
    if method in ("none", *FINETUNE_METHODS):
        return chip, 0
    work = copy.deepcopy(chip)
    if method == "dora":
        report = calibrate_dora(work, teacher, x_cal, seed=seed)
        return work, report.params
    n = n_compensation_params(work, method)
    return apply_compensation(work, method, x_cal), n


def evaluate(
    fp_model: nn.Module,
    task: Task,
    retention: RetentionLike,
    config: ChipConfig | None = None,
    settings: EvalSettings | None = None,
    finetuned: dict[str, nn.Module] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Evaluation:
    """Accuracy against time for every method in ``settings.methods``.

    Args:
        fp_model: The floating-point model (teacher, and base of methods none, c and e).
        task: Data; ``n_cal`` calibration images are the first training images.
        retention: The retention model the chips drift with.
        config: Chip settings (default :class:`ChipConfig`).
        settings: Methods, times, seeds, calibration samples.
        finetuned: Already finetuned chip models for a, b, d (trained here when missing).
        progress: Called with (done, total) after each method.
    """
    settings = settings or EvalSettings()
    config = config or ChipConfig()
    unknown = sorted(set(settings.methods) - set(METHODS))
    if unknown:
        raise ValueError(f"unknown methods {unknown}; known: {', '.join(METHODS)}")
    finetuned = dict(finetuned or {})
    x_test, y_test = task.x_test, task.y_test
    if settings.max_test is not None:
        x_test, y_test = x_test[: settings.max_test], y_test[: settings.max_test]
    x_cal = task.x_train[: settings.n_cal]
    fp_model.eval()
    fp_accuracy = accuracy(fp_model, x_test, y_test)
    accuracies: dict[str, np.ndarray] = {}
    costs: dict[str, MethodCost] = {}
    n_model = sum(p.numel() for p in fp_model.parameters())
    for done, method in enumerate(settings.methods):
        train_s = 0.0
        if method in FINETUNE_METHODS:
            if method not in finetuned:
                start = time.perf_counter()
                finetuned[method] = finetune(
                    fp_model, task, method, retention, config, settings.finetune
                )
                train_s = time.perf_counter() - start
            chip = finetuned[method]
        else:
            chip = to_chip(fp_model, config)
            calibrate_ranges(chip, task.x_train)
        acc = np.zeros((len(settings.times_s), settings.seeds))
        n_params, cal_s, n_cal = 0, [], 0
        for seed in range(settings.seeds):
            rng = np.random.default_rng(seed)
            programmed = program(chip, retention, rng)
            for i, t_s in enumerate(settings.times_s):
                drift(chip, programmed, retention, t_s, np.random.default_rng([seed, i]))
                start = time.perf_counter()
                work, n_params = _post(method, chip, fp_model, x_cal, seed)
                cal_s.append(time.perf_counter() - start)
                acc[i, seed] = accuracy(work, x_test, y_test)
        if method in ("dora", "bn"):
            n_cal = settings.n_cal
        accuracies[method] = acc
        wall_s = train_s if method in FINETUNE_METHODS else float(np.mean(cal_s))
        costs[method] = MethodCost(
            method, n_cal, n_params, 100.0 * n_params / n_model, BYTES_PER_PARAM * n_params, wall_s
        )
        if progress is not None:
            progress(done + 1, len(settings.methods))
    return Evaluation(fp_accuracy, tuple(settings.times_s), accuracies, costs)


def table(evaluation: Evaluation, labels: Sequence[str] = TIME_LABELS) -> str:
    """Markdown: mean +- sd accuracy (%) per method and time with each method's costs, then the
    accuracy normalised to floating point, A* = acc / acc_FP (%), then the share of the
    uncalibrated loss recovered, (acc - acc_none) / (acc_FP - acc_none) (%; "-" where nothing
    was lost or for ``none`` itself)."""
    times = evaluation.times_s
    names = list(labels) if len(labels) == len(times) else [f"{t:g} s" for t in times]
    head = "| method | " + " | ".join(names)
    rule = "|---" * (len(names) + 1)
    fp = f"{100 * evaluation.fp_accuracy:.2f}"
    rows = [
        head + " | samples | params (%) | SRAM bytes | wall s |",
        rule + "|---" * 4 + "|",
        "| FP | " + " | ".join([fp] * len(names)) + " | | | | |",
    ]
    for method, acc in evaluation.accuracies.items():
        cells = [f"{100 * a.mean():.2f}±{100 * a.std():.2f}" for a in acc]
        c = evaluation.costs[method]
        rows.append(
            f"| {method} | "
            + " | ".join(cells)
            + f" | {c.samples} | {c.params} ({c.params_pct:.2f}) | {c.sram_bytes}"
            + f" | {c.wall_s:.2f} |"
        )
    points = {(p.method, p.t_s): p for p in evaluation.points()}
    for title, cell in (
        ("Normalised accuracy A* = acc / acc_FP (%)", lambda p: f"{100 * p.normalised:.1f}"),
        (
            "Share of the uncalibrated loss recovered (%)",
            lambda p: "-" if p.recovered is None else f"{100 * p.recovered:.0f}",
        ),
    ):
        rows += ["", title, "", head + " |", rule + "|"]
        for method in evaluation.accuracies:
            cells = [cell(points[(method, t_s)]) for t_s in times]
            rows.append(f"| {method} | " + " | ".join(cells) + " |")
    return "\n".join(rows)
