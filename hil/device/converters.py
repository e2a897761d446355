"""The chip's data converters: the MVM input DAC and the conductance and current ADCs.

Sizes come from the chip's limits (for the reference chip: firmware_interface/spec.toml
[reference_chip]); the cells themselves are analog (hil/device/array.py).
"""

from __future__ import annotations

import numpy as np


def unsigned_adc(x: np.ndarray, full_scale: float, bits: int) -> np.ndarray:
    """Unsigned converter: codes 0 .. 2^bits - 1 over [0, full_scale], saturating; float32."""
    lsb = full_scale / (2**bits - 1)
    codes = np.clip(np.rint(np.asarray(x) / lsb), 0, 2**bits - 1)
    return (codes * lsb).astype(np.float32)


def signed_converter(x: np.ndarray, full_scale: float, bits: int) -> np.ndarray:
    """Signed DAC or ADC: 2^(bits-1) - 1 steps per polarity over +-full_scale, saturating."""
    steps = 2 ** (bits - 1) - 1
    lsb = full_scale / steps
    return np.clip(np.rint(np.asarray(x) / lsb), -steps, steps) * lsb
