"""`hil visa ...` and `hil program --backend visa:...` end to end on the model bench."""

from __future__ import annotations

import re
from pathlib import Path

import h5py
import numpy as np
import pytest
from click.testing import CliRunner

from hil.cli import main
from hil.store import MeasurementFile
from tests.instruments.conftest import MODEL_BENCH, SIMS, bench_file

SCHEMA_DOC = Path(__file__).resolve().parents[2] / "measurements" / "README.md"


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_visa_list_shows_the_bench_roles() -> None:
    output = run("visa", "list", "--bench", str(MODEL_BENCH))
    assert "GPIB0::18::INSTR" in output and "matrix: keithley707b" in output
    assert "smu: keithley2450" in output and "NOT FOUND" not in output
    output = run("visa", "list", "--library", f"{SIMS / 'bench.yaml'}@sim")
    assert output.count("GPIB0::") == 8


def test_program_a_layer_through_the_visa_backend(tmp_path: Path) -> None:
    np.save(tmp_path / "layer.npy", np.random.default_rng(2).normal(0, 1, (4, 4)))
    output = run(
        "program",
        "--weights",
        str(tmp_path / "layer.npy"),
        "--out",
        str(tmp_path / "layer.h5"),
        "--backend",
        f"visa:{MODEL_BENCH}",
    )
    match = re.search(r"programmed 32 devices .*: ([\d.]+) % within tolerance", output)
    assert match and float(match[1]) >= 90, output
    with MeasurementFile.open(tmp_path / "layer.h5") as store:
        assert store.metadata["backend"] == "visa"
        assert "GPIB0::18::INSTR" in str(store.metadata["instrument_settings"])
        programming = store.programming()
        assert programming.targeted.sum() == 32
        assert np.nanmedian(np.abs(programming.g_us - programming.target_us)) < 0.7


def test_characterisation_commands_append_documented_groups(tmp_path: Path) -> None:
    bench = bench_file(
        tmp_path,
        {"v_reset_max_v = 2.5": "v_reset_max_v = 2.5\nv_form_max_v = 4.0"},
        extra="v_form_v = 3.0\n",
    )
    out = tmp_path / "device.h5"
    common = ["--bench", str(bench), "--row", "1", "--col", "3", "--out", str(out)]
    formed = run("visa", "form", *common, "--v-stop", "4", "--compliance-a", "5e-5")
    assert "formed at" in formed and "/characterisation/forming_000" in formed
    iv = run("visa", "iv", *common, "--v-max", "0.6")
    assert re.search(r"b = 2\.[5-8]\d* 1/V", iv), iv  # the model's b = 2.7 / V
    run("visa", "cycle", *common, "--v-set", "2", "--v-reset", "2", "--cycles", "4")
    run("visa", "iv", *common)
    text = SCHEMA_DOC.read_text(encoding="utf-8")
    body = text.split("## /characterisation", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `([^`]+)` \|", body, flags=re.MULTILINE))
    with h5py.File(out, "r") as handle:
        assert handle.attrs["backend"] == "visa"
        assert "bench_file" in handle.attrs["instrument_settings"]
        runs = handle["characterisation"]
        assert sorted(runs) == ["cycling_000", "forming_000", "iv_000", "iv_001"]
        written = set()
        for group in runs.values():
            assert {"row", "col", "created_utc", "settings"} <= set(group.attrs)
            for name, dataset in group.items():
                assert "units" in dataset.attrs
                written.add(name)
        assert written == documented
        assert bool(runs["forming_000"].attrs["formed"])
        assert 2.6 < runs["forming_000"].attrs["v_form_v"] < 3.4
        assert runs["cycling_000/g_set_us"].shape == (4,)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["visa", "iv", "--bench", "missing.toml", "--row", "0", "--col", "0", "--out", "x.h5"],
         "bench file missing.toml does not exist"),
        (["visa", "iv", "--bench", "BENCH", "--row", "4", "--col", "0", "--out", "x.h5"],
         "outside the bench's 4 x 8 array"),
        (["visa", "form", "--bench", "BENCH", "--row", "0", "--col", "0", "--out", "x.h5",
          "--v-stop", "9"], "exceeds the bench limit"),
        (["visa", "cycle", "--bench", "BENCH", "--row", "0", "--col", "0", "--out", "x.h5",
          "--v-set", "3", "--v-reset", "1"], "exceed the bench limits"),
        (["visa", "list", "--library", "@nosuchlib"], "cannot open the VISA library @nosuchlib"),
        (["info", "--backend", "visa:BENCH_WRONG_ADDRESS"], "no VISA resource GPIB0::5::INSTR"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_exit_code_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    wrong = bench_file(  # pyvisa-sim knows GPIB0::18 but not GPIB0::5
        tmp_path,
        {'"@model"': f'"{SIMS / "bench.yaml"}@sim"', '"GPIB0::18::INSTR"': '"GPIB0::5::INSTR"'},
    )
    args = [str(MODEL_BENCH) if a == "BENCH" else a for a in args]
    args = [a.replace("BENCH_WRONG_ADDRESS", str(wrong)) for a in args]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
