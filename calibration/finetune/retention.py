"""The retention model every method consumes.

Any object with ``moments(g0_us, t_s) -> (mean_us, sd_us)`` and ``sample(g0_us, t_s, rng) ->
g_us`` works (:class:`RetentionLike`). The default is issue 7's
``calibration.retention.from_device_params``: the law the simulated device obeys (Levy tech-C
relaxation, its per-device variance multiplier, read-noise floor and stuck cells); a fitted model
is loaded with ``calibration.retention.load_model(path)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np

from calibration.retention import from_device_params, load_model
from hil.device.params import DeviceParams, preset


class RetentionLike(Protocol):
    """Conductance statistics at time ``t_s`` after programming to ``g0_us``."""

    def moments(self, g0_us: np.ndarray, t_s: float) -> tuple[np.ndarray, np.ndarray]:
        """(mean, sd) of the conductance, uS."""
        ...

    def sample(self, g0_us: np.ndarray, t_s: float, rng: np.random.Generator) -> np.ndarray:
        """One random conductance per device, uS."""
        ...


def load_retention(path: Path | None = None, device_preset: str | None = None) -> RetentionLike:
    """A fitted model from ``path``, else the model of a device preset (default: Levy tech C).

    Raises:
        ValueError: for an unknown preset or an unreadable model file.
        FileNotFoundError: if ``path`` does not exist.
    """
    if path is not None:
        if not Path(path).exists():
            raise FileNotFoundError(f"retention model {path} does not exist")
        return load_model(path)
    params = preset(device_preset) if device_preset else DeviceParams()
    return from_device_params(params)
