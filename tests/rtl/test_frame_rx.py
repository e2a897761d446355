"""frame_rx against the Python FrameDecoder (cocotb bench tests/rtl/cocotb_frame_rx.py)."""

from __future__ import annotations

import pytest

from tests.rtl.benches import run_bench

FRAME_RX = ["byte_ram", "frame_rx", "uart_tx", "uart_rx"]

TESTS = [
    "valid_frames",
    "corrupted_frames",
    "garbage_before_frames",
    "truncated_then_valid",
    "length_above_max",
    "idle_truncates_candidate",
    "back_pressure",
    "ring_overflow",
    "fuzz_direct",
    "fuzz_uart",
]


@pytest.mark.parametrize("test", TESTS)
def test_frame_rx(test, tmp_path):
    run_bench("tb_frame_rx", FRAME_RX, "cocotb_frame_rx", test, tmp_path)
