"""Accuracy against time since programming for every finetune/calibration method (issue 8).

Digits CNN on the default device model (without --quick also on the harsher preset, relaxation
variance x2, and the MNIST-5k MLP on the default): FP training if
the cached model is missing, finetuning of methods a/b/d, then 7 read times x 10 programming seeds
for all methods. Prints the markdown table, writes results.json, table.md and the plot into
measurements/bench_finetune/<task>_<arch>/, and reports the issue's targets. The speed figure is
a ratio in the same process: mean DoRA calibration time over one finetune run (method a).

    python benchmarks/bench_finetune.py [--quick]
"""

from __future__ import annotations

import time
from pathlib import Path

import torch
from harness import emit_json, parse_args

from calibration.finetune.api import compare_methods
from calibration.finetune.evaluate import EvalSettings
from calibration.finetune.retention import HARSH_VARIANCE_FACTOR
from calibration.finetune.training import FinetuneSettings

OUT = Path(__file__).resolve().parents[1] / "measurements" / "bench_finetune"


def run(task: str, arch: str, settings: EvalSettings, factor: float = 1.0) -> dict[str, float]:
    import json

    start = time.perf_counter()
    name = f"{task}_{arch}" + ("" if factor == 1.0 else f"_k{factor:g}")
    out_dir = OUT / name
    text = compare_methods(task, arch, out_dir, settings, variance_factor=factor)
    wall_s = time.perf_counter() - start
    print(f"\n### {name} ({wall_s:.0f} s)\n\n{text}\n", flush=True)
    data = json.loads((out_dir / "results.json").read_text())
    fp = data["fp_accuracy"]
    day, year = data["times_s"].index(86400.0), data["times_s"].index(31536000.0)
    acc = {m: torch.tensor(a).mean(dim=1) for m, a in data["accuracies"].items()}
    costs = data["costs"]
    figures = {"wall_s": wall_s, "fp": fp}
    if "none" in acc:
        none_day = float(acc["none"][day])
        figures["none_drop_1d_pts"] = 100 * (fp - none_day)
        if "dora" in acc:
            figures["dora_recovered_1d"] = (float(acc["dora"][day]) - none_day) / (fp - none_day)
    if "reram" in acc:
        figures["reram_gap_1y_pts"] = 100 * (fp - float(acc["reram"][year]))
    if "dora" in costs and "hwa" in costs:
        figures["dora_over_hwa_time"] = costs["dora"]["wall_s"] / costs["hwa"]["wall_s"]
    return {f"{name}.{k}": v for k, v in figures.items()}


def main() -> None:
    args = parse_args(__doc__ or "")
    torch.set_num_threads(2)
    if args.quick:
        settings = EvalSettings(
            times_s=(86400.0, 31536000.0), seeds=2, finetune=FinetuneSettings(epochs=3)
        )
        figures = run("digits", "cnn", settings)
    else:
        settings = EvalSettings()
        figures = run("digits", "cnn", settings)
        figures.update(run("digits", "cnn", settings, HARSH_VARIANCE_FACTOR))
        figures.update(run("mnist5k", "mlp", settings))
    emit_json("finetune", figures)


if __name__ == "__main__":
    main()
