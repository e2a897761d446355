"""frame_tx against encode_frame and FrameDecoder (cocotb bench tests/rtl/cocotb_frame_tx.py)."""

from __future__ import annotations

import pytest

from tests.rtl.benches import run_bench

FRAME_TX = ["frame_tx", "uart_tx", "uart_rx"]


@pytest.mark.parametrize("test", ["random_responses_match_codec", "back_to_back_and_busy"])
def test_frame_tx(test, tmp_path):
    run_bench("tb_frame_tx", FRAME_TX, "cocotb_frame_tx", test, tmp_path)
