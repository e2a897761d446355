"""Relaxation measurements in one form for the fitter: our HDF5 campaign files and Levy's TSV.

A `RelaxationData` is a (cells x time points) matrix of conductances after programming, the t = 0
read of each cell (G0) and a level per cell. Times are per cell (reads of one nominal time point
are taken at slightly different times on real benches); missing reads are NaN.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from calibration.retention.model import BOLTZMANN_EV_PER_K
from hil.errors import HilError

LEVY_COLUMNS = ("addr", "time", "r", "g", "gi", "range", "timept")
"""Columns of Levy's relaxdata*.tsv.gz (shared/datasets/levy-rram-relaxation/README.md)."""

LEVY_SOURCE = "akashlevy/RRAM-Relaxation-Master-Model (MIT, (c) 2021 Akash Levy)"

LEVY_TECH_C = (
    Path(__file__).resolve().parents[3]
    / "shared/datasets/levy-rram-relaxation/techC/relaxdata.min.tsv.gz"
)
"""The public tech-C file, read in place from ../shared/ beside the project root (its README)."""

ROOM_TEMPERATURE_K = 300.0
"""Ambient of a campaign without bakes (hil.campaign's ROOM_TEMPERATURE_K)."""


class DataError(HilError):
    """The input cannot be read as relaxation measurements."""


@dataclass(frozen=True)
class Bake:
    """`duration_s` at `temperature_k`, starting `start_s` after programming (hil.campaign)."""

    start_s: float
    duration_s: float
    temperature_k: float


