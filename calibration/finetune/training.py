"""Offline finetuning before programming (methods a, b and d): floating-point model in, a
hardware-aware model out, trained with the chip's forward pass (:mod:`calibration.finetune.chip`).

- ``hwa`` (a): noise-injection hardware-aware training after Rasch et al., Nat. Commun. 14:5282
  (2023) and aihwkit's recipe: additive Gaussian weight noise of 0.06 max|W| resampled per batch
  (aihwkit ``hw_aware_training`` tutorial, ``ADD_NORMAL std_dev=0.06``), output noise 0.04 of
  the ADC range (``StandardHWATrainingPreset out_noise=0.04``), 8/10-bit DAC/ADC in the loop and
  clipping to +-2.5 standard deviations after every step (``LAYER_GAUSSIAN``, default sigma 2.5;
  applied in all three methods: with one conductance scale per layer it sets the signal-to-noise
  ratio of every weight).
- ``reram`` (b): ReRAM-aware finetuning after Lin et al., arXiv 2606.17471 (2026): the
  range-shrunk sinh input transformation in the forward pass (``input_shrink`` 0.5) and the
  retention regulariser ``lambda E_t ||f(x; W) - f(x; R_t(W))||^2`` with ``R_t`` a draw of the
  retention model at ``t ~ logU[1 s, 10 y]`` (finetune_anchors.md 1(a), option (i)). The draw
  is differentiable in ``W`` (:func:`retention_delta_grad`): the retention error depends on the
  conductance state, so the gradient also moves weights toward states that drift less
  (option (iii)'s effect); and the task loss is applied to the drifted model as well (noise
  injection at the sampled times). Both measured on the digits CNN, default device model,
  5 seeds, 15 epochs: 1-year accuracy 96.0 % -> 96.9 % (benchmarks/RESULTS.md, finetune).
  Trained 40 epochs by default (:data:`METHOD_EPOCHS`).
- ``kd`` (d): knowledge-distillation finetuning of the non-ideal model after Lv et al. (2024):
  the student computes with retention-perturbed weights (same ``t`` law) and learns from the
  floating-point teacher's soft labels, ``alpha T^2 KL + (1 - alpha) CE`` with T = 4 and
  alpha = 0.9 (lciric/aimc-hwa-replication, unverified; finetune_anchors.md 1(c)).

All three finetune with BatchNorm frozen (running statistics, :func:`_freeze_batchnorm`), as the
deployed chip computes: in train mode each perturbed batch would be normalised by its own
statistics, hiding the output shift a retention draw causes. On the digits CNN (default device
model, 10 programming seeds, the full 7-time protocol) this moved the 1-year accuracy of b from
97.1 % to 98.2 %, of a from 93.3 % to 95.8 % and of d from 97.3 % to 98.0 %; the one programming
seed whose 1-year draw had cost b 9 points now costs it under 2. Before: the bench run at
commit 5681137; after: benchmarks/RESULTS.md, finetune (`python benchmarks/bench_finetune.py`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import torch
from torch import nn

from calibration.finetune.chip import (
    AnalogLayer,
    ChipConfig,
    analog_layers,
    batchnorm_layers,
    calibrate_ranges,
    clear,
    drifted_conductances,
    program_layer,
    to_chip,
    working_cells,
)
from calibration.finetune.retention import RetentionLike
from calibration.finetune.tasks import Task
from hil.mapping import unmap

F = nn.functional

FINETUNE_METHODS = ("hwa", "reram", "kd")
HWA_WEIGHT_NOISE = 0.06
"""ADD_NORMAL std relative to max|W| (aihwkit hw_aware_training tutorial)."""
HWA_OUT_NOISE = 0.04
"""Output noise relative to the output range (aihwkit StandardHWATrainingPreset)."""
HWA_CLIP_SIGMA = 2.5
"""Clip weights to +-2.5 std after each step (aihwkit WeightClipType.LAYER_GAUSSIAN default)."""
RERAM_INPUT_SHRINK = 0.5
"""Range-shrink factor of method b: sinh(b c v) stays within 7 % of linear at c = 0.5, b = 2.7/V,
v = 0.5 V (DM6.4); chosen here, the paper's value is not public."""
RERAM_LAMBDA = 1.0
"""Weight of the retention regulariser (per logit mean squared error); chosen on digits."""
SLOPE_STEP_US = 0.05
"""Finite-difference step of the retention moments' slopes, uS (well below the 0.5 uS
write-verify tolerance, data/policies/default.toml)."""
T_MIN_S, T_MAX_S = 1.0, 3.15e8
"""The regulariser's log-uniform time range: 1 s to 10 years (finetune_anchors.md 7)."""
KD_TEMPERATURE, KD_ALPHA = 4.0, 0.9


