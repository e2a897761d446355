"""uart_tx/uart_rx: loopback, framing errors, glitches (cocotb bench tests/rtl/cocotb_uart.py)."""

from __future__ import annotations

import pytest

from tests.rtl.benches import run_bench

UART = ["uart_tx", "uart_rx"]


@pytest.mark.parametrize(
    "test", ["loopback_random_bytes", "framing_error_drops_byte", "short_glitch_ignored"]
)
def test_uart(test, tmp_path):
    run_bench("tb_uart", UART, "cocotb_uart", test, tmp_path)


def test_uart_odd_clocks_per_bit(tmp_path):
    """A second parameter set (its own cached build): 5 clocks per bit."""
    run_bench(
        "tb_uart",
        UART,
        "cocotb_uart",
        "(loopback_random_bytes|framing_error_drops_byte)",
        tmp_path,
        clks_per_bit=5,
    )
