"""Characterisation results in the measurement file: the `/characterisation` group.

Each run is a subgroup `<kind>_<NNN>` (kind `iv`, `forming` or `cycling`, NNN counting from 000)
with attributes `row`, `col`, `created_utc` and `settings` (JSON) and datasets with `units`
attributes; measurements/README.md documents the layout.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import h5py
import numpy as np

from hil.instruments.characterise import CyclingResult, FormingResult, IvSweep
from hil.store import MeasurementFile

GROUP = "characterisation"


def _new_run(store: MeasurementFile, kind: str, row: int, col: int, settings: dict[str, Any]):
    parent = store.handle.require_group(GROUP)
    index = sum(1 for name in parent if name.startswith(f"{kind}_"))
    group = parent.create_group(f"{kind}_{index:03d}")
    group.attrs["row"] = row
    group.attrs["col"] = col
    group.attrs["created_utc"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    group.attrs["settings"] = json.dumps(settings, sort_keys=True)
    return group


def _dataset(group: h5py.Group, name: str, data: np.ndarray, units: str) -> None:
    group.create_dataset(name, data=data).attrs["units"] = units


def write_iv(store: MeasurementFile, row: int, col: int, sweep: IvSweep) -> str:
    """Store an I-V sweep and its sinh fit; returns the group's path."""
    fit = sweep.fit
    group = _new_run(store, "iv", row, col, {"compliance_a": sweep.compliance_a})
    _dataset(group, "v", sweep.v, "V")
    _dataset(group, "i_a", sweep.i_a, "A")
    group.attrs["fit_g_us"] = fit.g_us
    group.attrs["fit_b_per_v"] = fit.b_per_v
    group.attrs["fit_v_read_v"] = fit.v_read_v
    group.attrs["fit_rms_residual_a"] = fit.rms_residual_a
    store.flush()
    return group.name


def write_forming(store: MeasurementFile, row: int, col: int, result: FormingResult) -> str:
    group = _new_run(store, "forming", row, col, {"compliance_a": result.compliance_a})
    _dataset(group, "v", result.v, "V")
    _dataset(group, "i_a", result.i_a, "A")
    group.attrs["formed"] = result.formed
    group.attrs["v_form_v"] = result.v_form_v
    store.flush()
    return group.name


def write_cycling(store: MeasurementFile, row: int, col: int, result: CyclingResult) -> str:
    settings = {"v_set_v": result.v_set_v, "v_reset_v": result.v_reset_v, "width_s": result.width_s}
    group = _new_run(store, "cycling", row, col, settings)
    _dataset(group, "g_set_us", result.g_set_us, "uS")
    _dataset(group, "g_reset_us", result.g_reset_us, "uS")
    store.flush()
    return group.name
