"""Post-programming baselines (method e): output drift compensation and BatchNorm re-estimation.

- Global drift compensation (``gdc``): one digital gain per layer,
  ``alpha = sum|W_ref| / sum|W_chip|``, from a read-out of the array with identity inputs
  (aihwkit ``GlobalDriftCompensationWithExactReference``: ``alpha = mean|y_ref| / mean|y(t)|``
  with ``y = forward(eye)``; Joshi et al., Nat. Commun. 11:2473, 2020). The reference is the
  nominal weights, which the host knows.
- Per-column drift compensation (``pcdc``): the same with one gain per output column
  (aihwkit ``PerColumnDriftCompensation``).
- BatchNorm re-estimation (``bn``): the running mean and variance of every BatchNorm layer are
  recomputed on the chip's own activations from a few unlabelled samples (AdaBS-style, Joshi
  et al. 2020; what aihwkit's maintainers suggest in their issue #247).

All three are digital, need no chip writes, and the identity read-outs need no data.
"""

from __future__ import annotations

import torch
from torch import nn

from calibration.finetune.chip import AnalogLayer, analog_layers, batchnorm_layers

COMPENSATIONS = ("gdc", "pcdc", "bn")


def _abs_column_sums(w: torch.Tensor) -> torch.Tensor:
    return w.abs().reshape(w.shape[0], -1).sum(dim=1)


def drift_gains(layer: AnalogLayer, per_column: bool) -> torch.Tensor:
    """Digital output gains that undo the layer's drift in the mean |output|, shape (out,)."""
    w_ref = layer.weight.detach()
    w_chip = w_ref if layer.delta is None else w_ref + layer.delta
    ref, now = _abs_column_sums(w_ref), _abs_column_sums(w_chip)
    if not per_column:
        ref, now = ref.sum().expand_as(ref), now.sum().expand_as(now)
    return torch.where(now > 0, ref / now.clamp_min(1e-12), torch.ones_like(now))


class Compensated(nn.Module):
    """An analog layer whose chip output is multiplied by fixed digital gains."""

    def __init__(self, layer: AnalogLayer, gains: torch.Tensor):
        super().__init__()
        self.layer = layer
        shape = (1, -1, 1, 1) if isinstance(layer.base, nn.Conv2d) else (1, -1)
        self.register_buffer("gains", gains.reshape(shape))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.gains * self.layer.mvm(x) + self.layer.bias_term()


def _replace_analog(model: nn.Module, make: callable) -> None:  # type: ignore[valid-type]
    for name, child in model.named_children():
        if isinstance(child, AnalogLayer):
            setattr(model, name, make(child))
        else:
            _replace_analog(child, make)


def compensate_drift(chip: nn.Module, per_column: bool = False) -> nn.Module:
    """Wrap every analog layer of ``chip`` (in place) with its drift-compensation gains."""
    _replace_analog(chip, lambda layer: Compensated(layer, drift_gains(layer, per_column)))
    return chip


def reestimate_batchnorm(chip: nn.Module, x_cal: torch.Tensor) -> nn.Module:
    """Recompute BatchNorm running statistics (in place) from ``x_cal`` through the chip.

    Returns ``chip`` unchanged when it has no BatchNorm layer.
    """
    norms = batchnorm_layers(chip)
    if not norms:
        return chip
    for norm in norms:
        norm.reset_running_stats()
        norm.momentum = None  # cumulative average over the calibration pass
    chip.eval()
    for norm in norms:
        norm.train()
    with torch.no_grad():
        chip(x_cal)
    chip.eval()
    return chip


def apply_compensation(chip: nn.Module, name: str, x_cal: torch.Tensor) -> nn.Module:
    """Apply the baseline ``name`` (``gdc``, ``pcdc`` or ``bn``) to ``chip`` in place.

    Raises:
        ValueError: for an unknown name.
    """
    if name == "gdc":
        return compensate_drift(chip, per_column=False)
    if name == "pcdc":
        return compensate_drift(chip, per_column=True)
    if name == "bn":
        return reestimate_batchnorm(chip, x_cal)
    raise ValueError(f"unknown compensation {name!r}; known: {', '.join(COMPENSATIONS)}")


def n_compensation_params(chip: nn.Module, name: str) -> int:
    """Digital parameters the baseline sets: gains per layer or column, or BN statistics."""
    layers = analog_layers(chip)
    if name == "gdc":
        return len(layers)
    if name == "pcdc":
        return sum(layer.out_channels for layer in layers)
    norms = batchnorm_layers(chip)
    return sum(2 * m.num_features for m in norms)
