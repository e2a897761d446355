"""PNG plots of a measurement file, written next to it (`hil report F.h5`).

- `<stem>_levels.png`: conductance histograms per target level, right after programming and at
  the last read;
- `<stem>_programming.png`: CDFs of pulses per cell and of the programming error;
- `<stem>_drift.png`: mean and standard deviation of the drift G(t) - G(0) per level against
  log time;
- `<stem>_yield.png`: map of programmed cells that met their tolerance.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from hil.store import MeasurementFile, ProgrammingMaps, ReadSeries

N_LEVELS = 6
"""Target levels the plots group cells into (equal-width bins over the targeted range)."""


def write_report(path: str | Path) -> list[Path]:
    """Write every plot the file has data for; returns the PNG paths."""
    path = Path(path)
    written: list[Path] = []
    with MeasurementFile.open(path, "r") as store:
        programming = store.programming() if store.has_programming else None
        reads = store.reads() if store.has_reads and store.n_reads else None
    stem = path.with_suffix("")
    if programming is not None and programming.done.any():
        written.append(_programming_plot(programming, Path(f"{stem}_programming.png")))
        written.append(_yield_plot(programming, Path(f"{stem}_yield.png")))
    if programming is not None and reads is not None:
        written.append(_levels_plot(programming, reads, Path(f"{stem}_levels.png")))
        if len(reads.t_s) > 1:
            written.append(_drift_plot(programming, reads, Path(f"{stem}_drift.png")))
    return written


def level_bins(target_us: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Level index per targeted cell (-1 elsewhere) and the level centres in uS."""
    targeted = np.isfinite(target_us)
    low, high = np.nanmin(target_us), np.nanmax(target_us)
    edges = np.linspace(low, high + 1e-6, N_LEVELS + 1)
    index = np.full(target_us.shape, -1)
    index[targeted] = np.clip(np.digitize(target_us[targeted], edges) - 1, 0, N_LEVELS - 1)
    return index, (edges[:-1] + edges[1:]) / 2


def _block_maps(programming: ProgrammingMaps, reads: ReadSeries) -> tuple[np.ndarray, np.ndarray]:
    row0, col0, n_rows, n_cols = reads.block
    window = (slice(row0, row0 + n_rows), slice(col0, col0 + n_cols))
    return programming.target_us[window], programming.done[window]


def _programming_plot(programming: ProgrammingMaps, out: Path) -> Path:
    done = programming.done
    pulses = np.sort(programming.pulses[done])
    error = np.sort(programming.error_us[done])
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    cdf = np.arange(1, pulses.size + 1) / pulses.size
    left.step(pulses, cdf, where="post")
    left.set(xlabel="pulses per cell", ylabel="fraction of cells", title="Pulses to converge")
    left.axvline(np.mean(pulses), ls="--", color="grey", label=f"mean {np.mean(pulses):.1f}")
    left.legend()
    right.step(error, cdf, where="post")
    right.set(xlabel="G - target (uS)", ylabel="fraction of cells", title="Programming error")
    low, high = np.percentile(error, [0.5, 99.5])
    right.set_xlim(min(low, -1.5), max(high, 1.5))  # stuck cells would squash the plot
    success = programming.success[done].mean() * 100
    outside = int(np.sum((error < low) | (error > high)))
    right.text(
        0.02, 0.95, f"success {success:.2f} %\n{outside} cells off-scale",
        transform=right.transAxes, va="top",
    )  # fmt: skip
    for axis in (left, right):
        axis.grid(alpha=0.3)
    return _save(figure, out)


def _yield_plot(programming: ProgrammingMaps, out: Path) -> Path:
    status = np.full(programming.done.shape, np.nan)
    status[programming.done] = programming.success[programming.done].astype(float)
    figure, axis = plt.subplots(figsize=(7, 4))
    image = axis.imshow(status, cmap="RdYlGn", vmin=0, vmax=1, interpolation="nearest")
    axis.set(xlabel="column", ylabel="row", title="Yield map (green: within tolerance)")
    figure.colorbar(image, ax=axis, ticks=[0, 1], label="success")
    return _save(figure, out)


def _levels_plot(programming: ProgrammingMaps, reads: ReadSeries, out: Path) -> Path:
    target, done = _block_maps(programming, reads)
    index, centres = level_bins(np.where(done, target, np.nan))
    figure, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    bins = np.linspace(0, max(np.nanmax(reads.g_us), 1.0), 120)
    for axis, g, t_s in (
        (axes[0], reads.g_us[0], reads.t_s[0]),
        (axes[1], reads.g_us[-1], reads.t_s[-1]),
    ):
        for level, centre in enumerate(centres):
            values = g[index == level]
            if values.size:
                axis.hist(
                    values, bins=bins, histtype="step", color=f"C{level}", label=f"{centre:.0f} uS"
                )
        axis.set(xlabel="conductance (uS)", yscale="log", title=f"t = {t_s:g} s after programming")
    axes[0].set_ylabel("cells")
    axes[1].legend(title="target level")
    figure.suptitle("Conductance per target level")
    return _save(figure, out)


def _drift_plot(programming: ProgrammingMaps, reads: ReadSeries, out: Path) -> Path:
    target, done = _block_maps(programming, reads)
    index, centres = level_bins(np.where(done, target, np.nan))
    drift = reads.g_us - reads.g_us[0]
    times = reads.t_s[1:]
    figure, (mean_axis, sd_axis) = plt.subplots(1, 2, figsize=(10, 4), sharex=True)
    for level, centre in enumerate(centres):
        cells = index == level
        if not cells.any():
            continue
        per_time = drift[1:, cells]
        label = f"{centre:.0f} uS"
        mean_axis.plot(times, per_time.mean(axis=1), "o-", ms=3, label=label)
        sd_axis.plot(times, per_time.std(axis=1), "o-", ms=3, label=label)
    mean_axis.set(xscale="log", xlabel="time after programming (s)", ylabel="mean drift (uS)")
    sd_axis.set(xscale="log", xlabel="time after programming (s)", ylabel="sd of drift (uS)")
    mean_axis.set_title("Mean drift per level")
    sd_axis.set_title("Spread per level")
    sd_axis.legend(title="target level")
    for axis in (mean_axis, sd_axis):
        axis.grid(alpha=0.3, which="both")
    return _save(figure, out)


def _save(figure: plt.Figure, out: Path) -> Path:
    figure.tight_layout()
    figure.savefig(out, dpi=110)
    plt.close(figure)
    return out
