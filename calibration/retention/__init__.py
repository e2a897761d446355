"""Retention-model fitting (issue 7): families, fits, validation and exporters.

Public interface: `RetentionModel` (`moments`, `sample`, `to_json`, `save`), `load_model(path)`,
and `from_device_params(params)`, the model the simulated device obeys (usable before any fit).
"""

from calibration.retention.device import from_device_params, to_device_params
from calibration.retention.model import RetentionModel, load_model

__all__ = ["RetentionModel", "from_device_params", "load_model", "to_device_params"]
