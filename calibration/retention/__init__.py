"""Retention-model fitting (issue 7): families, fits, validation and exporters.

Public interface: `RetentionModel` (`moments`, `sample`, `to_json`, `save`), `load_model(path)`,
`from_device_params(params)` (the model the simulated device obeys, usable before any fit),
`to_device_params` (the reverse, behind `SimChip(retention=model)`), and `fit(load(path))`.
"""

from calibration.retention.data import load
from calibration.retention.device import from_device_params, to_device_params
from calibration.retention.fit import FitOptions, fit
from calibration.retention.model import RetentionModel, load_model

__all__ = [
    "FitOptions",
    "RetentionModel",
    "fit",
    "from_device_params",
    "load",
    "load_model",
    "to_device_params",
]
