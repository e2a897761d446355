"""`hil fit` on a campaign file from `hil retention` and on the Levy file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from click.testing import CliRunner

from calibration.retention import load_model
from calibration.retention.data import LEVY_TECH_C as LEVY
from hil.backends.sim import SimChip
from hil.cli import main


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_fit_a_campaign_file_and_drive_a_simchip(tmp_path: Path) -> None:
    layer, out = tmp_path / "layer.npy", tmp_path / "run.h5"
    np.save(layer, np.random.default_rng(1).uniform(-1, 1, (64, 64)))
    assert run("program", "--weights", str(layer), "--out", str(out), "--seed", "3")[0] == 0
    code, output = run(  # 85 C for an hour from 1e3 s: about 2e3 x faster relaxation (DM6.3)
        "retention", str(out), "--until", "1e5", "--per-decade", "1", "--bake", "358:3600@1e3"
    )
    assert code == 0, output
    model_path = tmp_path / "fit" / "model.json"
    code, output = run("fit", str(out), "--out", str(model_path), "--n-boot", "50", "--fit-ea")
    assert code == 0, output
    assert "Fitted parameters (90 % bootstrap intervals)" in output
    model = load_model(model_path)
    low, high = model.provenance["activation_energy_ci_ev"]
    assert low < 1.2 < high and high - low < 0.6  # the device model's E_a is 1.2 eV
    assert abs(model.activation_energy_ev - 1.2) < 0.15
    assert load_model(out) == model  # also stored into the campaign file
    for suffix in ("drift", "qq"):
        png = model_path.with_name(f"model_{suffix}.png")
        assert png.read_bytes()[:4] == b"\x89PNG"
    # The device behind the file is Levy tech C: k around 0.7-1.0 uS^2 at mid-window.
    _, sd = model.moments(20.0, 1e4)
    assert 2.5 < sd < 4.5
    chip = SimChip(8, 8, retention=model)
    assert chip.params.relax_k_us2 != SimChip(8, 8).params.relax_k_us2


def test_fit_the_levy_file_with_heldout_check(tmp_path: Path) -> None:
    out = tmp_path / "levy.json"
    exports = tmp_path / "exports.json"
    code, output = run(
        "fit", str(LEVY), "--model", "heavy", "--out", str(out), "--n-boot", "20",
        "--heldout-split", "4", "--export", str(exports),
    )  # fmt: skip
    assert code == 0, output
    assert "Held-out check" in output and "logtime-level" in output
    model = load_model(out)
    assert model.tail == "nlnv" and "ci" in model.provenance
    assert "RRAM-Relaxation-Master-Model" in model.provenance["source"]
    assert '"nu_mean_lst"' in exports.read_text()


def test_bad_input_is_one_line_exit_2(tmp_path: Path) -> None:
    (tmp_path / "x.csv").write_text("1,2\n")
    for args in (
        ("fit", str(tmp_path / "missing.h5"), "--out", str(tmp_path / "m.json")),
        ("fit", str(tmp_path / "x.csv"), "--out", str(tmp_path / "m.json")),
        ("fit", str(LEVY), "--out", str(tmp_path / "m.json"), "--n-boot", "-1"),
        ("fit", str(LEVY), "--out", str(tmp_path / "m.json"), "--student"),
    ):
        code, output = run(*args)
        assert code == 2, output
        assert output.startswith("Error:") and len(output.strip().splitlines()) == 1
        assert "Traceback" not in output
