"""`hil demo --backend rtl --quick`: the classifier layer on the Verilator chip (minutes: slow)."""

from __future__ import annotations

import json
from pathlib import Path

import h5py
import pytest
from click.testing import CliRunner

from hil.cli import main
from hil.demo import METHOD_NONE


@pytest.mark.slow
def test_demo_on_the_rtl_chip(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["demo", "--out", str(tmp_path), "--backend", "rtl", "--quick"]
    )
    assert result.exit_code == 0, result.output
    with h5py.File(tmp_path / "demo.h5", "r") as handle:
        assert handle.attrs["backend"] == "rtl"
        summary = json.loads(handle["demo"].attrs["summary"])
    assert [s["status"] for s in summary["stages"]] == ["done"] * len(summary["stages"])
    assert [(s["in_features"], s["out_features"]) for s in summary["layers"]] == [(64, 10)]
    assert summary["programming"]["success_pct"] >= 97.0
    assert summary["accuracy"][METHOD_NONE][0] > 0.9
