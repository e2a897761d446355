"""The demo's hardware path (what `--backend rtl` runs) on a board served over the wire protocol.

`--backend rtl` puts only the classifier layer on a 64 x 128-device chip behind the serial
protocol; the Verilator build and its slow simulation make that minutes long. The same path
runs here against the protocol-level simulated chip (hil.backends.protocol_chip) on loopback TCP:
the classifier on the board, the other layers at their targets, reads through the wire.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from hil.backends.protocol_chip import ProtocolChipHandler, serve_tcp
from hil.backends.sim import SimChip
from hil.demo import METHOD_DORA, METHOD_NONE, DemoConfig, run_demo


def test_demo_on_a_protocol_board(tmp_path: Path) -> None:
    board = SimChip(64, 128, DemoConfig().device_params(), seed=5)
    with serve_tcp(ProtocolChipHandler(board)) as server:
        config = DemoConfig.quick(backend=f"serial:{server.url}")
        result = run_demo(tmp_path, config)
    assert all(s.status == "done" for s in result.stages), result.stages
    (slot,) = result.layers  # only the classifier layer went on the board
    assert (slot.in_features, slot.out_features, slot.col0) == (64, 10, 0)
    assert result.programming["devices"] == 2 * 64 * 10
    assert result.programming["success_pct"] >= 97.0
    assert board.now_s > 365 * 86400  # the campaign advanced the board's clock by a year
    uncalibrated = np.array(result.accuracy[METHOD_NONE])
    assert uncalibrated[0] > 0.9
    # only the classifier drifts here: little to win back, and calibration must not lose it
    assert np.mean(result.accuracy[METHOD_DORA]) >= uncalibrated.mean() - 0.01
    assert (tmp_path / "report.html").exists()
