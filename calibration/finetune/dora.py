"""DoRA calibration after programming (method c), after Dong et al., arXiv 2504.03763 (2025).

The chip's conductances stay as read back (no writes). Each analog layer gets a digital adapter

    y = gamma * (y_chip(x) + s B A x) + beta + bias,

the detached-norm DoRA on a frozen base (finetune_anchors.md 3: ``m / ||W0 + sBA||_c`` with the
norm detached is a per-output-channel gain ``gamma``), with ``gamma`` initialised to 1, ``B`` to
0, ``A`` Kaiming-uniform (peft's LoRA initialisation) and ``s = alpha / r``. For convolutions
``A`` has the base layer's kernel, stride and padding (C_in -> r) and ``B`` is 1x1 (r -> C_out),
as in peft's ``_DoraConvNdLayer``.

Training is layer-wise feature distillation against the digital model on at most a handful of
calibration images: layer by layer, the adapter learns to map the (already calibrated) chip
activations entering it to the digital model's output of that layer; a short end-to-end logit
distillation follows. gamma, beta, A and B live in digital memory (SRAM).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import torch
from torch import nn

from calibration.finetune.chip import AnalogLayer
from calibration.finetune.compensation import _replace_analog

F = nn.functional

DORA_RANK = 2
"""Rank of the low-rank direction update (finetune_anchors.md 6: DoRA r2 on digits)."""
DORA_ALPHA = 2.0
"""LoRA alpha; s = alpha / r = 1 (peft's default ratio for r = alpha)."""
LAYER_STEPS = 80
LOGIT_STEPS = 40
LR = 1e-2
"""Adam steps per layer, end-to-end steps and learning rate (chosen on digits: the losses
plateau within these)."""
BYTES_PER_PARAM = 2
"""Adapter parameters are stored as 16-bit floats in SRAM."""
KD_TEMPERATURE = 4.0


class DoraAdapter(nn.Module):
    """A frozen analog layer plus its digital DoRA adapter."""

    def __init__(self, layer: AnalogLayer, rank: int = DORA_RANK, alpha: float = DORA_ALPHA):
        super().__init__()
        if rank < 1:
            raise ValueError(f"DoRA rank must be >= 1, got {rank}")
        self.layer = layer
        for p in layer.parameters():
            p.requires_grad_(False)
        base = layer.base
        out = layer.out_channels
        if isinstance(base, nn.Conv2d):
            self.lora_a: nn.Module = nn.Conv2d(
                base.in_channels, rank, base.kernel_size, base.stride, base.padding, bias=False
            )
            self.lora_b: nn.Module = nn.Conv2d(rank, out, 1, bias=False)
            self._shape = (1, -1, 1, 1)
        else:
            self.lora_a = nn.Linear(base.in_features, rank, bias=False)
            self.lora_b = nn.Linear(rank, out, bias=False)
            self._shape = (1, -1)
        nn.init.kaiming_uniform_(self.lora_a.weight, a=math.sqrt(5))
        nn.init.zeros_(self.lora_b.weight)
        self.gamma = nn.Parameter(torch.ones(out))
        self.beta = nn.Parameter(torch.zeros(out))
        self.scaling = alpha / rank

    def adapt(self, x: torch.Tensor, y_chip: torch.Tensor) -> torch.Tensor:
        """The adapted output for digital input ``x`` and the chip's output ``y_chip`` on it."""
        y = y_chip + self.scaling * self.lora_b(self.lora_a(x))
        gamma, beta = self.gamma.view(self._shape), self.beta.view(self._shape)
        return gamma * y + beta + self.layer.bias_term()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.adapt(x, self.layer.mvm(x))

    def trainable(self) -> list[nn.Parameter]:
        """gamma, beta, A and B (the chip layer is frozen)."""
        return [p for p in self.parameters() if p.requires_grad]

    def n_params(self) -> int:
        """Trainable (SRAM) parameters."""
        return sum(p.numel() for p in self.trainable())


@dataclass(frozen=True)
class DoraReport:
    """What a DoRA calibration cost."""

    samples: int
    params: int
    """Adapter parameters (gamma, beta, A, B over all adapted layers)."""
    params_pct: float
    """Adapter parameters as a percentage of the model's parameters."""
    sram_bytes: int
    wall_s: float


def adapters(model: nn.Module) -> list[DoraAdapter]:
    return [m for m in model.modules() if isinstance(m, DoraAdapter)]


def attach(chip: nn.Module, rank: int = DORA_RANK) -> list[DoraAdapter]:
    """Wrap every analog layer of ``chip`` (in place) in a fresh adapter; returns them."""
    _replace_analog(chip, lambda layer: DoraAdapter(layer, rank))
    return adapters(chip)


def _io(model: nn.Module, modules: list[nn.Module], x: torch.Tensor) -> list[tuple]:
    """(input, output) of each module in one forward pass, without gradients."""
    seen: dict[nn.Module, tuple] = {}
    hooks = [
        m.register_forward_hook(lambda mod, i, o: seen.__setitem__(mod, (i[0], o))) for m in modules
    ]
    try:
        with torch.no_grad():
            model(x)
    finally:
        for h in hooks:
            h.remove()
    return [seen[m] for m in modules]


def _fit(params: list[nn.Parameter], loss_fn, steps: int) -> None:
    optimiser = torch.optim.Adam(params, lr=LR)
    for _ in range(steps):
        optimiser.zero_grad()
        loss = loss_fn()
        loss.backward()
        optimiser.step()


def calibrate_dora(
    chip: nn.Module,
    teacher: nn.Module,
    x_cal: torch.Tensor,
    *,
    rank: int = DORA_RANK,
    layer_steps: int = LAYER_STEPS,
    logit_steps: int = LOGIT_STEPS,
    seed: int = 0,
) -> DoraReport:
    """Attach DoRA adapters to ``chip`` (in place) and train them on ``x_cal``.

    Args:
        chip: A deployed chip model (its analog layers hold the read-back or drifted weights).
        teacher: The digital model; its Linear/Conv2d layers correspond in order to the chip's
            analog layers.
        x_cal: Calibration images (unlabelled; the paper uses at most 10).
        rank: Adapter rank.
        layer_steps: Adam steps per layer of feature distillation.
        logit_steps: Adam steps of the final end-to-end logit distillation (0: skip).
        seed: Seeds the adapters' initialisation.

    Returns:
        The cost record; ``chip`` now computes with the adapters (eval mode).
    """
    start = time.perf_counter()
    torch.manual_seed(seed)
    n_model = sum(p.numel() for p in teacher.parameters())
    chip.eval()
    teacher.eval()
    layers = attach(chip, rank)
    digital = [m for m in teacher.modules() if isinstance(m, nn.Linear | nn.Conv2d)]
    if len(digital) != len(layers):
        raise ValueError(f"teacher has {len(digital)} layers, the chip {len(layers)}")
    targets = [out for _, out in _io(teacher, digital, x_cal)]
    for index, adapter in enumerate(layers):
        x_in = _io(chip, [adapter], x_cal)[0][0]
        with torch.no_grad():
            y_chip = adapter.layer.mvm(x_in)  # frozen: computed once per layer
        target = targets[index]
        scale = target.pow(2).mean().clamp_min(1e-12)
        _fit(
            adapter.trainable(),
            lambda a=adapter, x=x_in, y=y_chip, t=target, s=scale: F.mse_loss(a.adapt(x, y), t) / s,
            layer_steps,
        )
    if logit_steps:
        with torch.no_grad():
            soft = F.softmax(teacher(x_cal) / KD_TEMPERATURE, dim=1)
        params = [p for a in layers for p in a.parameters() if p.requires_grad]

        def logit_loss() -> torch.Tensor:
            log_p = F.log_softmax(chip(x_cal) / KD_TEMPERATURE, dim=1)
            return F.kl_div(log_p, soft, reduction="batchmean")

        _fit(params, logit_loss, logit_steps)
    chip.eval()
    n_params = sum(a.n_params() for a in layers)
    return DoraReport(
        samples=len(x_cal),
        params=n_params,
        params_pct=100.0 * n_params / n_model,
        sram_bytes=BYTES_PER_PARAM * n_params,
        wall_s=time.perf_counter() - start,
    )
