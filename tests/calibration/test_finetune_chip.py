"""The chip-forward layers of calibration.finetune: converters, sinh I-V, mapping, drift."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
import torch
from torch import nn

from calibration.finetune.chip import (
    AnalogLayer,
    ChipConfig,
    analog_layers,
    calibrate_ranges,
    deploy,
    program_layer,
    to_chip,
    to_digital,
)
from calibration.finetune.retention import load_retention

LINEAR = ChipConfig(iv_nonlinear=False)


def _layer(config: ChipConfig, n_in: int = 16, n_out: int = 4) -> AnalogLayer:
    torch.manual_seed(0)
    layer = AnalogLayer(nn.Linear(n_in, n_out, bias=False), config)
    calibrate_ranges(nn.Sequential(layer), torch.rand(64, n_in))
    return layer.eval()


def test_linear_chip_matches_digital_within_converter_steps() -> None:
    layer = _layer(LINEAR)
    x = torch.rand(32, 16)
    with torch.no_grad():
        exact, y = layer.base(x), layer(x)
    dac_lsb = float(layer.in_range) / 127
    adc_lsb = float(layer.out_range) / 511
    bound = dac_lsb / 2 * layer.weight.detach().abs().sum(dim=1).max() + adc_lsb / 2
    assert float((y - exact).abs().max()) <= float(bound) + 1e-6
    assert float((y - exact).abs().max()) > 0  # quantisation is really there


@pytest.mark.parametrize("shrink", [1.0, 0.5])
def test_sinh_gain_at_full_scale_follows_range_shrink(shrink: float) -> None:
    config = replace(ChipConfig(), input_shrink=shrink, adc_headroom=4.0)
    layer = AnalogLayer(nn.Linear(1, 1, bias=False), config)
    layer.base.weight.data.fill_(1.0)
    layer.in_range.fill_(1.0)
    layer.out_range.fill_(8.0)
    with torch.no_grad():
        big, small = layer(torch.ones(1, 1)), layer(torch.full((1, 1), 8 / 127))
    b_v = 2.7 * 0.5 * shrink  # b * c * v_max
    # Full-scale gain over small-signal gain is sinh(bcV)/(bcV) (DM6.4), within ADC steps.
    expected = math.sinh(b_v) / b_v
    measured = float(big) / (float(small) * 127 / 8)
    assert measured == pytest.approx(expected, rel=0.02)
    assert (expected > 1.3) if shrink == 1.0 else (expected < 1.08)


def test_conv_matrix_round_trip_and_digital_copy() -> None:
    conv = nn.Conv2d(3, 5, 3, padding=1)
    chip = to_chip(nn.Sequential(conv))
    layer = analog_layers(chip)[0]
    assert layer.matrix().shape == (27, 5)
    assert torch.equal(layer.from_matrix(layer.matrix()), conv.weight.detach())
    digital = to_digital(chip)
    assert isinstance(digital[0], nn.Conv2d) and not analog_layers(digital)


def test_weight_error_grows_with_time_since_programming() -> None:
    torch.manual_seed(0)
    chip = to_chip(nn.Sequential(nn.Linear(64, 32)))
    retention = load_retention()
    w = analog_layers(chip)[0].weight.detach()
    errors = []
    for t_s in (1.0, 86400.0, 3.15e8):
        deploy(chip, retention, t_s, seed=1)
        delta = analog_layers(chip)[0].delta
        errors.append(float(delta.std() / w.abs().max()))
    assert errors[0] < errors[1] < errors[2]
    assert 0.02 < errors[1] < 0.3  # a day of Levy tech-C relaxation: a few % of max|W|


def test_stuck_devices_are_mapped_around_by_their_partner() -> None:
    retention = replace(load_retention(), p_stuck=0.2)
    chip = to_chip(nn.Sequential(nn.Linear(64, 32)), replace(LINEAR, program_tolerance_us=0.0))
    layer = analog_layers(chip)[0]
    record = program_layer(layer, retention, np.random.default_rng(0))
    stuck = record.stuck_plus ^ record.stuck_minus  # exactly one device of the pair stuck
    assert stuck.mean() > 0.2
    placed = stuck & ~record.mapped.unplaceable
    difference = record.g_plus_us - record.g_minus_us
    target = layer.matrix() / record.mapped.scales
    assert np.abs(difference - target)[placed].max() < 1e-6
