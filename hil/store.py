"""The HDF5 measurement file: one gateway to write and read it (schema: measurements/README.md).

Design (after arc2control's H5DataStore, without its traps; shared/reference/bench_anchors.md 1.4):
- versioned and self-describing: root attributes name the schema, its version, the software, the
  chip and the run; `open()` checks them (a "fsck") and refuses files it does not understand;
- `(rows, cols)` indexing everywhere, a `units` attribute on every dataset;
- append-only: reads go into extendable, chunked, compressed datasets, flushed after every read;
- crash-safe: once a run starts writing it switches to SWMR (single writer, multiple readers), so
  a reader can follow a live run and a SIGKILL leaves a file that opens with every completed read.
  Under SWMR no new objects may be created, so every dataset a phase needs is created before it.
  A read is committed by extending `t_s` last: readers trust `len(t_s)`, not the other datasets.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import h5py
import numpy as np

from hil import __version__
from hil.errors import HilError

SCHEMA_NAME = "reram-hil-measurement"
SCHEMA_VERSION = (1, 0)
"""(major, minor): a reader accepts any minor of its major."""

_COMPRESSION = {"compression": "gzip", "compression_opts": 4, "shuffle": True}
_STATE_JSON_BYTES = 4096
_STATE_UNITS = {
    "g_prog_us": "uS",
    "drift_a_us": "uS",
    "diffusion_us": "uS",
    "t_write_eff_s": "s",
    "op_overhead_s": "s",
    "clock": "s, s, K",
    "geometry": "count",
    "cells.g_max_us": "uS",
    "cells.stuck_g_us": "uS",
    "cells.v_set_threshold_v": "V",
    "cells.v_reset_threshold_v": "V",
}
"""Units of the simulator checkpoint's datasets; the rest are dimensionless model state."""


class StoreError(HilError):
    """The measurement file cannot be used as asked."""


class SchemaError(StoreError):
    """The file is not a measurement file of a schema version this software understands."""


@dataclass(frozen=True)
class ReadSeries:
    """Every committed read of a file."""

    t_s: np.ndarray
    """Time of each read since the end of programming (chip clock: virtual on simulators)."""
    utc_ns: np.ndarray
    """Wall-clock UTC time of each read, ns since the Unix epoch."""
    temperature_k: np.ndarray
    g_us: np.ndarray
    """(n_time, n_rows, n_cols) conductances of the read block."""
    block: tuple[int, int, int, int]
    """(row0, col0, n_rows, n_cols) of the read block on the chip."""
    schedule_t_s: np.ndarray
    """The planned read times; a finished campaign has read all of them."""


@dataclass(frozen=True)
class ProgrammingMaps:
    """Programming results as (rows, cols) maps over the chip; NaN / False where not targeted."""

    target_us: np.ndarray
    g_us: np.ndarray
    error_us: np.ndarray
    pulses: np.ndarray
    iterations: np.ndarray
    success: np.ndarray
    done: np.ndarray
    policy: dict[str, Any]

    @property
    def targeted(self) -> np.ndarray:
        return np.isfinite(self.target_us)

    @property
    def pending(self) -> np.ndarray:
        """Targeted cells not yet programmed (what a resumed run still has to do)."""
        return self.targeted & ~self.done


