"""The bench's daily work through the CLI on the simulator: program, retention, report, resume."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from click.testing import CliRunner

import hil.programming_run
from hil.cli import main
from hil.store import MeasurementFile


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


@pytest.fixture
def layer(tmp_path: Path) -> Path:
    path = tmp_path / "layer.npy"
    np.save(path, np.random.default_rng(1).laplace(0.0, 0.05, (32, 24)))
    return path


def test_program_retention_report(tmp_path: Path, layer: Path) -> None:
    out = tmp_path / "run.h5"
    code, output = run("program", "--weights", str(layer), "--out", str(out), "--seed", "2")
    assert code == 0, output
    assert "1536 devices" in output  # 32 x 24 weights are 32 x 48 devices
    with MeasurementFile.open(out) as store:
        maps = store.programming()
        targets = store.targets()
        meta = store.metadata
    assert maps.targeted.sum() == 1536 and maps.done.sum() == 1536
    assert maps.success[maps.done].mean() > 0.97
    assert np.abs(maps.error_us[maps.success]).max() <= 1.0 + 1e-6
    assert targets["weights"].shape == (32, 24) and targets["mapping"]["config"]["scheme"] == "SIGN"
    assert meta["backend"] == "sim" and meta["run"]["seed"] == 2 and meta["device_params"]
    code, output = run("retention", str(out), "--until", "1e4", "--per-decade", "1")
    assert code == 0, output
    with MeasurementFile.open(out) as store:
        reads = store.reads()
    assert list(reads.t_s) == [0.0, 1.0, 10.0, 100.0, 1e3, 1e4]
    assert reads.block == (0, 0, 32, 48)
    # The first read sees the programmed values; later ones drift away from them.
    assert np.abs(reads.g_us[0] - maps.g_us[:32, :48]).mean() < 0.5
    assert np.std(reads.g_us[-1] - reads.g_us[0]) > np.std(reads.g_us[1] - reads.g_us[0])
    code, output = run("report", str(out))
    assert code == 0, output
    for suffix in ("programming", "yield", "levels", "drift"):
        png = tmp_path / f"run_{suffix}.png"
        assert png.exists() and png.read_bytes()[:4] == b"\x89PNG"


def test_interrupted_programming_resumes_only_unfinished_cells(
    tmp_path: Path, layer: Path, monkeypatch
) -> None:
    out = tmp_path / "cut.h5"
    monkeypatch.setattr(hil.programming_run, "BATCH_CELLS", 8 * 128)  # 8 rows of the 64 x 128 sim
    real_program = hil.programming_run.program
    calls = {"n": 0}

    def failing_program(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt  # Ctrl-C in the third batch
        return real_program(*args, **kwargs)

    monkeypatch.setattr(hil.programming_run, "program", failing_program)
    result = CliRunner().invoke(main, ["program", "--weights", str(layer), "--out", str(out)])
    assert result.exit_code != 0
    with MeasurementFile.open(out) as store:
        partial = store.programming()
    assert partial.done.sum() == 16 * 48  # two batches of 8 rows, each 48 devices wide
    monkeypatch.setattr(hil.programming_run, "program", real_program)
    code, output = run("program", "--out", str(out), "--resume")
    assert code == 0, output
    with MeasurementFile.open(out) as store:
        final = store.programming()
    assert final.done.sum() == 32 * 48
    finished = partial.done
    assert np.array_equal(final.g_us[finished], partial.g_us[finished])  # not redone
    assert np.array_equal(final.pulses[finished], partial.pulses[finished])


def test_torch_layers_are_transposed_and_convs_unfolded(tmp_path: Path) -> None:
    linear = torch.nn.Linear(20, 6)
    torch.save(linear.state_dict(), tmp_path / "linear.pt")
    code, output = run(
        "program", "--weights", str(tmp_path / "linear.pt"), "--key", "weight",
        "--out", str(tmp_path / "lin.h5"),
    )  # fmt: skip
    assert code == 0, output
    with MeasurementFile.open(tmp_path / "lin.h5") as store:
        stored = store.targets()["weights"]
    assert np.allclose(stored, linear.weight.detach().numpy().T, atol=1e-6)
    torch.save(torch.nn.Conv2d(3, 4, 3).weight.detach(), tmp_path / "conv.pt")
    code, output = run(
        "program", "--weights", str(tmp_path / "conv.pt"), "--out", str(tmp_path / "conv.h5")
    )
    assert code == 0, output
    with MeasurementFile.open(tmp_path / "conv.h5") as store:
        assert store.targets()["weights"].shape == (27, 4)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["program", "--weights", "missing.npy", "--out", "x.h5"], "does not exist"),
        (["program", "--weights", "vector.npy", "--out", "x.h5"], "expected a 2-D (in, out)"),
        (["program", "--out", "x.h5"], "give the layer with --weights"),
        (["program", "--weights", "big.npy", "--out", "x.h5", "--rows", "64", "--cols", "128"],
         "needs 100 x 200 devices"),
        (["program", "--weights", "nan.npy", "--out", "x.h5"], "NaN"),
        (["program", "--out", "missing.h5", "--resume"], "does not exist"),
        (["info", "--backend", "serial:socket://127.0.0.1:5555"], "cannot open the serial board"),
        (["info", "--backend", "visa:bench.toml"], "bench file bench.toml does not exist"),
        (["info", "--backend", "tpu"], "unknown backend 'tpu'"),
        (["retention", "missing.h5"], "does not exist"),
        (["retention", "layer.npy"], "not a readable HDF5 file"),
        (["program", "--weights", "layer.npy", "--out", "y.h5", "--policy", "no.toml"], "no.toml"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_exit_code_2(
    tmp_path: Path, monkeypatch, args: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    np.save("vector.npy", np.ones(5))
    np.save("big.npy", np.ones((100, 100)))
    np.save("nan.npy", np.full((4, 4), np.nan))
    np.save("layer.npy", np.ones((4, 4)))
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_info_and_read(tmp_path: Path) -> None:
    code, output = run("info")
    assert code == 0 and "64 rows x 128 device columns" in output and "program" in output
    programmed = tmp_path / "programmed.h5"
    np.save(tmp_path / "w.npy", np.full((8, 8), 0.5))
    assert run("program", "--weights", str(tmp_path / "w.npy"), "--out", str(programmed))[0] == 0
    code, output = run("read", "--out", str(tmp_path / "snap.h5"), "--state", str(programmed))
    assert code == 0, output
    with MeasurementFile.open(tmp_path / "snap.h5") as store:
        snapshot = store.reads()
    assert snapshot.g_us.shape == (1, 64, 128) and list(snapshot.t_s) == [0.0]
    # The continued chip holds the programmed layer: G+ devices of the 0.5 weights sit high.
    assert snapshot.g_us[0, :8, 0:16:2].mean() > 30 and snapshot.g_us[0, :8, 1:16:2].mean() < 3


def test_sim_serve_then_the_serial_backend(tmp_path: Path) -> None:
    """`hil sim serve` prints its URL; the CLI reaches that chip through --backend serial:."""
    import subprocess
    import sys

    server = subprocess.Popen(
        [sys.executable, "-m", "hil.cli", "sim", "serve", "--seed", "4"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = server.stdout.readline().strip() if server.stdout else ""
        assert line.startswith("listening on socket://127.0.0.1:"), line
        url = line.removeprefix("listening on ")
        code, output = run("info", "--backend", f"serial:{url}")
        assert code == 0, output
        assert "serial chip" in output and "64 rows x 128 device columns" in output
        np.save(tmp_path / "w.npy", np.linspace(-0.5, 0.5, 16).reshape(4, 4))
        code, output = run(
            "program", "--weights", str(tmp_path / "w.npy"), "--out", str(tmp_path / "s.h5"),
            "--backend", f"serial:{url}", "--range-shrink", "0.8",  # targets <= 32 uS
        )  # fmt: skip
        assert code == 0, output
        with MeasurementFile.open(tmp_path / "s.h5") as store:
            maps = store.programming()
            assert store.metadata["backend"] == "serial"
        assert maps.done.sum() == 32 and maps.success[maps.done].mean() >= 30 / 32
    finally:
        server.terminate()
        server.wait(timeout=10)
