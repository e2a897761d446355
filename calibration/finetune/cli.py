"""``hil finetune`` and ``hil calibrate``: the command-line face of calibration.finetune.

``hil finetune`` turns a floating-point model into a hardware-aware one (methods hwa, reram, kd)
or, with ``--compare DIR``, evaluates every method against time since programming and writes
``results.json``, ``table.md`` and ``accuracy_vs_time.png``. ``hil calibrate`` takes a model and
HDF5 files of read-back conductances and trains DoRA adapters (method c).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from hil.cli_common import UsageProblem, friendly_errors, progress_bar

# Choices are spelled out so that `hil --help` does not import torch; tests check that they equal
# calibration.finetune's TASKS, ARCHS, METHODS and FINETUNE_METHODS.
TASK_CHOICES = ("digits", "mnist5k")
ARCH_CHOICES = ("mlp", "cnn")
METHOD_CHOICES = ("none", "gdc", "pcdc", "bn", "dora", "hwa", "reram", "kd")
FINETUNE_CHOICES = ("hwa", "reram", "kd")
DEFAULT_EPOCHS = {"hwa": 15, "reram": 40, "kd": 15}
"""calibration.finetune.training.METHOD_EPOCHS (spelled out for --help, see above)."""

TORCH_THREADS = 2
"""CPU threads for torch (the CI machine has 2 cores)."""

retention_option = click.option(
    "--retention",
    "retention_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Fitted retention model (JSON from hil fit); default: the device model's own.",
)
preset_option = click.option(
    "--device-preset", help="Device preset whose retention law to use (default levy-tech-c)."
)


def _readback_pairs(values: tuple[str, ...]) -> dict[str, Path]:
    pairs = {}
    for value in values:
        key, sep, path = value.partition("=")
        if not sep or not key or not path:
            raise UsageProblem(
                f"--readback wants LAYER=FILE.h5 (e.g. 0.weight=layer.h5), got {value!r}"
            )
        pairs[key] = Path(path)
    return pairs


@click.command("finetune")
@click.option("--task", type=click.Choice(TASK_CHOICES), default="digits", show_default=True)
@click.option("--arch", type=click.Choice(ARCH_CHOICES), default="cnn", show_default=True)
@click.option(
    "--model",
    "model_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Floating-point model (.pt with its .json card); default data/models/<task>_<arch>.pt, "
    "trained if missing.",
)
@click.option("--method", type=click.Choice(FINETUNE_CHOICES), help="Finetune method.")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help="Finetuned model.")
@click.option(
    "--compare",
    "compare_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Evaluate every method against time instead; write the table and plot into DIR.",
)
@click.option(
    "--methods", default=",".join(METHOD_CHOICES), show_default=True, help="Methods for --compare."
)
@click.option("--seeds", type=int, default=10, show_default=True, help="Programming seeds.")
@click.option(
    "--epochs",
    type=int,
    help="Finetune epochs (default per method: "
    + ", ".join(f"{m} {n}" for m, n in DEFAULT_EPOCHS.items())
    + ").",
)
@click.option("--samples", type=int, default=10, show_default=True, help="Calibration images.")
@click.option(
    "--variance-factor",
    type=float,
    default=1.0,
    show_default=True,
    help="Scale the relaxation variance for --compare (2 is the harsher preset).",
)
@retention_option
@preset_option
@friendly_errors
def finetune_command(
    task: str,
    arch: str,
    model_path: Path | None,
    method: str | None,
    out: Path | None,
    compare_dir: Path | None,
    methods: str,
    seeds: int,
    epochs: int | None,
    samples: int,
    variance_factor: float,
    retention_path: Path | None,
    device_preset: str | None,
) -> None:
    """Finetune a model for the chip, or compare every method (--compare DIR)."""
    import torch

    from calibration.finetune.api import compare_methods, finetune_model
    from calibration.finetune.evaluate import EvalSettings
    from calibration.finetune.training import FinetuneSettings

    torch.set_num_threads(TORCH_THREADS)
    if (epochs is not None and epochs < 1) or seeds < 1 or samples < 1:
        raise UsageProblem("--epochs, --seeds and --samples must be at least 1")
    finetune_settings = FinetuneSettings(epochs=epochs)
    if compare_dir is not None:
        if method or out:
            raise UsageProblem("--compare runs every method; drop --method and --out")
        chosen = tuple(m.strip() for m in methods.split(",") if m.strip())
        settings = EvalSettings(
            methods=chosen, seeds=seeds, n_cal=samples, finetune=finetune_settings
        )
        with progress_bar("methods") as progress:
            summary = compare_methods(
                task,
                arch,
                compare_dir,
                settings,
                model_path,
                retention_path,
                device_preset,
                progress,
                variance_factor,
            )
        click.echo(summary)
        return
    if method is None or out is None:
        raise UsageProblem("give --method and --out (or --compare DIR)")
    card = finetune_model(
        task, arch, method, out, finetune_settings, model_path, retention_path, device_preset
    )
    click.echo(
        f"finetuned {task}/{arch} with {method} into {out}: "
        f"{100 * card.test_accuracy:.2f} % test accuracy on the ideal chip"
    )


@click.command("calibrate")
@click.argument("model_path", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--readback",
    multiple=True,
    required=True,
    help="LAYER=FILE.h5: read-back conductances of one layer (hil program + hil retention); "
    "repeat per layer. LAYER is the weight's state-dict key, e.g. 0.weight.",
)
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), required=True)
@click.option("--samples", type=int, default=10, show_default=True, help="Calibration images.")
@click.option("--rank", type=int, default=2, show_default=True, help="DoRA rank.")
@click.option("--seed", type=int, default=0, show_default=True)
@retention_option
@preset_option
@friendly_errors
def calibrate_command(
    model_path: Path,
    readback: tuple[str, ...],
    out: Path,
    samples: int,
    rank: int,
    seed: int,
    retention_path: Path | None,
    device_preset: str | None,
) -> None:
    """Train DoRA adapters for MODEL on read-back conductances; write them to --out."""
    import torch

    from calibration.finetune.api import calibrate_from_files

    torch.set_num_threads(TORCH_THREADS)
    if samples < 1 or rank < 1:
        raise UsageProblem("--samples and --rank must be at least 1")
    result = calibrate_from_files(
        model_path,
        _readback_pairs(readback),
        out,
        n_cal=samples,
        rank=rank,
        seed=seed,
        retention_path=retention_path,
        device_preset=device_preset,
    )
    click.echo(json.dumps(result, sort_keys=True))