@dataclass(frozen=True)
class RelaxationData:
    """Reads of programmed cells after programming.

    `g_us` and `t_s` are (n_cells, n_time); `g0_us` is the t = 0 read; `level` (n_cells,) groups
    cells (-1: not assigned). `failed` marks cells known to have failed programming.
    """

    g0_us: np.ndarray
    g_us: np.ndarray
    t_s: np.ndarray
    level: np.ndarray
    failed: np.ndarray
    source: str
    ambient_k: float = ROOM_TEMPERATURE_K
    bakes: tuple[Bake, ...] = ()

    def __post_init__(self) -> None:
        n = self.g0_us.shape[0]
        if self.g_us.ndim != 2 or self.g_us.shape[0] != n or self.t_s.shape != self.g_us.shape:
            raise DataError("g_us and t_s must be (n_cells, n_time) with n_cells = len(g0_us)")
        if self.level.shape != (n,) or self.failed.shape != (n,):
            raise DataError("level and failed need one entry per cell")

    @property
    def n_cells(self) -> int:
        return int(self.g0_us.shape[0])

    @property
    def n_time(self) -> int:
        return int(self.g_us.shape[1])

    def nominal_t_s(self) -> np.ndarray:
        """One time per column (s): the geometric mean of that column's read times."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.exp(np.nanmean(np.log(self.t_s), axis=0))

    def subset(
        self, cells: np.ndarray | None = None, times: np.ndarray | None = None
    ) -> RelaxationData:
        """The data restricted to some cells (index or mask) and/or time columns."""
        cells = slice(None) if cells is None else cells
        times = slice(None) if times is None else times
        return replace(
            self,
            g0_us=self.g0_us[cells],
            g_us=self.g_us[cells][:, times],
            t_s=self.t_s[cells][:, times],
            level=self.level[cells],
            failed=self.failed[cells],
        )

    def with_levels(self, level: np.ndarray) -> RelaxationData:
        return replace(self, level=level)

    def effective_t_s(self, t_s: np.ndarray, ea_ev: float, t_ref_k: float) -> np.ndarray:
        """Time at `t_ref_k` equivalent to `t_s` after programming under this data's temperature
        history (Arrhenius, DM2.2): integral of AF(T(t')) dt' from 0 to t."""
        t = np.asarray(t_s, dtype=float)

        def af(temperature_k: float) -> float:
            return float(np.exp(ea_ev / BOLTZMANN_EV_PER_K * (1 / t_ref_k - 1 / temperature_k)))

        base = af(self.ambient_k)
        t_eff = t * base
        for bake in self.bakes:
            inside = np.clip(t - bake.start_s, 0.0, bake.duration_s)
            t_eff = t_eff + inside * (af(bake.temperature_k) - base)
        return t_eff


def bin_levels(g0_us: np.ndarray, width_us: float, lo_us: float | None = None) -> np.ndarray:
    """Level index of each cell: bins of `width_us` starting at `lo_us` (default min G0)."""
    g0 = np.asarray(g0_us, dtype=float)
    lo = float(np.nanmin(g0)) if lo_us is None else lo_us
    return np.floor((g0 - lo) / width_us).astype(np.int64)


def load_levy_tsv(path: str | Path) -> RelaxationData:
    """Levy's relaxdata TSV (columns `LEVY_COLUMNS`, S and s): levels are its `range` column.

    G0 is `gi` (the t = 0 read); every nominal time point after 0 becomes one column.
    """
    path = Path(path)
    try:
        table = np.loadtxt(path, delimiter="\t", ndmin=2)
    except (OSError, ValueError) as error:
        raise DataError(f"{path}: not a readable Levy relaxation TSV ({error})") from None
    if table.shape[1] != len(LEVY_COLUMNS):
        raise DataError(f"{path}: expected {len(LEVY_COLUMNS)} columns, found {table.shape[1]}")
    col = {name: table[:, i] for i, name in enumerate(LEVY_COLUMNS)}
    addresses, cell = np.unique(col["addr"], return_inverse=True)
    points = np.unique(col["timept"][col["timept"] > 0])
    n_cells, n_time = addresses.size, points.size
    g_us = np.full((n_cells, n_time), np.nan)
    t_s = np.full((n_cells, n_time), np.nan)
    later = col["timept"] > 0
    column = np.searchsorted(points, col["timept"][later])
    g_us[cell[later], column] = col["g"][later] * 1e6
    t_s[cell[later], column] = col["time"][later]
    g0_us = np.zeros(n_cells)
    g0_us[cell] = col["gi"] * 1e6
    level = np.zeros(n_cells, dtype=np.int64)
    level[cell] = col["range"].astype(np.int64)
    return RelaxationData(
        g0_us=g0_us,
        g_us=g_us,
        t_s=t_s,
        level=level,
        failed=np.zeros(n_cells, dtype=bool),
        source=f"{path.name} from {LEVY_SOURCE}",
    )


def load_campaign(path: str | Path, level_width_us: float = 2.0) -> RelaxationData:
    """The reads of a `hil retention` campaign file (measurements/README.md).

    Cells: the programmed cells of the read block. G0 is the read at t = 0 when the campaign has
    one, else the last verify read. Levels: bins of `level_width_us` in G0. Bakes and the ambient
    temperature come from the reads' settings; `failed` is the programming map's `~success`.
    """
    from hil.store import MeasurementFile, StoreError

    path = Path(path)
    try:
        with MeasurementFile.open(path) as store:
            reads = store.reads()
            settings = store.read_settings()
            maps = store.programming() if store.has_programming else None
    except (OSError, StoreError) as error:
        raise DataError(f"{path}: {error}") from None
    if reads.t_s.size == 0:
        raise DataError(f"{path} holds no reads (run `hil retention` on it first)")
    row0, col0, n_rows, n_cols = reads.block
    g = reads.g_us.reshape(reads.t_s.size, -1).T.astype(float)  # (cells, time)
    if maps is not None:
        window = (slice(row0, row0 + n_rows), slice(col0, col0 + n_cols))
        targeted = maps.targeted[window].ravel()
        failed = ~maps.success[window].ravel()
        verify_us = maps.g_us[window].ravel()
    else:
        targeted = np.ones(g.shape[0], dtype=bool)
        failed = np.zeros(g.shape[0], dtype=bool)
        verify_us = np.full(g.shape[0], np.nan)
    at_zero = reads.t_s == 0
    g0 = g[:, np.flatnonzero(at_zero)[0]] if at_zero.any() else verify_us
    later = ~at_zero
    g0, g, failed = g0[targeted], g[targeted][:, later], failed[targeted]
    t_s = np.broadcast_to(reads.t_s[later], g.shape).copy()
    bakes = tuple(Bake(**b) for b in settings.get("bakes", []))
    return RelaxationData(
        g0_us=g0,
        g_us=g,
        t_s=t_s,
        level=bin_levels(g0, level_width_us, 0.0),  # from 0 uS: the same bins in every file
        failed=failed,
        source=path.name,
        ambient_k=float(settings.get("ambient_k", ROOM_TEMPERATURE_K)),
        bakes=bakes,
    )


def load(path: str | Path, level_width_us: float = 2.0) -> RelaxationData:
    """A campaign file (.h5/.hdf5) or a Levy TSV (.tsv, .tsv.gz), by suffix."""
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path} does not exist")
    name = path.name.lower()
    if name.endswith((".h5", ".hdf5")):
        return load_campaign(path, level_width_us)
    if name.endswith((".tsv", ".tsv.gz")):
        return load_levy_tsv(path)
    raise DataError(f"{path}: expected a campaign file (.h5) or a Levy TSV (.tsv, .tsv.gz)")
