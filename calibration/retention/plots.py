"""Plots of a fit: mean drift and sd against log time per level (data and model), and a QQ plot
of standardised residuals. Matplotlib with the Agg backend, PNG files."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from calibration.retention.data import RelaxationData
from calibration.retention.fit import FitResult
from calibration.retention.validate import model_quantiles, standardised_residuals

MAX_LEVELS_PLOTTED = 12


def plot_drift(result: FitResult, path: Path) -> Path:
    """Mean dG and sd of dG (uS) against time per level: points = data, lines = model."""
    mom, model = result.moments, result.model
    levels = np.unique(np.linspace(0, mom.g_us.size - 1, MAX_LEVELS_PLOTTED).round().astype(int))
    t_line = np.logspace(np.log10(np.nanmin(mom.t_s)), np.log10(np.nanmax(mom.t_s)), 100)
    fig, (ax_mean, ax_sd) = plt.subplots(1, 2, figsize=(11, 4.5))
    colours = plt.cm.viridis(np.linspace(0, 1, levels.size))
    for colour, b in zip(colours, levels, strict=True):
        g0 = mom.g_us[b]
        mean, sd = model.moments(g0, t_line)
        label = f"{g0:.1f} uS"
        ax_mean.plot(mom.t_s[b], mom.mean_us[b], "o", color=colour, ms=4)
        ax_mean.plot(t_line, mean - g0, "-", color=colour, label=label)
        ax_sd.plot(mom.t_s[b], np.sqrt(mom.var_us2[b]), "o", color=colour, ms=4)
        ax_sd.plot(t_line, sd, "-", color=colour)
    for ax, ylabel in ((ax_mean, "mean G(t) - G0 (uS)"), (ax_sd, "sd of G(t) - G0 (uS)")):
        ax.set_xscale("log")
        ax.set_xlabel(f"time after programming, effective at {model.t_ref_k:g} K (s)")
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
    ax_mean.legend(fontsize=7, title="level G0", ncol=2)
    fig.suptitle(f"Retention fit ({model.tail}): points = data, lines = model")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_qq(result: FitResult, data: RelaxationData, path: Path) -> Path:
    """Measured quantiles of standardised residuals against the model's, per time point."""
    z = standardised_residuals(result.model, data)
    q = np.linspace(0.001, 0.999, 199)
    predicted = model_quantiles(result.model, q)
    fig, ax = plt.subplots(figsize=(5.5, 5.5))
    for j, t_s in enumerate(data.nominal_t_s()):
        column = z[:, j][np.isfinite(z[:, j])]
        if column.size:
            ax.plot(predicted, np.quantile(column, q), ".", ms=3, label=f"t = {t_s:.3g} s")
    lim = float(np.max(np.abs(predicted))) * 1.3
    ax.plot([-lim, lim], [-lim, lim], "k-", lw=1)
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim * 1.5, lim * 1.5)
    ax.set_xlabel(f"model quantile ({result.model.tail})")
    ax.set_ylabel("measured quantile of (G - mean) / sd")
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
