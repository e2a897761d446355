"""`hil fit`: fit a retention model to a campaign file or a Levy TSV, print it, plot it, save it."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click
import numpy as np
from rich.console import Console
from rich.table import Table

from hil.cli_common import UsageProblem, friendly_errors

if TYPE_CHECKING:
    from calibration.retention.fit import FitResult

MODELS = {"logtime": "gaussian", "heavy": "nlnv"}
"""--model names: the log-time Gaussian (family A) and its heavy-tailed NLNV variant (D)."""


@click.command("fit")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--model",
    "family",
    type=click.Choice(sorted(MODELS)),
    default="logtime",
    show_default=True,
    help="Model family.",
)
@click.option("--student", is_flag=True, help="Heavy tails as a Student-t instead of NLNV.")
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="Model JSON to write; plots go beside it.",
)
@click.option("--per-level-tau", is_flag=True, help="Fit tau per level (default: one tau).")
@click.option("--no-intercept", is_flag=True, help="Force s0 = 0 (variance k L(t) only).")
@click.option(
    "--weighting",
    type=click.Choice(["relative", "count"]),
    default="relative",
    show_default=True,
    help="Least-squares weights of the moments (see fit.py).",
)
@click.option(
    "--level-width-us",
    type=float,
    default=2.0,
    show_default=True,
    help="Level bins in G0 for campaign files (Levy files use their ranges).",
)
@click.option("--n-boot", type=int, default=200, show_default=True, help="Bootstrap replicates.")
@click.option(
    "--heldout-split",
    type=float,
    help="Also compare families fitted on reads at t <= this (s) on the later reads.",
)
@click.option(
    "--export",
    "export_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the power-law, snapshot-polynomial and CMO forms to this JSON.",
)
@click.option(
    "--fit-ea",
    is_flag=True,
    help="Fit the Arrhenius E_a from the files' bakes / temperatures (else 1.2 eV).",
)
@friendly_errors
def fit_command(
    paths: tuple[Path, ...],
    family: str,
    student: bool,
    out: Path,
    per_level_tau: bool,
    no_intercept: bool,
    weighting: str,
    level_width_us: float,
    n_boot: int,
    heldout_split: float | None,
    export_path: Path | None,
    fit_ea: bool,
) -> None:
    """Fit a retention model to PATHS (campaign .h5 files or Levy .tsv[.gz]; several files are
    fitted as one, each read at its effective time at 300 K)."""
    if level_width_us <= 0 or n_boot < 0:
        raise UsageProblem("--level-width-us must be positive and --n-boot non-negative")
    if student and family != "heavy":
        raise UsageProblem("--student needs --model heavy")
    # The fitting stack (scipy, matplotlib) loads when the command runs: `hil --help` stays fast.
    from calibration.retention.arrhenius import at_reference_temperature, fit_activation_energy
    from calibration.retention.data import load
    from calibration.retention.export import export_all
    from calibration.retention.fit import FitOptions, fit
    from calibration.retention.plots import plot_drift, plot_qq
    from calibration.retention.validate import quantile_gof

    datasets = [load(path, level_width_us) for path in paths]
    options = FitOptions(
        tail="student" if student else MODELS[family],
        per_level_tau=per_level_tau,
        intercept=not no_intercept,
        weighting=weighting,
        n_boot=n_boot,
    )
    console = Console(width=None if sys.stdout.isatty() else 132)
    arrhenius = None
    if fit_ea:
        arrhenius = fit_activation_energy(datasets, replace(options, n_boot=min(n_boot, 50)))
        options = replace(options, activation_energy_ev=arrhenius.activation_energy_ev)
        low, high = arrhenius.ci_ev
        console.print(
            f"E_a {arrhenius.activation_energy_ev:.3f} eV [{low:.3f}, {high:.3f}] (90 % interval)"
        )
    data = at_reference_temperature(datasets, options.activation_energy_ev, options.t_ref_k)
    result = fit(data, options)
    if arrhenius is not None:
        result.model.provenance["activation_energy_ci_ev"] = list(arrhenius.ci_ev)
    gof = quantile_gof(result.model, data)
    result.model.provenance["quantile_gof_max_error_sd"] = gof.max_abs_error
    console.print(parameter_table(result))
    console.print(
        f"tail {result.model.tail} {result.model.tail_param:.3g}"
        + _ci_text(result, "tail")
        + f"; stuck/failed cells {100 * result.model.p_stuck:.2f} %"
        + f"; quantile fit max |error| {gof.max_abs_error:.2f} sd"
    )
    rho = result.model.provenance.get("persistence")
    if rho:
        console.print(
            f"same-cell correlation of dG at {rho['t1_s']:.3g} s and {rho['t2_s']:.3g} s: "
            f"{rho['measured']:.2f} measured, {rho['brownian']:.2f} for a persistent path"
        )
    if heldout_split is not None:
        console.print(heldout_table(data, heldout_split))
    out.parent.mkdir(parents=True, exist_ok=True)
    result.model.save(out)
    written = [out]
    for path in paths:
        if path.suffix.lower() in (".h5", ".hdf5"):
            written.append(result.model.save(path))
    stem = out.with_suffix("")
    written.append(plot_drift(result, stem.with_name(stem.name + "_drift.png")))
    written.append(plot_qq(result, data, stem.with_name(stem.name + "_qq.png")))
    if export_path is not None:
        export_path.write_text(json.dumps(export_all(result.model), indent=1) + "\n")
        written.append(export_path)
    console.print("wrote " + ", ".join(str(p) for p in written))


def _ci_text(result: FitResult, name: str, index: int | None = None) -> str:
    if name not in result.ci:
        return ""
    lo, hi = result.ci[name]
    if index is not None:
        lo, hi = lo[index], hi[index]
    return f" [{float(lo):.3g}, {float(hi):.3g}]"


def parameter_table(result: FitResult) -> Table:
    level = int(100 * 0.9) if result.ci else None
    title = "Fitted parameters" + (f" ({level} % bootstrap intervals)" if level else "")
    table = Table(title=title)
    for column in ("G0 (uS)", "cells", "a (uS)", "k (uS^2)", "s0 (uS)", "tau (ms)"):
        table.add_column(column, justify="right")
    tab, mom = result.tables, result.moments
    cells = np.nanmax(mom.n, axis=1).astype(int)
    for b in range(mom.g_us.size):
        table.add_row(
            f"{mom.g_us[b]:.2f}",
            str(cells[b]),
            f"{tab.a_us[b]:+.3f}" + _ci_text(result, "a_us", b),
            f"{tab.k_us2[b]:.3f}" + _ci_text(result, "k_us2", b),
            f"{tab.s0_us[b]:.3f}" + _ci_text(result, "s0_us", b),
            f"{1e3 * tab.tau_s[b]:.3g}",
        )
    return table


def heldout_table(data, split_t_s: float) -> Table:
    from calibration.retention.validate import heldout

    table = Table(title=f"Held-out check: fitted on t <= {split_t_s:g} s, scored on later reads")
    for column in ("family", "median |sd err|", "max |sd err|", "mean err (sd)", "loglik/read"):
        table.add_column(column, justify="right")
    for score in heldout(data, split_t_s):
        table.add_row(
            score.name,
            f"{100 * score.sd_rel_error:.1f} %",
            f"{100 * score.sd_rel_error_max:.1f} %",
            f"{score.mean_error_sd:.3f}",
            f"{score.loglik_per_read:.3f}",
        )
    return table
