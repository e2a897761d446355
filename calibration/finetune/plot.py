"""Accuracy against log time since programming, one line (mean +- sd over seeds) per method."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from calibration.finetune.evaluate import Evaluation


def plot_accuracy_vs_time(evaluation: Evaluation, path: Path, title: str = "") -> Path:
    """Write the PNG to ``path`` and return it."""
    fig, ax = plt.subplots(figsize=(7, 4.5))
    t = list(evaluation.times_s)
    for method, acc in evaluation.accuracies.items():
        mean, sd = 100 * acc.mean(axis=1), 100 * acc.std(axis=1)
        ax.errorbar(t, mean, yerr=sd, marker="o", ms=3, capsize=2, label=method)
    ax.axhline(100 * evaluation.fp_accuracy, color="k", ls="--", lw=1, label="floating point")
    ax.set_xscale("log")
    ax.set_xlabel("time since programming t_s (s)")
    ax.set_ylabel("test accuracy (%)")
    ax.set_title(title or "accuracy against time since programming")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, ncol=2)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
