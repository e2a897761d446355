"""`hil demo`: the closed loop end to end on one chip, into `DIR/demo.h5` and `DIR/report.html`.

Stages, in order (each one recorded with its status, wall time and a one-line result):

1. ``model``: load the small digits CNN shipped in `data/models/` (or train it) with
   `calibration.finetune`;
2. ``finetune``: hardware-aware finetune of it (`calibration.finetune`, method `reram`);
3. ``map``: every Conv2d/Linear layer as an (in, out) matrix mapped to differential pairs with the
   chip model's own mapping, the layers side by side on one chip (padding stays unprogrammed);
   on other backends (the 64 x 128 RTL chip) only the classifier layer goes on the chip, the
   others keep their targets;
4. ``program``: write-verify into `demo.h5` (`hil.programming_run`);
5. ``retention``: reads of the programmed block in virtual time out to 1 year (`hil.campaign`),
   appended to `demo.h5`;
6. ``fit``: a retention model fitted to that campaign (`calibration.retention`);
7. ``calibrate``: at each evaluation time, DoRA calibration of the network as read back from the
   chip, from 10 samples (`calibration.finetune.dora`);
8. ``evaluate``: accuracy against time of the read-back network uncalibrated and with global
   drift compensation, and the fitted model's forecast of it;
9. ``report``: the PNG plots of `hil.report` and of the fit, and `DIR/report.html`
   (`hil.html_report`).

A stage whose library piece is missing is recorded as skipped with the reason, never faked, and
the stages that need its output are skipped in turn.

`demo.h5` is a measurement file (measurements/README.md) plus a `/demo` group written here after
the campaign: `/demo/accuracy` (one dataset per method, accuracy per evaluation time `t_s`) and
its attribute `summary` (JSON of the stage records, the packing of layers on the chip and every
table the report shows); the fitted model goes where `hil fit` puts it, the root attribute
`retention_model` (`calibration.retention.load_model("demo.h5")` reads it).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

import h5py
import numpy as np

from hil.backends import checkpointable, open_chip
from hil.backends.sim import SimChip
from hil.campaign import Campaign, Schedule, start_reads
from hil.chip import Chip
from hil.device.params import DeviceParams, preset
from hil.errors import HilError
from hil.mapping import MappedWeights, MappingParams, unmap
from hil.programming_run import ProgrammingRun, ProgrammingSummary
from hil.store import MeasurementFile

YEAR_S = 365.25 * 86400.0
EVAL_TIMES_S = (1.0, 3600.0, 86400.0, 7 * 86400.0, 30 * 86400.0, YEAR_S)
"""Times since programming at which accuracy is evaluated: the field's protocol (1 s, 1 h, 1 day,
1 week, 30 days, 1 year; shared/reference/finetune_anchors.md section 7), up to the campaign's
1 year."""
HARSH_VARIANCE_FACTOR = 2.0
"""The demo's chip relaxes with twice Levy tech C's variance growth k(G): the harsher preset of
issue 8's evaluation (calibration.finetune.retention.HARSH_VARIANCE_FACTOR). As measured, the
finetuned digits CNN loses only about 1.5 points at 1 day, too little to show calibration."""
N_CALIBRATION = 10
"""Calibration samples for DoRA (Dong et al., arXiv 2504.03763: 10 samples)."""
FINETUNE_METHOD = "reram"
"""Hardware-aware finetune of the demo: method b of issue 8 (Lin et al. 2026), the one driven by
the retention model."""
DEMO_FINETUNE_EPOCHS = 3
"""Finetune epochs of the demo, which fit its 3-minute budget on 2 cores (the finetune module's
default for method b, 40, is for its own evaluation: training.METHOD_EPOCHS)."""
METHOD_NONE = "read back, uncalibrated"
METHOD_GDC = "read back + global drift compensation"
METHOD_DORA = "read back + DoRA, 10 samples"
METHOD_FORECAST = "forecast by the fitted retention model"
FIT_TAIL = "nlnv"
"""The fitted family: log-time with a lognormal per-cell variance (issue 7's heavy-tailed
variant; Levy tech C's relaxation is heavy-tailed, device_models.md 2.2 family D)."""
FORECAST_DRAWS = 5
"""Chips drawn from the fitted model per evaluation time; their accuracies are averaged."""
TASK, ARCH = "digits", "cnn"
"""The small model of the demo: the digits CNN of calibration.finetune (issue 8's target model)."""

STAGES = (
    ("model", "load or train the digits model"),
    ("finetune", "hardware-aware finetune"),
    ("map", "map to differential pairs"),
    ("program", "write-verify programming"),
    ("retention", "retention campaign to 1 year"),
    ("fit", "fit retention model"),
    ("calibrate", "DoRA calibration, 10 samples"),
    ("evaluate", "accuracy against time"),
    ("report", "HTML report"),
)


class StageSkipped(HilError):
    """A stage cannot run here: its library piece or an earlier stage's output is missing."""


@dataclass(frozen=True)
class DemoConfig:
    """Settings of one demo run; `quick()` is the reduced configuration CI runs."""

    backend: str = "sim"
    seed: int = 0
    device_preset: str = "levy-tech-c"
    relax_variance_factor: float = HARSH_VARIANCE_FACTOR
    """Multiplier of the preset's relaxation variance growth k(G), for the simulated chip and
    the finetune alike (1: the preset as measured)."""
    until_s: float = YEAR_S
    """Last read of the retention campaign, s after programming."""
    per_decade: int = 2
    """Log-spaced reads per decade of the campaign (the evaluation times are added)."""
    eval_times_s: tuple[float, ...] = EVAL_TIMES_S
    n_calibration: int = N_CALIBRATION
    finetune_epochs: int | None = DEMO_FINETUNE_EPOCHS
    """Epochs of the hardware-aware finetune; None: the finetune module's default."""
    n_test: int | None = None
    """Test images per accuracy evaluation; None: the whole test split."""
    tolerance_us: float | None = None
    """Write-verify tolerance override, uS; None: the default policy's."""

    @classmethod
    def quick(cls, **changes: Any) -> DemoConfig:
        """The reduced configuration: one read per decade and a one-epoch finetune."""
        base = {"per_decade": 1, "finetune_epochs": 1}
        return cls(**{**base, **changes})

    def device_params(self) -> DeviceParams:
        """The simulated device: the preset with its relaxation variance scaled."""
        params = preset(self.device_preset)
        k_us2 = tuple(self.relax_variance_factor * k for k in params.relax_k_us2)
        return replace(params, relax_k_us2=k_us2)


@dataclass
class StageRecord:
    """What one stage did."""

    key: str
    title: str
    status: str = "pending"
    """"done", "skipped" or "pending" (never reached)."""
    seconds: float = 0.0
    detail: str = ""


@dataclass(frozen=True)
class LayerSlot:
    """Where one network layer sits in the packed (rows, weight columns) matrix on the chip."""

    name: str
    in_features: int
    out_features: int
    col0: int
    """First weight column of the layer (device columns 2 * col0 ...)."""


@dataclass
class DemoResult:
    """Everything the report shows; also stored as JSON in demo.h5 (`/demo` attribute `summary`)."""

    out_dir: Path
    config: DemoConfig
    stages: list[StageRecord]
    programming: dict[str, float] = field(default_factory=dict)
    """ProgrammingSummary fields: devices, success_pct, pulses_mean, pulses_median, ..."""
    fit: dict[str, Any] = field(default_factory=dict)
    """Fitted retention parameters (`fit_table`): `levels` (per level: a_us, k_us2, s0_us, tau_s,
    each with `_lo`/`_hi` interval bounds and the `_device` value), `tau_s`, `tail`, `ci_level`,
    `estimator`, `device_range`."""
    accuracy: dict[str, list[float]] = field(default_factory=dict)
    """Accuracy (fraction) per method, one entry per `eval_times_s`."""
    reference_accuracy: dict[str, float] = field(default_factory=dict)
    """Floating-point and finetuned-model accuracies before programming."""
    calibration_cost: dict[str, float] = field(default_factory=dict)
    layers: list[LayerSlot] = field(default_factory=list)
    plots: dict[str, Path] = field(default_factory=dict)
    """Caption -> PNG path, in report order."""
    seconds: float = 0.0

    @property
    def h5_path(self) -> Path:
        return self.out_dir / "demo.h5"

    @property
    def html_path(self) -> Path:
        return self.out_dir / "report.html"

    def stage(self, key: str) -> StageRecord:
        return next(s for s in self.stages if s.key == key)

    def summary(self) -> dict[str, Any]:
        """JSON-ready record of the run (what `/demo` attribute `summary` holds)."""
        return {
            "config": asdict(self.config),
            "stages": [asdict(s) for s in self.stages],
            "programming": self.programming,
            "fit": self.fit,
            "accuracy": self.accuracy,
            "reference_accuracy": self.reference_accuracy,
            "calibration_cost": self.calibration_cost,
            "layers": [asdict(s) for s in self.layers],
            "seconds": self.seconds,
        }


class DemoProgress(Protocol):
    """What the demo reports while it runs (the CLI draws it with rich)."""

    def stage(self, index: int, record: StageRecord) -> None:
        """Stage `index` (0-based, of len(STAGES)) starts."""

    def update(self, done: int, total: int) -> None:
        """Progress within the current stage."""

    def finished(self, record: StageRecord) -> None:
        """The current stage ended (done or skipped)."""


class _Silent:
    def stage(self, index: int, record: StageRecord) -> None:
        pass

    def update(self, done: int, total: int) -> None:
        pass

    def finished(self, record: StageRecord) -> None:
        pass


# --- packing layers on one chip ----------------------------------------------------------------


def pack_layers(layers: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, list[LayerSlot]]:
    """Layers (name -> (in, out) matrix) side by side: the packed matrix (max in, sum out), a mask
    of the real weights (False on padding rows) and each layer's slot."""
    if not layers:
        raise ValueError("no layers to pack")
    rows = max(w.shape[0] for w in layers.values())
    cols = sum(w.shape[1] for w in layers.values())
    packed = np.zeros((rows, cols))
    real = np.zeros((rows, cols), bool)
    slots, col0 = [], 0
    for name, w in layers.items():
        n_in, n_out = w.shape
        packed[:n_in, col0 : col0 + n_out] = w
        real[:n_in, col0 : col0 + n_out] = True
        slots.append(LayerSlot(name, n_in, n_out, col0))
        col0 += n_out
    return packed, real, slots


# --- the chip stages ---------------------------------------------------------------------------


def chip_geometry(packed_shape: tuple[int, int]) -> tuple[int, int]:
    """(rows, device cols) of a simulated chip that holds the packed layers (at least 64 x 128,
    the reference chip of the protocol)."""
    n_in, n_out = packed_shape
    return max(n_in, 64), max(2 * n_out, 128)


def packed_mapping(
    mapped: dict[str, MappedWeights], slots: list[LayerSlot]
) -> tuple[np.ndarray, np.ndarray, MappingParams]:
    """The packed targets G+ and G- (max in, sum out; NaN on padding) and one mapping record for
    the packed matrix: every layer keeps its own scales, as one scale per output column."""
    rows = max(s.in_features for s in slots)
    cols = sum(s.out_features for s in slots)
    g_plus, g_minus = np.full((rows, cols), np.nan), np.full((rows, cols), np.nan)
    scales, clips = np.ones(cols), np.zeros(cols)
    for s in slots:
        layer = mapped[s.name]
        window = (slice(0, s.in_features), slice(s.col0, s.col0 + s.out_features))
        g_plus[window], g_minus[window] = layer.g_plus_us, layer.g_minus_us
        scales[window[1]], clips[window[1]] = layer.scales, layer.clip_values
    config = replace(mapped[slots[0].name].config, granularity="per_column")
    return g_plus, g_minus, MappingParams(config, scales, clips, (rows, cols))


def program_packed(
    chip: Chip,
    store: MeasurementFile,
    packed: np.ndarray,
    mapped: dict[str, MappedWeights],
    slots: list[LayerSlot],
    tolerance_us: float | None,
    progress: Callable[[int, int], None],
) -> ProgrammingSummary:
    """Write-verify the layers' pairs, placed as `slots` say, into `store` (padding stays
    unprogrammed); `packed` is the weight matrix recorded in /targets."""
    from hil.program import default_policy

    policy = default_policy()
    if tolerance_us is not None:
        policy = policy.replace(tolerance_us=tolerance_us, tolerance_pct=None)
    info = chip.info()
    g_plus, g_minus, params = packed_mapping(mapped, slots)
    n_in, n_out = packed.shape
    if n_in > info.rows or 2 * n_out > info.cols:
        raise ValueError(
            f"the layers need {n_in} x {2 * n_out} devices; the chip has {info.rows} x {info.cols}"
        )
    target = np.full((info.rows, info.cols), np.nan)
    target[:n_in, 0 : 2 * n_out : 2] = g_plus
    target[:n_in, 1 : 2 * n_out : 2] = g_minus
    store.write_targets(
        weights=packed,
        g_plus_us=g_plus,
        g_minus_us=g_minus,
        mapping=params.to_dict(),
        origin=(0, 0),
    )
    store.init_programming(target, policy.to_dict())
    if checkpointable(chip):
        store.save_backend_state(chip.state())  # type: ignore[attr-defined]
    store.start_swmr()
    return ProgrammingRun(chip, store, policy).finish(progress)


def campaign_schedule(config: DemoConfig) -> Schedule:
    """Log-spaced reads from 1 s to `until_s` plus every evaluation time (and t = 0)."""
    base = Schedule.log_spaced(config.until_s, config.per_decade)
    times = np.union1d(base.t_s, [t for t in config.eval_times_s if t <= config.until_s])
    return Schedule(np.round(times, 9))


def run_campaign(
    chip: Chip,
    store: MeasurementFile,
    schedule: Schedule,
    n_in: int,
    n_device_cols: int,
    progress: Callable[[int, int], None],
) -> int:
    """Read the programmed block at every scheduled time (virtual time on simulators)."""
    block = (0, 0, n_in, n_device_cols)
    start_reads(store, chip, schedule, block, n_reads=1)
    checkpoint = None
    if checkpointable(chip):
        store.save_backend_state(chip.state())  # type: ignore[attr-defined]

        def checkpoint() -> None:
            store.save_backend_state(chip.state())  # type: ignore[attr-defined]

    return Campaign(chip, store, schedule, block, 1, checkpoint).run(progress)


# --- the run -----------------------------------------------------------------------------------


@dataclass
class _Run:
    """State passed from stage to stage."""

    result: DemoResult
    progress: DemoProgress
    model: Any = None
    """The floating-point torch model."""
    chip_model: Any = None
    """The model as the chip computes it (calibration.finetune.chip), finetuned if that ran."""
    mapped: dict[str, Any] = field(default_factory=dict)
    """Per analog layer (in forward order), its MappedWeights: targets and scales."""
    packed: np.ndarray | None = None
    real: np.ndarray | None = None
    chip: Chip | None = None
    store: MeasurementFile | None = None
    task: Any = None
    fitted_model: Any = None
    reads_t_s: np.ndarray | None = None
    reads_g_us: np.ndarray | None = None
    fit_plots: dict[str, Path] = field(default_factory=dict)
    torch_threads: int = 0

    def close_chip(self) -> None:
        """Close the measurement file and the chip (after the campaign, or on an error)."""
        if self.store is not None:
            self.store.close()
            self.store = None
        if self.chip is not None:
            self.chip.close()
            self.chip = None


def run_demo(
    out_dir: str | Path,
    config: DemoConfig | None = None,
    progress: DemoProgress | None = None,
) -> DemoResult:
    """Run every stage into `out_dir` (created; an earlier demo.h5/report.html is replaced)."""
    config = config or DemoConfig()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name in ("demo.h5", "report.html"):
        (out / name).unlink(missing_ok=True)
    records = [StageRecord(key, title) for key, title in STAGES]
    result = DemoResult(out, config, records)
    run = _Run(result, progress or _Silent())
    start = time.perf_counter()
    steps: dict[str, Callable[[_Run], str]] = {
        "model": _stage_model,
        "finetune": _stage_finetune,
        "map": _stage_map,
        "program": _stage_program,
        "retention": _stage_retention,
        "fit": _stage_fit,
        "calibrate": _stage_calibrate,
        "evaluate": _stage_evaluate,
        "report": _stage_report,
    }
    try:
        for index, record in enumerate(records):
            run.progress.stage(index, record)
            with _timed(record):
                try:
                    record.detail = steps[record.key](run)
                    record.status = "done"
                except StageSkipped as reason:
                    record.status, record.detail = "skipped", str(reason)
            result.seconds = time.perf_counter() - start
            run.progress.finished(record)
            if record.key == "retention":
                run.close_chip()
    finally:
        run.close_chip()
        if run.torch_threads:
            import torch

            torch.set_num_threads(run.torch_threads)
    _write_demo_group(run)
    return result


@contextmanager
def _timed(record: StageRecord) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        record.seconds = time.perf_counter() - start


def _needs(run: _Run, *keys: str) -> None:
    for key in keys:
        earlier = run.result.stage(key)
        if earlier.status != "done":
            raise StageSkipped(f"needs stage {key!r}, which was {earlier.status}")


def _stage_model(run: _Run) -> str:
    try:
        from calibration.finetune.models import accuracy, load_or_train
    except ImportError as error:
        raise StageSkipped(f"calibration.finetune has no digits model (issue 8): {error}") from None
    import torch

    run.torch_threads = torch.get_num_threads()  # restored when the demo ends
    torch.set_num_threads(1)  # small models: more threads only contend on a shared 2-core box
    run.model, run.task = load_or_train(TASK, ARCH)
    x, y = _test_split(run)
    fp = run.result.reference_accuracy["floating point"] = accuracy(run.model, x, y)
    return f"{TASK} {ARCH} from data/models, floating-point test accuracy {100 * fp:.2f} %"


def _stage_finetune(run: _Run) -> str:
    _needs(run, "model")
    try:
        from calibration.finetune.retention import load_retention
        from calibration.finetune.training import FinetuneSettings, finetune
    except ImportError as error:
        raise StageSkipped(f"calibration.finetune cannot finetune (issue 8): {error}") from None
    from calibration.finetune.models import accuracy

    config = run.result.config
    settings = FinetuneSettings(epochs=config.finetune_epochs, seed=config.seed)
    retention = load_retention(
        device_preset=config.device_preset, variance_factor=config.relax_variance_factor
    )
    run.chip_model = finetune(run.model, run.task, FINETUNE_METHOD, retention, settings=settings)
    x, y = _test_split(run)
    nominal = accuracy(run.chip_model, x, y)
    run.result.reference_accuracy["finetuned, chip forward pass, nominal weights"] = nominal
    return (
        f"method {FINETUNE_METHOD!r} (Lin et al. 2026: range-shrunk sinh input, retention "
        f"regulariser), {settings.epochs_for(FINETUNE_METHOD)} epochs: "
        f"{100 * nominal:.2f} % before programming"
    )


def _stage_map(run: _Run) -> str:
    _needs(run, "model")
    try:
        from calibration.finetune.chip import AnalogLayer, calibrate_ranges, to_chip
    except ImportError as error:
        raise StageSkipped(f"calibration.finetune has no chip model (issue 8): {error}") from None
    from hil.mapping import map_weights

    finetuned = run.chip_model is not None
    if not finetuned:  # program the floating-point model through the same chip forward pass
        run.chip_model = to_chip(run.model)
        calibrate_ranges(run.chip_model, run.task.x_train)
    analog = {n: m for n, m in run.chip_model.named_modules() if isinstance(m, AnalogLayer)}
    mapping = next(iter(analog.values())).config.mapping()
    matrices = {name: layer.matrix() for name, layer in analog.items()}
    run.mapped = {name: map_weights(matrix, mapping) for name, matrix in matrices.items()}
    names = list(analog)
    on_chip = names if run.result.config.backend == "sim" else names[-1:]  # RTL: the classifier
    packed, real, slots = pack_layers({name: matrices[name] for name in on_chip})
    run.packed, run.real = packed, real
    run.result.layers = slots
    kinds = {name: type(layer.base).__name__ for name, layer in analog.items()}
    placed = ", ".join(f"{kinds[s.name]} {s.name} {s.in_features}x{s.out_features}" for s in slots)
    which = "finetuned" if finetuned else "floating-point (finetune skipped)"
    digital = "" if len(on_chip) == len(names) else "; the other layers stay at their targets"
    return (
        f"{which} model: {int(real.sum())} weights on {2 * int(real.sum())} devices "
        f"({placed}){digital}"
    )


def _stage_program(run: _Run) -> str:
    _needs(run, "map")
    assert run.packed is not None and run.real is not None
    config = run.result.config
    if config.backend == "sim":
        rows, cols = chip_geometry(run.packed.shape)
        chip = run.chip = SimChip(rows, cols, config.device_params(), seed=config.seed)
    else:
        chip = run.chip = open_chip(config.backend, seed=config.seed)
    run_info = {"command": "demo", "seed": config.seed, "backend_spec": config.backend}
    caps = chip.info()
    store = MeasurementFile.create(
        run.result.h5_path,
        chip_id=caps.chip_id,
        backend=caps.backend,
        chip_info={"rows": caps.rows, "cols": caps.cols, "virtual_time": caps.virtual_time},
        device_params=chip.params.to_dict() if hasattr(chip, "params") else None,
        run=run_info,
    )
    run.store = store
    summary = program_packed(
        chip, store, run.packed, run.mapped, run.result.layers, config.tolerance_us,
        run.progress.update,
    )  # fmt: skip
    run.result.programming = asdict(summary)
    return (
        f"{summary.devices} devices, {summary.success_pct:.2f} % within tolerance, "
        f"{summary.pulses_mean:.1f} pulses per device"
    )


def _stage_retention(run: _Run) -> str:
    _needs(run, "program")
    assert run.packed is not None and run.chip is not None and run.store is not None
    chip, store = run.chip, run.store
    if not chip.info().virtual_time:
        raise StageSkipped("the chip has no virtual time: a 1-year campaign would take a year")
    schedule = campaign_schedule(run.result.config)
    n_in, n_out = run.packed.shape
    taken = run_campaign(chip, store, schedule, n_in, 2 * n_out, run.progress.update)
    series = store.reads()
    run.reads_t_s, run.reads_g_us = series.t_s, series.g_us
    return f"{taken} reads from t = 0 to {series.t_s[-1]:.3g} s (virtual time)"


def _stage_fit(run: _Run) -> str:
    _needs(run, "retention")
    try:
        from calibration.retention import from_device_params
        from calibration.retention.data import load_campaign
        from calibration.retention.fit import CI_LEVEL, ESTIMATOR, FitOptions, fit
    except ImportError as error:
        raise StageSkipped(f"calibration.retention cannot fit yet (issue 7): {error}") from None
    config = run.result.config
    data = load_campaign(run.result.h5_path)
    result = fit(data, FitOptions(tail=FIT_TAIL, seed=config.seed))
    run.fitted_model = result.model
    truth = from_device_params(config.device_params())
    run.result.fit = fit_table(result, truth, CI_LEVEL, ESTIMATOR)
    try:
        from calibration.retention.plots import plot_drift, plot_qq
    except ImportError:
        pass  # the fit's own plots are optional; the report has the measured drift anyway
    else:
        out = run.result.out_dir
        run.fit_plots = {
            "Fitted model against the campaign: mean and sd of the drift per level": plot_drift(
                result, out / "demo_fit_drift.png"
            ),
            "QQ plot of standardised residuals": plot_qq(result, data, out / "demo_fit_qq.png"),
        }
    levels = run.result.fit["levels"]
    return f"{len(levels)} levels, tau {run.result.fit['tau_s']:.3g} s ({ESTIMATOR.split(':')[0]})"


def fit_table(result: Any, truth: Any, ci_level: float, estimator: str) -> dict[str, Any]:
    """The fitted parameters per level with their confidence intervals, next to the values of
    the device model the simulated chip obeys (`truth`, a RetentionModel) at the same level."""
    tables, ci = result.tables, result.ci
    g0 = np.asarray(result.moments.g_us, float)
    device = truth.tables(g0)
    nan = np.full(g0.shape, np.nan)
    low = {name: np.asarray(ci[name][0], float) if name in ci else nan for name in _FIT_PARAMS}
    high = {name: np.asarray(ci[name][1], float) if name in ci else nan for name in _FIT_PARAMS}
    levels = [
        {
            "g0_us": float(g0[i]),
            "cells": int(result.moments.n[i].max()),
            **{
                f"{name}{suffix}": float(values[i])
                for name in _FIT_PARAMS
                for suffix, values in (
                    ("", np.asarray(getattr(tables, name), float)),
                    ("_lo", low[name]),
                    ("_hi", high[name]),
                    ("_device", device[name]),
                )
            },
        }
        for i in range(g0.size)
    ]
    return {
        "levels": levels,
        "tau_s": float(np.median(tables.tau_s)),
        "tail": result.model.tail,
        "tail_param": float(result.model.tail_param),
        "tail_param_device": float(truth.tail_param),
        "ci_level": ci_level,
        "estimator": estimator,
        "device_range": {
            name: [float(min(getattr(truth, name))), float(max(getattr(truth, name)))]
            for name in _FIT_PARAMS
        },
    }


_FIT_PARAMS = ("a_us", "k_us2", "s0_us", "tau_s")


def _stage_calibrate(run: _Run) -> str:
    _needs(run, "retention", "map")
    try:
        from calibration.finetune.chip import to_digital
        from calibration.finetune.dora import calibrate_dora
    except ImportError as error:
        raise StageSkipped(
            f"no DoRA calibration in calibration.finetune (issue 8): {error}"
        ) from None
    from calibration.finetune.models import accuracy

    config = run.result.config
    x, y = _test_split(run)
    x_cal = run.task.x_train[: config.n_calibration]
    teacher = to_digital(run.chip_model)
    calibrated, reports = [], []
    for done, t_s in enumerate(config.eval_times_s):
        chip = deployed(run, _read_at(run, t_s))
        reports.append(calibrate_dora(chip, teacher, x_cal, seed=config.seed))
        calibrated.append(accuracy(chip, x, y))
        run.progress.update(done + 1, len(config.eval_times_s))
    run.result.accuracy[METHOD_DORA] = calibrated
    report = reports[0]
    run.result.calibration_cost = {
        "calibration samples": report.samples,
        "adapter parameters (digital memory)": report.params,
        "share of the model's parameters updated (%)": round(report.params_pct, 3),
        "digital memory, bytes": report.sram_bytes,
        "chip writes": 0,
        "wall time per calibration, s (mean)": round(
            float(np.mean([r.wall_s for r in reports])), 2
        ),
    }
    return (
        f"one calibration per read time on {report.samples} samples: {report.params} "
        f"parameters ({report.params_pct:.2f} % of the model, {report.sram_bytes} bytes)"
    )


def _stage_evaluate(run: _Run) -> str:
    _needs(run, "retention", "map")
    from calibration.finetune.models import accuracy

    config = run.result.config
    x, y = _test_split(run)
    x_cal = run.task.x_train[: config.n_calibration]
    found: dict[str, list[float]] = {METHOD_NONE: [], METHOD_GDC: []}
    for done, t_s in enumerate(config.eval_times_s):
        chip = deployed(run, _read_at(run, t_s))
        found[METHOD_NONE].append(accuracy(chip, x, y))
        found[METHOD_GDC].append(accuracy(_compensated(chip, x_cal), x, y))
        run.progress.update(done + 1, len(config.eval_times_s))
    if run.fitted_model is not None:
        found[METHOD_FORECAST] = [forecast(run, t_s, x, y) for t_s in config.eval_times_s]
    run.result.accuracy = {**found, **run.result.accuracy}  # uncalibrated first
    from hil import html_report

    return ", ".join(
        f"{html_report.time_label(t)} {100 * a:.1f} %"
        for t, a in zip(config.eval_times_s, found[METHOD_NONE], strict=True)
    )


def _compensated(chip: Any, x_cal: Any) -> Any:
    import copy

    from calibration.finetune.compensation import apply_compensation

    return apply_compensation(copy.deepcopy(chip), "gdc", x_cal)


def forecast(run: _Run, t_s: float, x: Any, y: Any) -> float:
    """Mean accuracy of FORECAST_DRAWS chips whose conductances the fitted retention model
    draws at `t_s` from the read at t = 0: what the fit predicts the measurement will show."""
    from calibration.finetune.models import accuracy

    rng = np.random.default_rng(run.result.config.seed)
    g0_us = _read_at(run, 0.0)
    working = run.fitted_model.replace(p_stuck=0.0)  # stuck cells already sit in the t = 0 read
    draws = [
        accuracy(deployed(run, working.sample(g0_us, t_s, rng)), x, y)
        for _ in range(FORECAST_DRAWS)
    ]
    return float(np.mean(draws))


def layer_conductances(
    g_block_us: np.ndarray, slots: list[LayerSlot]
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per packed layer, its (G+, G-) matrices (in, out) in uS, cut from one read of the chip
    block `g_block_us` (rows, device cols) that starts at the chip's origin."""
    out = {}
    for s in slots:
        block = np.clip(
            g_block_us[: s.in_features, 2 * s.col0 : 2 * (s.col0 + s.out_features)], 0, None
        )
        out[s.name] = (block[:, 0::2], block[:, 1::2])
    return out


def deployed(run: _Run, g_block_us: np.ndarray) -> Any:
    """A copy of the chip model computing with the conductances of one read of the block; layers
    not on the chip (the RTL backend's) hold their targets."""
    import copy

    from calibration.finetune.chip import AnalogLayer, set_weights

    chip = copy.deepcopy(run.chip_model)
    layers = {n: m for n, m in chip.named_modules() if isinstance(m, AnalogLayer)}
    read = layer_conductances(g_block_us, run.result.layers)
    for name, mapped in run.mapped.items():
        g_plus, g_minus = read.get(name, (mapped.g_plus_us, mapped.g_minus_us))
        set_weights(layers[name], layers[name].from_matrix(unmap(g_plus, g_minus, mapped)))
    return chip.eval()


def _read_at(run: _Run, t_s: float) -> np.ndarray:
    assert run.reads_t_s is not None and run.reads_g_us is not None
    return run.reads_g_us[_read_index(run.reads_t_s, t_s)]


def _read_index(t_s: np.ndarray, wanted_s: float) -> int:
    index = int(np.argmin(np.abs(t_s - wanted_s)))
    if not np.isclose(t_s[index], wanted_s, rtol=1e-6, atol=1e-9):
        raise StageSkipped(f"the campaign has no read at t = {wanted_s:g} s")
    return index


def _test_split(run: _Run) -> tuple[Any, Any]:
    n = run.result.config.n_test
    x, y = run.task.x_test, run.task.y_test
    return (x, y) if n is None else (x[:n], y[:n])


def _stage_report(run: _Run) -> str:
    from hil.html_report import write_html
    from hil.report import write_report

    if run.result.h5_path.exists():
        for png in write_report(run.result.h5_path):
            run.result.plots[_PLOT_CAPTIONS.get(png.stem.split("_")[-1], png.stem)] = png
    run.result.plots.update(run.fit_plots)
    write_html(run.result, run.result.html_path)
    return f"{run.result.html_path} with {len(run.result.plots)} plots"


_PLOT_CAPTIONS = {
    "programming": "Write-verify: pulses per device and programming error",
    "yield": "Yield map of the programmed block",
    "levels": "Conductance per target level, right after programming and after 1 year",
    "drift": "Drift per target level against time since programming",
}


def _write_demo_group(run: _Run) -> None:
    """Add `/demo` to demo.h5 (after the campaign closed the file; SWMR forbids new objects)."""
    path = run.result.h5_path
    if not path.exists():
        return
    with h5py.File(path, "a", libver="latest") as handle:
        if "demo" in handle:
            del handle["demo"]
        group = handle.create_group("demo")
        group.attrs["summary"] = json.dumps(run.result.summary(), default=str)
        accuracy = group.create_group("accuracy")
        accuracy.attrs["t_s"] = np.asarray(run.result.config.eval_times_s)
        for method, values in run.result.accuracy.items():
            dataset = accuracy.create_dataset(method, data=np.asarray(values, np.float64))
            dataset.attrs["units"] = "fraction of test images"
    if run.fitted_model is not None:  # where `calibration.retention.load_model(path)` finds it
        run.fitted_model.save(path)