METHOD_EPOCHS = {"hwa": 15, "reram": 40, "kd": 15}
"""Default finetune epochs per method. Method b trains as long as the floating-point models
(calibration.finetune.models.FP_EPOCHS = 40; finetune_anchors.md 7, aihwkit practice: "up to
about the FP epoch count for small CNNs"): its loss has a clean and a drifted task term plus the
regulariser, each batch sees one retention time out of ten decades, and the weights move toward
drift-stable states slowly. Measured on the digits CNN, default device model, 10 programming
seeds, full protocol, 1-year accuracy (FP 99.26 %; issue 8 asks for >= 97.26 %): 97.7 % after
15 epochs (`hil finetune --compare DIR --methods none,reram --epochs 15`, 30 s), 98.2 % after 40
(benchmarks/RESULTS.md, finetune); exploratory runs with training seeds 1 and 2 gave 98.3 % at
40 epochs. a and d keep the 15 they were tuned with."""


@dataclass(frozen=True)
class FinetuneSettings:
    """How long and how fast to finetune."""

    epochs: int | None = None
    """None: the method's default (:data:`METHOD_EPOCHS`)."""
    lr: float = 5e-4
    """Adam learning rate, a quarter of the floating-point one (finetuning, not training)."""
    batch: int = 64
    seed: int = 0

    def epochs_for(self, method: str) -> int:
        """The epochs ``method`` trains for: ``epochs`` if given, else the method's default."""
        return self.epochs if self.epochs is not None else METHOD_EPOCHS[method]


def config_for(method: str, base: ChipConfig | None = None) -> ChipConfig:
    """The chip configuration a method's model is deployed with (b shrinks the input range)."""
    base = base or ChipConfig()
    if method == "reram":
        return replace(base, input_shrink=RERAM_INPUT_SHRINK)
    return base


def _log_uniform_t(rng: np.random.Generator) -> float:
    return math.exp(rng.uniform(math.log(T_MIN_S), math.log(T_MAX_S)))


def _moment_slopes(
    retention: RetentionLike, g_us: np.ndarray, t_s: float
) -> tuple[np.ndarray, np.ndarray]:
    """d mean / d g0 and d sd / d g0 of the retention model at ``g_us`` (dimensionless)."""
    lo, hi = np.maximum(g_us - SLOPE_STEP_US, 0.0), g_us + SLOPE_STEP_US
    mean_lo, sd_lo = retention.moments(lo, t_s)
    mean_hi, sd_hi = retention.moments(hi, t_s)
    return (mean_hi - mean_lo) / (hi - lo), (sd_hi - sd_lo) / (hi - lo)


def retention_delta_grad(
    layer: AnalogLayer, retention: RetentionLike, t_s: float, rng: np.random.Generator
) -> torch.Tensor:
    """A weight-error sample of ``layer`` programmed now and read ``t_s`` later (weight units,
    torch layout), differentiable in the nominal weight.

    The value is one draw through the pair mapping (stuck devices, programming error,
    retention), as :func:`calibration.finetune.chip.deploy` would give. Its gradient is the
    draw's local dependence on the active device's state ``g0``: with ``g = mean(g0) +
    sd(g0) eps``, ``d delta_w / d w = mean'(g0) - 1 + eps sd'(g0)`` (stuck devices: 0).
    """
    w = layer.base.weight
    record = program_layer(layer, retention, rng)
    g_plus, g_minus = drifted_conductances(record, retention, t_s, rng)
    delta = layer.from_matrix(unmap(g_plus, g_minus, record.mapped)) - w.detach()
    plus = record.g_plus_us >= record.g_minus_us
    g0 = np.where(plus, record.g_plus_us, record.g_minus_us)
    g = np.where(plus, g_plus, g_minus)
    stuck = np.where(plus, record.stuck_plus, record.stuck_minus)
    working = working_cells(retention)
    mean, sd = working.moments(g0, t_s)
    eps = (g - mean) / np.maximum(sd, 1e-9)
    d_mean, d_sd = _moment_slopes(working, g0, t_s)
    slope = layer.from_matrix(np.where(stuck, 0.0, d_mean - 1.0 + eps * d_sd))
    return delta + slope * (w - w.detach())


