"""Torch layers that compute like the chip: Linear and Conv2d through DAC, sinh I-V, crossbar
conductances and ADC.

Forward pass of an :class:`AnalogLayer` for an input ``x`` (digital) and weights ``W``:

1. DAC: ``u = q_dac(clip(x / beta, -1, 1))`` with the layer's input range ``beta`` and
   ``dac_bits`` (signed, ``hil.device.converters.signed_converter``'s code grid);
2. row voltage ``v = c * v_max * u`` with the range-shrink factor ``c`` (Lin et al. 2026's
   range-shrunk sinh); the cell current follows ``I = G * v_r sinh(b v) / sinh(b v_r)``
   (``hil.device.array.iv_drive_v``, device_models.md DM6.4), normalised by its small-signal
   slope so that the layer is the identity map for small inputs;
3. crossbar: ``y = phi(x) @ W_chip`` where ``W_chip = scale * (G+ - G-)`` are the weights the
   conductances hold (``hil.mapping.map_weights``/``unmap``), or ``W`` itself before deployment;
4. ADC: ``q_adc(clip(y / y_max, -1, 1)) * y_max`` with ``adc_bits``; the bias is added digitally.

Quantisers pass gradients straight through (Bengio et al. 2013), so the same layers train.
Tiling onto 64-row arrays (one ADC conversion per tile) is not modelled: one ADC per layer.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from calibration.finetune.retention import RetentionLike
from hil.mapping import (
    FaultMap,
    MappedWeights,
    MappingConfig,
    conv_to_matrix,
    map_weights,
    matrix_to_conv,
    unmap,
)

F = nn.functional


@dataclass(frozen=True)
class ChipConfig:
    """Converter, I-V and mapping settings of the simulated chip (defaults: reference chip)."""

    dac_bits: int = 8
    """MVM input DAC bits (firmware_interface/spec.toml [reference_chip] mvm_input_bits)."""
    adc_bits: int = 10
    """MVM output ADC bits (spec.toml [reference_chip] mvm_adc_bits)."""
    v_read_max_v: float = 0.5
    """MVM input DAC full scale, V: the chip's READ_V register set to its 500 mV maximum
    (spec.toml; the register resets to 200 mV), the largest row voltage hil.chip allows."""
    input_shrink: float = 1.0
    """Range-shrink factor c in (0, 1]: the DAC uses c * v_read_max_v (Lin et al. 2026)."""
    iv_nonlinear: bool = True
    """Apply the sinh I-V (DM6.4); off gives a linear crossbar."""
    iv_b_per_v: float = 2.7
    """sinh steepness b, 1/V (hil.device.params.DeviceParams.iv_b_per_v, DM6.4: 2-4 per volt)."""
    v_read_v: float = 0.2
    """Voltage at which the conductance is defined, V (DeviceParams.v_read_v)."""
    adc_headroom: float = 1.5
    """ADC full scale as a multiple of the largest |y| seen at range calibration (aihwkit's
    out_bound plays this role; 1.5 leaves room for drift-grown outputs)."""
    granularity: str = "per_tensor"
    """One weight-to-conductance scale per layer (hil.mapping.MappingConfig's default);
    "per_column" is aihwkit's weight_scaling_columnwise=True."""
    program_tolerance_us: float = 0.5
    """Programming error bound, uS: write-verify accepts within aim_fraction x tolerance
    (data/policies/default.toml: 0.5 x 1.0 uS); errors are uniform in +-this."""

    def mapping(self) -> MappingConfig:
        """The ``hil.mapping`` options used to place weights (SIGN pairs, 1-40 uS window)."""
        return MappingConfig(granularity=self.granularity)  # type: ignore[arg-type]


def _quantise(x: torch.Tensor, bits: int) -> torch.Tensor:
    """Round ``x`` in [-1, 1] to the signed converter grid; gradient passes straight through."""
    steps = 2 ** (bits - 1) - 1
    q = torch.round(x * steps) / steps
    return x + (q - x).detach()


class AnalogLayer(nn.Module):
    """A Linear or Conv2d layer computed by the simulated chip (see the module docstring).

    Attributes:
        base: The wrapped digital layer; its ``weight`` is the trainable nominal weight.
        delta: Weight error added in the forward pass (constant): programmed-and-drifted
            minus nominal after :func:`deploy`, a training-time sample, or None.
        ideal: When True the layer is the plain digital layer (used for range calibration).
    """

    def __init__(self, base: nn.Linear | nn.Conv2d, config: ChipConfig):
        super().__init__()
        self.base = base
        self.config = config
        self.register_buffer("in_range", torch.ones(()))
        self.register_buffer("out_range", torch.ones(()))
        self.delta: torch.Tensor | None = None
        self.ideal = False
        self.out_noise = 0.0
        """Training-time output noise, relative to out_range (0: off)."""

    @property
    def weight(self) -> torch.Tensor:
        return self.base.weight

    @property
    def out_channels(self) -> int:
        return int(self.base.weight.shape[0])

    def matrix(self) -> np.ndarray:
        """Nominal weights as the crossbar's (in_features, out_features) matrix, float64."""
        w = self.base.weight.detach().double().numpy()
        return conv_to_matrix(w) if w.ndim == 4 else w.T.copy()

    def from_matrix(self, matrix: np.ndarray) -> torch.Tensor:
        """A torch-layout weight tensor from an (in, out) crossbar matrix."""
        shape = tuple(self.base.weight.shape)
        w = matrix_to_conv(matrix, shape) if len(shape) == 4 else matrix.T
        return torch.as_tensor(np.ascontiguousarray(w), dtype=torch.float32)

    def _drive(self, x: torch.Tensor) -> torch.Tensor:
        cfg = self.config
        u = _quantise(torch.clamp(x / self.in_range, -1.0, 1.0), cfg.dac_bits)
        if not cfg.iv_nonlinear:
            return u * self.in_range
        span_v = cfg.input_shrink * cfg.v_read_max_v
        b, v_r = cfg.iv_b_per_v, cfg.v_read_v
        slope = b * v_r / math.sinh(b * v_r)  # d(drive)/dv at v = 0
        drive = v_r * torch.sinh(b * span_v * u) / math.sinh(b * v_r)
        return drive / (slope * span_v) * self.in_range

    def _op(self, x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        if isinstance(self.base, nn.Conv2d):
            b = self.base
            return F.conv2d(x, w, None, b.stride, b.padding, b.dilation, b.groups)
        return F.linear(x, w)

    def mvm(self, x: torch.Tensor) -> torch.Tensor:
        """The chip's output for digital input ``x``, before the digital bias."""
        w = self.base.weight if self.delta is None else self.base.weight + self.delta
        if self.ideal:
            return self._op(x, w)
        y = self._op(self._drive(x), w)
        if self.training and self.out_noise > 0:
            y = y + self.out_noise * self.out_range * torch.randn_like(y)
        scaled = torch.clamp(y / self.out_range, -1.0, 1.0)
        return _quantise(scaled, self.config.adc_bits) * self.out_range

    def bias_term(self) -> torch.Tensor | float:
        """The digital bias, shaped to broadcast over the layer's output (0 without bias)."""
        bias = self.base.bias
        if bias is None:
            return 0.0
        return bias.view(1, -1, 1, 1) if isinstance(self.base, nn.Conv2d) else bias

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.mvm(x) + self.bias_term()


def analog_layers(model: nn.Module) -> list[AnalogLayer]:
    """The model's analog layers in forward order."""
    return [m for m in model.modules() if isinstance(m, AnalogLayer)]


def batchnorm_layers(model: nn.Module) -> list[nn.modules.batchnorm._BatchNorm]:
    """The model's BatchNorm layers (digital, after the analog layers) in forward order."""
    return [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]


def to_chip(model: nn.Module, config: ChipConfig | None = None) -> nn.Module:
    """A deep copy of ``model`` with every Linear and Conv2d wrapped in an :class:`AnalogLayer`."""
    config = config or ChipConfig()
    chip = copy.deepcopy(model)

    def wrap(parent: nn.Module) -> None:
        for name, child in parent.named_children():
            if isinstance(child, nn.Linear | nn.Conv2d):
                setattr(parent, name, AnalogLayer(child, config))
            else:
                wrap(child)

    wrap(chip)
    return chip


def to_digital(chip: nn.Module) -> nn.Module:
    """A deep copy with every :class:`AnalogLayer` replaced by its digital layer (for saving)."""
    digital = copy.deepcopy(chip)

    def unwrap(parent: nn.Module) -> None:
        for name, child in parent.named_children():
            if isinstance(child, AnalogLayer):
                setattr(parent, name, child.base)
            else:
                unwrap(child)

    unwrap(digital)
    return digital


def calibrate_ranges(chip: nn.Module, x: torch.Tensor) -> None:
    """Set each layer's DAC input range (max |input|) and ADC full scale (headroom x max |y|)
    from an ideal (digital) forward pass on ``x``; done once, at programming time."""
    layers = analog_layers(chip)
    seen: dict[AnalogLayer, tuple[float, float]] = {}

    def hook(layer: nn.Module, inputs: tuple[torch.Tensor, ...], output: torch.Tensor) -> None:
        assert isinstance(layer, AnalogLayer)
        y = output - layer.bias_term()
        seen[layer] = (float(inputs[0].abs().max()), float(y.abs().max()))

    handles = [layer.register_forward_hook(hook) for layer in layers]
    saved = [(layer.ideal, layer.delta) for layer in layers]
    was_training = chip.training
    try:
        chip.eval()
        for layer in layers:
            layer.ideal, layer.delta = True, None
        with torch.no_grad():
            chip(x)
    finally:
        for handle in handles:
            handle.remove()
        for layer, (ideal, delta) in zip(layers, saved, strict=True):
            layer.ideal, layer.delta = ideal, delta
        chip.train(was_training)
    for layer, (in_max, out_max) in seen.items():
        layer.in_range.fill_(max(in_max, 1e-6))
        layer.out_range.fill_(max(layer.config.adc_headroom * out_max, 1e-6))


@dataclass(frozen=True)
class Programmed:
    """Conductances programmed for one layer (uS, (in, out)) and the mapping to read them.

    Stuck devices are found by write-verify (they never reach their target) and the mapping
    moves each one's partner to keep the pair difference (``hil.mapping.FaultMap``); they keep
    their stuck value for ever, while the working devices relax.
    """

    g_plus_us: np.ndarray
    g_minus_us: np.ndarray
    stuck_plus: np.ndarray
    stuck_minus: np.ndarray
    mapped: MappedWeights


def working_cells(retention: RetentionLike) -> RetentionLike:
    """The retention model without its stuck-cell fraction (stuck cells are placed at
    programming, :func:`program_layer`); models without ``p_stuck`` are returned as they are."""
    if getattr(retention, "p_stuck", 0.0) and hasattr(retention, "replace"):
        return retention.replace(p_stuck=0.0)  # type: ignore[attr-defined]
    return retention


def _stuck(
    retention: RetentionLike, shape: tuple[int, ...], rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    p_stuck = float(getattr(retention, "p_stuck", 0.0))
    mask = rng.random(shape) < p_stuck
    if not mask.any():
        return mask, np.zeros(shape)
    return mask, retention.sample_stuck(shape, rng)  # type: ignore[attr-defined]


def program_layer(
    layer: AnalogLayer, retention: RetentionLike, rng: np.random.Generator
) -> Programmed:
    """Map one layer to conductance pairs around its stuck devices (drawn from the retention
    model's stuck fraction) and program the rest with write-verify error uniform in
    +-``program_tolerance_us``."""
    matrix = layer.matrix()
    plus, plus_us = _stuck(retention, matrix.shape, rng)
    minus, minus_us = _stuck(retention, matrix.shape, rng)
    faults = FaultMap(plus, minus, plus_us, minus_us) if (plus.any() or minus.any()) else None
    mapped = map_weights(matrix, layer.config.mapping(), faults=faults)
    tol = layer.config.program_tolerance_us

    def written(target: np.ndarray, stuck: np.ndarray) -> np.ndarray:
        error = np.where(stuck, 0.0, rng.uniform(-tol, tol, target.shape))
        return np.maximum(target + error, 0.0)

    return Programmed(
        written(mapped.g_plus_us, plus), written(mapped.g_minus_us, minus), plus, minus, mapped
    )


def program(
    chip: nn.Module, retention: RetentionLike, rng: np.random.Generator
) -> list[Programmed]:
    """Program every analog layer (:func:`program_layer`): the chip right after programming."""
    return [program_layer(layer, retention, rng) for layer in analog_layers(chip)]


def drifted_conductances(
    programmed: Programmed, retention: RetentionLike, t_s: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """(G+, G-) in uS ``t_s`` after programming: one draw of the working devices' retention
    (G+ first, then G-); stuck devices stay put."""
    working = working_cells(retention)
    g_plus, g_minus = (
        np.where(stuck, g0, working.sample(g0, t_s, rng))
        for g0, stuck in (
            (programmed.g_plus_us, programmed.stuck_plus),
            (programmed.g_minus_us, programmed.stuck_minus),
        )
    )
    return g_plus, g_minus


def drifted_weights(
    layer: AnalogLayer,
    programmed: Programmed,
    retention: RetentionLike,
    t_s: float,
    rng: np.random.Generator,
) -> torch.Tensor:
    """The layer's weights (torch layout) ``t_s`` after programming: one draw
    (:func:`drifted_conductances`)."""
    g_plus, g_minus = drifted_conductances(programmed, retention, t_s, rng)
    return layer.from_matrix(unmap(g_plus, g_minus, programmed.mapped))


def set_weights(layer: AnalogLayer, w_chip: torch.Tensor) -> None:
    """Make ``layer`` compute with ``w_chip`` (torch layout) instead of its nominal weights."""
    layer.delta = w_chip - layer.base.weight.detach()


def drift(
    chip: nn.Module,
    programmed: list[Programmed],
    retention: RetentionLike,
    t_s: float,
    rng: np.random.Generator,
) -> None:
    """Set every layer to its conductances ``t_s`` seconds after programming (one draw)."""
    for layer, record in zip(analog_layers(chip), programmed, strict=True):
        set_weights(layer, drifted_weights(layer, record, retention, t_s, rng))


def deploy(chip: nn.Module, retention: RetentionLike, t_s: float, seed: int) -> list[Programmed]:
    """Program ``chip`` (seeded) and let ``t_s`` seconds pass; returns the programmed state."""
    rng = np.random.default_rng(seed)
    programmed = program(chip, retention, rng)
    drift(chip, programmed, retention, t_s, rng)
    return programmed


def clear(chip: nn.Module) -> None:
    """Back to nominal weights (no programming error or drift)."""
    for layer in analog_layers(chip):
        layer.delta = None
