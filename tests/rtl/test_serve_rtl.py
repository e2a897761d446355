"""`--backend rtl` from the command line (the cached build of tests/rtl/test_bridge.py;
`hil sim serve --model rtl` and the end-to-end workflow are tests/rtl/test_e2e_rtl.py)."""

from __future__ import annotations

import subprocess
import sys
import time

import numpy as np
import pytest
from click.testing import CliRunner

from hil.cli import main
from hil.rtl import process


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


def test_responses_reach_the_host_as_whole_frames() -> None:
    """A 512-cell READ answer (1,035 bytes, about 41,000 clocks on the UART link) leaves the
    simulated UART over many chunks of simulation, each several ms of wall time. The server hands
    it over in one piece, so a host whose empty 1 ms reads count as an idle line (and give up a
    partial frame) still gets every answer at the first attempt."""
    from hil.backends.serial_board import SerialBoardChip

    server = process.RtlServer()
    try:
        with SerialBoardChip(server.url, timeout_s=10.0, retries=0, poll_s=0.001) as chip:
            g = chip.read_block(0, 0, 4, 128)
            assert g.shape == (4, 128) and np.all((g > 0) & (g < 60))  # conductances in uS
            assert chip.client.stats.timeouts == chip.client.stats.retries == 0
    finally:
        server.stop()


@pytest.mark.slow
def test_byte_link_answers_exactly_like_the_uart_link() -> None:
    """The same requests on a fresh chip per link: identical answers, bytes and round trips (the
    byte link, what benchmarks/bench_rtl.py serves, only saves clocks). About 10 s plus the byte
    link's own build (about 2 min cold)."""
    from hil.backends.serial_board import SIMULATOR_TIMEOUT_S, SerialBoardChip

    rows, cols = np.meshgrid(np.arange(4), np.arange(32), indexing="ij")
    targets = np.random.default_rng(5).uniform(3.0, 30.0, rows.shape)
    answers = {}
    for link in ("uart", "byte"):
        server = process.RtlServer(link=link)
        try:
            with SerialBoardChip(server.url, timeout_s=SIMULATOR_TIMEOUT_S) as chip:
                result = chip.program(rows, cols, targets, 1.0)
                g = chip.read_block(0, 0, 4, 32)
                stats = chip.stats
                traffic = (stats.bytes_sent, stats.bytes_received, stats.round_trips)
            cycles, _ = server.connection_stats()
        finally:
            server.stop()
        answers[link] = (result, g, traffic, cycles)
    (uart, g_uart, traffic_uart, cycles_uart), (byte, g_byte, traffic_byte, cycles_byte) = (
        answers["uart"],
        answers["byte"],
    )
    assert np.array_equal(uart.g_us, byte.g_us) and np.array_equal(g_uart, g_byte)
    assert np.array_equal(uart.pulses, byte.pulses) and uart.pulses.sum() > 0
    assert np.array_equal(uart.outcome, byte.outcome)
    assert traffic_uart == traffic_byte
    wire_bytes = traffic_uart[0] + traffic_uart[1]
    assert cycles_uart - cycles_byte > 30 * wire_bytes  # the UART's 40 clocks per byte are gone


def test_a_silent_server_start_times_out(monkeypatch) -> None:
    """A server that hangs without printing a line is stopped at the start deadline."""
    hang = [sys.executable, "-c", "import time; time.sleep(120)"]
    monkeypatch.setattr(process, "server_command", lambda rows, cols, link: hang)
    monkeypatch.setattr(process, "START_TIMEOUT_S", 1.0)
    start = time.monotonic()
    with pytest.raises(process.RtlServerError, match="no listening line within 1 s"):
        process.RtlServer()
    assert time.monotonic() - start < 60  # not the 120 s the child would have slept


def test_a_server_that_exits_early_is_reported(monkeypatch) -> None:
    fail = [sys.executable, "-c", "print('build failed: no verilator'); raise SystemExit(1)"]
    monkeypatch.setattr(process, "server_command", lambda rows, cols, link: fail)
    with pytest.raises(process.RtlServerError, match="did not start: build failed: no verilator"):
        process.RtlServer()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--link", "byte"], "--link applies to --model rtl only"),
        (["--model", "rtl", "--link", "ether"], "'ether' is not one of 'uart', 'byte'"),
    ],
)
def test_serve_rejects_a_bad_link(args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["sim", "serve", *args])
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def _servers() -> set[int]:
    """Process ids of running RTL chip simulators."""
    out = subprocess.run(["pgrep", "-f", "sim_chip/sim_chip"], capture_output=True, text=True)
    return {int(pid) for pid in out.stdout.split()}
