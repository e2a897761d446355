"""`--backend rtl` from the command line (the cached build of tests/rtl/test_bridge.py;
`hil sim serve --model rtl` and the end-to-end workflow are tests/rtl/test_e2e_rtl.py)."""

from __future__ import annotations

import subprocess

from click.testing import CliRunner

from hil.cli import main


def test_backend_rtl_starts_and_stops_its_server() -> None:
    before = _servers()
    result = CliRunner().invoke(main, ["info", "--backend", "rtl"])
    assert result.exit_code == 0, result.output
    assert "rtl chip 52524D31" in result.output  # INFO's chip id, "RRM1"
    assert "64 rows x 128 device columns" in result.output
    assert "program" in result.output and "True" in result.output  # PROGRAM, virtual time
    assert _servers() == before  # the command's server and simulator are gone


def test_retention_refuses_a_file_of_a_finished_rtl_command(tmp_path) -> None:
    """A --backend rtl chip's state ends with its command: a later command cannot continue it."""
    from hil.store import MeasurementFile

    path = tmp_path / "rtl.h5"
    MeasurementFile.create(
        path, chip_id="52524D31", backend="rtl", chip_info={}, device_params=None,
        run={"command": "program", "backend_spec": "rtl"},
    ).close()  # fmt: skip
    result = CliRunner().invoke(main, ["retention", str(path)])
    assert result.exit_code == 2
    assert "hil sim serve --model rtl" in result.output and "Traceback" not in result.output


def _servers() -> set[int]:
    """Process ids of running RTL chip simulators."""
    out = subprocess.run(["pgrep", "-f", "sim_chip/sim_chip"], capture_output=True, text=True)
    return {int(pid) for pid in out.stdout.split()}