def _perturb(
    chip: nn.Module, retention: RetentionLike, rng: np.random.Generator, *, through: bool
) -> None:
    """Draw every layer's retention error at one ``t ~ logU``; ``through``: keep the gradient
    through the conductance state (method b), else a constant error (method d)."""
    t_s = _log_uniform_t(rng)
    for layer in analog_layers(chip):
        delta = retention_delta_grad(layer, retention, t_s, rng)
        layer.delta = delta if through else delta.detach()


def _hwa_noise(chip: nn.Module) -> None:
    for layer in analog_layers(chip):
        w = layer.weight.detach()
        layer.delta = HWA_WEIGHT_NOISE * w.abs().max() * torch.randn_like(w)


def _clip(chip: nn.Module) -> None:
    with torch.no_grad():
        for layer in analog_layers(chip):
            bound = HWA_CLIP_SIGMA * layer.weight.std()
            layer.weight.clamp_(-bound, bound)


def _freeze_batchnorm(chip: nn.Module) -> None:
    """Put BatchNorm layers in eval mode: normalise with the running statistics, as deployment
    does. In train mode they normalise each batch by its own statistics, which absorbs the shift
    a retention draw gives a layer's outputs, so the perturbed forward pass would not see it."""
    for norm in batchnorm_layers(chip):
        norm.eval()


def _loss(
    method: str,
    chip: nn.Module,
    teacher: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    retention: RetentionLike,
    rng: np.random.Generator,
) -> torch.Tensor:
    if method == "hwa":
        _hwa_noise(chip)
        return F.cross_entropy(chip(x), y)
    if method == "reram":
        clear(chip)
        clean = chip(x)
        _perturb(chip, retention, rng, through=True)
        drifted = chip(x)
        task = F.cross_entropy(clean, y) + F.cross_entropy(drifted, y)
        return task + RERAM_LAMBDA * F.mse_loss(drifted, clean)
    _perturb(chip, retention, rng, through=False)
    student = chip(x)
    with torch.no_grad():
        soft = F.softmax(teacher(x) / KD_TEMPERATURE, dim=1)
    kl = F.kl_div(F.log_softmax(student / KD_TEMPERATURE, dim=1), soft, reduction="batchmean")
    return KD_ALPHA * KD_TEMPERATURE**2 * kl + (1 - KD_ALPHA) * F.cross_entropy(student, y)


def finetune(
    fp_model: nn.Module,
    task: Task,
    method: str,
    retention: RetentionLike,
    config: ChipConfig | None = None,
    settings: FinetuneSettings | None = None,
) -> nn.Module:
    """Finetune a copy of ``fp_model`` with ``method`` (``hwa``, ``reram`` or ``kd``).

    Returns:
        The finetuned chip model (analog layers, ranges calibrated, nominal weights, eval mode).

    Raises:
        ValueError: for an unknown method.
    """
    if method not in FINETUNE_METHODS:
        raise ValueError(
            f"unknown finetune method {method!r}; known: {', '.join(FINETUNE_METHODS)}"
        )
    settings = settings or FinetuneSettings()
    torch.manual_seed(settings.seed)
    rng = np.random.default_rng(settings.seed)
    chip = to_chip(fp_model, config_for(method, config))
    if method == "hwa":
        for layer in analog_layers(chip):
            layer.out_noise = HWA_OUT_NOISE
    teacher = fp_model.eval()
    optimiser = torch.optim.Adam(chip.parameters(), lr=settings.lr)
    generator = torch.Generator().manual_seed(settings.seed)
    n = len(task.x_train)
    for _ in range(settings.epochs_for(method)):
        calibrate_ranges(chip, task.x_train)
        chip.train()
        _freeze_batchnorm(chip)
        order = torch.randperm(n, generator=generator)
        for start in range(0, n, settings.batch):
            batch = order[start : start + settings.batch]
            loss = _loss(
                method, chip, teacher, task.x_train[batch], task.y_train[batch], retention, rng
            )
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            _clip(chip)
    clear(chip)
    for layer in analog_layers(chip):
        layer.out_noise = 0.0
    calibrate_ranges(chip, task.x_train)
    return chip.eval()