class MeasurementFile:
    """An open measurement file. Create with `create()`, open with `open()`; use `with`."""

    def __init__(self, handle: h5py.File, path: Path):
        self._h5 = handle
        self.path = path

    # --- lifecycle ------------------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        path: str | Path,
        *,
        chip_id: str,
        backend: str,
        chip_info: dict[str, Any],
        device_params: dict[str, Any] | None = None,
        instrument_settings: dict[str, Any] | None = None,
        run: dict[str, Any] | None = None,
    ) -> MeasurementFile:
        """A new file with its root metadata; refuses to overwrite an existing file."""
        path = Path(path)
        if path.exists():
            raise StoreError(f"{path} already exists; choose another --out or use --resume")
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = h5py.File(path, "w-", libver="latest")
        attrs = handle.attrs
        attrs["schema"] = SCHEMA_NAME
        attrs["schema_version"] = "{}.{}".format(*SCHEMA_VERSION)
        attrs["created_utc"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        attrs["software_version"] = __version__
        attrs["chip_id"] = chip_id
        attrs["backend"] = backend
        attrs["chip_info"] = _json(chip_info)
        attrs["device_params"] = _json(device_params or {})
        attrs["instrument_settings"] = _json(instrument_settings or {})
        attrs["run"] = _json(run or {})
        handle.flush()
        return cls(handle, path)

    @classmethod
    def open(cls, path: str | Path, mode: Literal["r", "a"] = "r") -> MeasurementFile:
        """Open and check an existing file (`r` follows a live SWMR writer; `a` to continue)."""
        path = Path(path)
        if not path.exists():
            raise StoreError(f"{path} does not exist")
        try:
            if mode == "r":
                handle = h5py.File(path, "r", libver="latest", swmr=True)
            else:
                handle = _open_for_append(path)
        except OSError as error:
            raise StoreError(f"{path} is not a readable HDF5 file ({error})") from None
        _check_schema(handle, path)
        return cls(handle, path)

    def close(self) -> None:
        if self._h5.id.valid:
            self._h5.close()

    def __enter__(self) -> MeasurementFile:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def start_swmr(self) -> None:
        """From here on, only existing datasets change: readers may follow, crashes are safe."""
        if not self._h5.swmr_mode:
            self._h5.swmr_mode = True

    def flush(self) -> None:
        self._h5.flush()

    @property
    def handle(self) -> h5py.File:
        """The open h5py file, for modules that add their own groups (documented in
        measurements/README.md), e.g. hil/instruments/records.py."""
        return self._h5

    # --- metadata -------------------------------------------------------------------------------

    @property
    def metadata(self) -> dict[str, Any]:
        """Root attributes, with the JSON ones decoded."""
        meta: dict[str, Any] = {}
        for key, value in self._h5.attrs.items():
            if key in ("chip_info", "device_params", "instrument_settings", "run"):
                value = json.loads(value)
            meta[key] = value
        return meta

    # --- targets --------------------------------------------------------------------------------

    def write_targets(
        self,
        *,
        weights: np.ndarray | None,
        g_plus_us: np.ndarray,
        g_minus_us: np.ndarray,
        mapping: dict[str, Any],
        origin: tuple[int, int],
    ) -> None:
        """The layer and its conductance targets; weight (i, j) sits on devices
        (origin_row + i, origin_col + 2j) for G+ and (..., origin_col + 2j + 1) for G-."""
        group = self._h5.require_group("targets")
        if weights is not None:
            _dataset(group, "weights", np.asarray(weights, np.float32), "1")
        _dataset(group, "g_plus_us", np.asarray(g_plus_us, np.float32), "uS")
        _dataset(group, "g_minus_us", np.asarray(g_minus_us, np.float32), "uS")
        group.attrs["mapping"] = _json(mapping)
        group.attrs["origin"] = np.asarray(origin, np.int64)
        self.flush()

    def targets(self) -> dict[str, Any]:
        group = self._group("targets")
        out: dict[str, Any] = {name: group[name][()] for name in group}
        out["mapping"] = json.loads(group.attrs["mapping"])
        out["origin"] = tuple(int(x) for x in group.attrs["origin"])
        return out

    # --- programming ----------------------------------------------------------------------------

    def init_programming(self, target_us: np.ndarray, policy: dict[str, Any]) -> None:
        """Create the (rows, cols) result maps; NaN target = cell not programmed."""
        if "programming" in self._h5:
            raise StoreError(f"{self.path} already holds a programming run; use --resume")
        group = self._h5.create_group("programming")
        group.attrs["policy"] = _json(policy)
        shape = target_us.shape
        _dataset(group, "target_us", np.asarray(target_us, np.float32), "uS")
        _dataset(group, "g_us", np.full(shape, np.nan, np.float32), "uS")
        _dataset(group, "error_us", np.full(shape, np.nan, np.float32), "uS")
        _dataset(group, "pulses", np.zeros(shape, np.int32), "count")
        _dataset(group, "iterations", np.zeros(shape, np.int32), "count")
        _dataset(group, "success", np.zeros(shape, bool), "bool")
        _dataset(group, "done", np.zeros(shape, bool), "bool")
        self.flush()

    def write_programming(
        self,
        rows: np.ndarray,
        cols: np.ndarray,
        *,
        g_us: np.ndarray,
        pulses: np.ndarray,
        iterations: np.ndarray,
        success: np.ndarray,
    ) -> None:
        """Record finished cells (marks them done) and flush."""
        group = self._group("programming")
        target = group["target_us"][()]
        updates = {
            "g_us": g_us,
            "error_us": np.asarray(g_us) - target[rows, cols],
            "pulses": pulses,
            "iterations": iterations,
            "success": success,
            "done": np.ones(np.shape(rows), bool),
        }
        for name, values in updates.items():  # read-modify-write whole maps: SWMR-safe
            data = group[name][()]
            data[rows, cols] = values
            group[name][...] = data
        self.flush()

    def programming(self) -> ProgrammingMaps:
        group = self._group("programming")
        names = ("target_us", "g_us", "error_us", "pulses", "iterations", "success", "done")
        maps = {name: group[name][()] for name in names}
        return ProgrammingMaps(**maps, policy=json.loads(group.attrs["policy"]))

    @property
    def has_programming(self) -> bool:
        return "programming" in self._h5

    # --- reads ----------------------------------------------------------------------------------

    def init_reads(
        self, block: tuple[int, int, int, int], schedule_t_s: np.ndarray, settings: dict[str, Any]
    ) -> None:
        """Create the extendable read datasets for a block (row0, col0, n_rows, n_cols)."""
        if "reads" in self._h5:
            raise StoreError(f"{self.path} already holds reads; use --resume to continue them")
        group = self._h5.create_group("reads")
        group.attrs["block"] = np.asarray(block, np.int64)
        group.attrs["settings"] = _json(settings)
        _dataset(group, "schedule_t_s", np.asarray(schedule_t_s, np.float64), "s")
        n_rows, n_cols = block[2], block[3]
        for name, dtype, units in (
            ("t_s", np.float64, "s"),
            ("utc_ns", np.int64, "ns since 1970-01-01T00:00:00Z"),
            ("temperature_k", np.float32, "K"),
        ):
            group.create_dataset(name, (0,), dtype, maxshape=(None,), chunks=(256,))
            group[name].attrs["units"] = units
        group.create_dataset(
            "g_us",
            (0, n_rows, n_cols),
            np.float32,
            maxshape=(None, n_rows, n_cols),
            chunks=(1, n_rows, n_cols),
            **_COMPRESSION,
        )
        group["g_us"].attrs["units"] = "uS"
        self.flush()

    @property
    def has_reads(self) -> bool:
        return "reads" in self._h5

    @property
    def n_reads(self) -> int:
        """Committed reads (the length of t_s, which is extended last)."""
        if "reads" not in self._h5:
            return 0
        dataset = self._h5["reads/t_s"]
        dataset.refresh()
        return int(dataset.shape[0])

    def append_read(self, t_s: float, temperature_k: float, g_us: np.ndarray) -> None:
        """Append one read of the block and flush; `t_s` is committed last."""
        group = self._group("reads")
        n = self.n_reads
        g = group["g_us"]
        if g_us.shape != g.shape[1:]:
            raise StoreError(f"read of shape {g_us.shape} does not match the block {g.shape[1:]}")
        g.resize(n + 1, axis=0)
        g[n] = g_us
        for name, value in (("utc_ns", time.time_ns()), ("temperature_k", temperature_k)):
            group[name].resize(n + 1, axis=0)
            group[name][n] = value
        group["t_s"].resize(n + 1, axis=0)
        group["t_s"][n] = t_s
        self.flush()

    def reads(self) -> ReadSeries:
        group = self._group("reads")
        for name in ("t_s", "utc_ns", "temperature_k", "g_us"):
            group[name].refresh()
        n = int(group["t_s"].shape[0])
        return ReadSeries(
            t_s=group["t_s"][:n],
            utc_ns=group["utc_ns"][:n],
            temperature_k=group["temperature_k"][:n],
            g_us=group["g_us"][:n],
            block=tuple(int(x) for x in group.attrs["block"]),  # type: ignore[arg-type]
            schedule_t_s=group["schedule_t_s"][()],
        )

    def read_settings(self) -> dict[str, Any]:
        return json.loads(self._group("reads").attrs["settings"])

    # --- backend state (simulators) -------------------------------------------------------------

    def save_backend_state(self, state: dict[str, Any]) -> None:
        """Checkpoint a simulator's state: arrays and scalars; overwritten in place later."""
        group = self._h5.require_group("backend_state")
        for name, value in state.items():
            if isinstance(value, str):
                encoded = value.encode()
                if len(encoded) > _STATE_JSON_BYTES:
                    raise StoreError(
                        f"backend state entry {name} exceeds {_STATE_JSON_BYTES} bytes"
                    )
                value = np.frombuffer(encoded.ljust(_STATE_JSON_BYTES, b"\0"), np.uint8)
                name = f"{name}.json"
            array = np.asarray(value)
            if name in group:
                group[name][...] = array
            else:
                dataset = group.create_dataset(name, data=array)
                dataset.attrs["units"] = _STATE_UNITS.get(name, "simulator internal")
        self.flush()

    def load_backend_state(self) -> dict[str, Any] | None:
        if "backend_state" not in self._h5:
            return None
        state: dict[str, Any] = {}
        for name, dataset in self._h5["backend_state"].items():
            dataset.refresh()
            value = dataset[()]
            if name.endswith(".json"):
                state[name[: -len(".json")]] = bytes(value).rstrip(b"\0").decode()
            else:
                state[name] = value
        return state

    # --- internals ------------------------------------------------------------------------------

    def _group(self, name: str) -> h5py.Group:
        if name not in self._h5:
            raise StoreError(f"{self.path} has no {name} (run the step that writes it first)")
        return self._h5[name]


def _open_for_append(path: Path) -> h5py.File:
    """Open for writing; a file left flagged "open for SWMR write" by a killed run is recovered."""
    try:
        return h5py.File(path, "a", libver="latest")
    except OSError as error:
        if "already open for write" not in str(error):
            raise
    recover(path)
    return h5py.File(path, "a", libver="latest")


def recover(path: Path) -> None:
    """Rewrite a file whose writer died: copy every object (committed reads only) into a fresh
    file, then atomically replace the original. The superblock of a killed SWMR writer stays
    marked "open for write", which HDF5 clears only with its h5clear tool; h5py can still read
    such a file, so a copy is the portable repair."""
    temporary = path.with_name(path.name + ".recovering")
    with (
        h5py.File(path, "r", libver="latest", swmr=True) as source,
        h5py.File(temporary, "w", libver="latest") as target,
    ):
        for key, value in source.attrs.items():
            target.attrs[key] = value
        for name in source:
            source.copy(source[name], target, name=name)
        if "reads" in target:
            committed = target["reads/t_s"].shape[0]
            for name in ("utc_ns", "temperature_k", "g_us"):
                target["reads"][name].resize(committed, axis=0)
    os.replace(temporary, path)


def _check_schema(handle: h5py.File, path: Path) -> None:
    if handle.attrs.get("schema") != SCHEMA_NAME:
        handle.close()
        raise SchemaError(f"{path} is not a {SCHEMA_NAME} file")
    version = str(handle.attrs.get("schema_version", ""))
    major = version.split(".")[0]
    if major != str(SCHEMA_VERSION[0]):
        handle.close()
        raise SchemaError(
            f"{path} has schema version {version}; this software reads {SCHEMA_VERSION[0]}.x"
        )


def _dataset(group: h5py.Group, name: str, data: np.ndarray, units: str) -> h5py.Dataset:
    options = _COMPRESSION if data.size >= 1024 else {}
    dataset = group.create_dataset(name, data=data, **options)
    dataset.attrs["units"] = units
    return dataset


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot store {type(value).__name__} as JSON")
