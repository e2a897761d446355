"""The HDF5 measurement file: schema, documentation, append-only reads, SWMR, crash safety."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import h5py
import numpy as np
import pytest

from hil.backends.sim import SimChip
from hil.store import MeasurementFile, SchemaError, StoreError

SCHEMA_DOC = Path(__file__).resolve().parents[2] / "measurements" / "README.md"


def programmed_file(path: Path, seed: int = 0, side: int = 16) -> SimChip:
    """A file like `hil program` writes: targets, programming maps and a simulator checkpoint."""
    chip = SimChip(side, 2 * side, seed=seed)
    weights = np.random.default_rng(seed).normal(0, 1, (side, side))
    g_plus = np.clip(weights, 0, None) * 10 + 1
    g_minus = np.clip(-weights, 0, None) * 10 + 1
    target = np.full((side, 2 * side), np.nan)
    target[:, 0::2], target[:, 1::2] = g_plus, g_minus
    with MeasurementFile.create(
        path, chip_id="sim", backend="sim", chip_info={"rows": side}, run={"backend_spec": "sim"}
    ) as store:
        store.write_targets(
            weights=weights,
            g_plus_us=g_plus,
            g_minus_us=g_minus,
            mapping={"scale": 0.1},
            origin=(0, 0),
        )
        store.init_programming(target, {"tolerance_us": 1.0})
        store.save_backend_state(chip.state())
        store.start_swmr()
        rows, cols = np.nonzero(np.isfinite(target))
        outcome = chip.program(rows, cols, target[rows, cols], 1.0)
        store.write_programming(
            rows,
            cols,
            g_us=outcome.g_us,
            pulses=outcome.pulses,
            iterations=np.ones_like(outcome.pulses),
            success=outcome.success,
        )
        store.save_backend_state(chip.state())
    return chip


def documented_names(section: str) -> list[str]:
    """First-column names of the table under `## <section>` in measurements/README.md."""
    text = SCHEMA_DOC.read_text(encoding="utf-8")
    body = text.split(f"## {section}", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([^`]+)` \|", body, flags=re.MULTILINE)


def test_every_documented_dataset_and_attribute_is_written(tmp_path: Path) -> None:
    path = tmp_path / "run.h5"
    programmed_file(path)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "hil.cli",
            "retention",
            str(path),
            "--until",
            "10",
            "--per-decade",
            "1",
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    with h5py.File(path, "r") as handle:
        for name in documented_names("Root attributes"):
            assert name in handle.attrs, f"root attribute {name} is documented but not written"
        for group in ("targets", "programming", "reads"):
            names = documented_names(f"/{group}")
            assert names, f"no table for /{group}"
            for name in names:
                assert name in handle[group], f"/{group}/{name} is documented but not written"
                assert "units" in handle[group][name].attrs, f"/{group}/{name} has no units"
            written = set(handle[group]) - set(names)
            assert not written, f"/{group} writes undocumented datasets {sorted(written)}"
        for name, dataset in handle["backend_state"].items():
            assert "units" in dataset.attrs, f"/backend_state/{name} has no units"
        assert handle.attrs["schema"] == "reram-hil-measurement"
        assert handle["reads/g_us"].compression == "gzip" and handle["reads/g_us"].chunks


def test_open_checks_the_schema(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        MeasurementFile.open(tmp_path / "missing.h5")
    foreign = tmp_path / "foreign.h5"
    with h5py.File(foreign, "w") as handle:
        handle.attrs["schema"] = "something-else"
    with pytest.raises(SchemaError, match="not a reram-hil-measurement file"):
        MeasurementFile.open(foreign)
    future = tmp_path / "future.h5"
    MeasurementFile.create(future, chip_id="x", backend="sim", chip_info={}).close()
    with h5py.File(future, "a") as handle:
        handle.attrs["schema_version"] = "2.0"
    with pytest.raises(SchemaError, match=r"schema version 2\.0"):
        MeasurementFile.open(future)
    (tmp_path / "text.h5").write_text("not hdf5")
    with pytest.raises(StoreError, match="not a readable HDF5 file"):
        MeasurementFile.open(tmp_path / "text.h5")
    with pytest.raises(StoreError, match="already exists"):
        MeasurementFile.create(future, chip_id="x", backend="sim", chip_info={})


def test_programming_maps_and_resume_bookkeeping(tmp_path: Path) -> None:
    path = tmp_path / "p.h5"
    target = np.full((4, 8), np.nan)
    target[1:3, 2:6] = 10.0
    with MeasurementFile.create(path, chip_id="x", backend="sim", chip_info={}) as store:
        store.init_programming(target, {"name": "test"})
        store.write_programming(
            np.array([1, 1]), np.array([2, 3]), g_us=np.array([10.4, 8.0]),
            pulses=np.array([5, 30]), iterations=np.array([1, 2]), success=np.array([True, False]),
        )  # fmt: skip
    with MeasurementFile.open(path) as store:
        maps = store.programming()
    assert maps.policy == {"name": "test"}
    assert maps.targeted.sum() == 8 and maps.done.sum() == 2 and maps.pending.sum() == 6
    assert maps.error_us[1, 2] == pytest.approx(0.4, abs=1e-5) and maps.pulses[1, 3] == 30
    assert np.isnan(maps.g_us[0, 0]) and not maps.success[1, 3]


def test_backend_state_round_trip_continues_the_chip(tmp_path: Path) -> None:
    path = tmp_path / "s.h5"
    chip = programmed_file(path)
    with MeasurementFile.open(path) as store:
        restored = SimChip.from_state(store.load_backend_state())
    chip.advance_time(100.0)
    restored.advance_time(100.0)
    assert np.array_equal(chip.read_block(), restored.read_block())


def retention_command(path: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "hil.cli", "retention", str(path), *extra]


def test_sigkill_mid_campaign_then_resume(tmp_path: Path) -> None:
    """A campaign killed with SIGKILL leaves a readable file with every committed read, and
    --resume finishes the schedule without redoing a read."""
    path = tmp_path / "kill.h5"
    programmed_file(path, seed=3)
    args = ("--until", "1e5", "--per-decade", "2", "--pace-s", "0.25")
    writer = subprocess.Popen(
        retention_command(path, *args), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 60
    seen = 0
    while seen < 4 and time.monotonic() < deadline:  # follow the live run as an SWMR reader
        time.sleep(0.1)
        try:
            with MeasurementFile.open(path, "r") as live:
                seen = live.n_reads
        except (StoreError, KeyError, OSError):
            continue
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait(timeout=10)
    assert seen >= 4, writer.stderr.read().decode() if writer.stderr else ""
    with MeasurementFile.open(path) as store:
        before = store.reads()
    planned = before.schedule_t_s
    assert seen <= len(before.t_s) < len(planned)  # the kill came before the end
    assert np.array_equal(before.t_s, planned[: len(before.t_s)])
    assert np.isfinite(before.g_us).all()
    result = subprocess.run(retention_command(path, "--resume"), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    with MeasurementFile.open(path) as store:
        after = store.reads()
    assert np.array_equal(after.t_s, planned)  # every planned read exactly once
    n = len(before.t_s)
    assert np.array_equal(after.g_us[:n], before.g_us)  # append-only: nothing rewritten
    assert np.all(np.diff(after.utc_ns[n - 1 :]) > 0)
    # The resumed chip continues the same relaxation: the spread keeps growing with log time.
    drift = after.g_us - after.g_us[0]
    assert drift[-1].std() > drift[n - 1].std() > 0


def test_retention_refuses_to_overwrite_reads(tmp_path: Path) -> None:
    path = tmp_path / "twice.h5"
    programmed_file(path)
    first = subprocess.run(retention_command(path, "--until", "10"), capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    again = subprocess.run(retention_command(path, "--until", "10"), capture_output=True, text=True)
    assert again.returncode == 2
    assert "already holds reads; pass --resume" in again.stderr
    assert "Traceback" not in again.stderr
