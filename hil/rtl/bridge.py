"""In-process bridge: the unmodified host library drives the RTL chip inside a cocotb test.

The host code runs in a `cocotb.task.bridge` thread; `SimSerial` is its serial port. Each
`write`/`read` is a `cocotb.task.resume` call into the simulation, so host and chip run in
lockstep: simulated time stands still while host code runs and passes only inside `read`. With
`SimSerial.clock` as the host's timeout clock the whole exchange is deterministic (no wall-clock
timeouts, no ports, no threads racing the simulator).

Use (inside a cocotb test on `sim_chip`, see `hil.rtl.serve.chip_sources`)::

    link = ChipLink(dut)
    await link.reset()
    port = SimSerial(link)
    result = await bridge(lambda: run_host(SerialBoardChip(port, clock=port.clock)))()
"""

from __future__ import annotations

from cocotb.task import resume

from hil.rtl.chip_link import CLK_NS, ChipLink, clks_per_bit

POLL_BYTES = 100
"""UART byte times one empty `read` lets pass: the host's decoder treats an empty read as an idle
line, so this must exceed any gap inside a response (the chip sends a frame back to back; on the
byte link a partial word is handed out 4 clocks after the chip's last byte). The same clocks on
either link: an owed answer ends the wait early anyway."""


class SimSerial:
    """pyserial-like port on a `ChipLink`; valid only in a `cocotb.task.bridge` thread."""

    def __init__(self, link: ChipLink, poll_bytes: int = POLL_BYTES) -> None:
        self.link = link
        self.name = "rtl-bridge"
        self.poll_cycles = poll_bytes * 10 * clks_per_bit()

    def write(self, data: bytes, /) -> int:
        """Queue `data` for the chip (it goes on the line as simulated time passes)."""
        self.link.write(bytes(data))
        return len(data)

    def read(self, size: int = 1, /) -> bytes:
        """Up to `size` received bytes; if none are waiting, simulate until an owed answer
        completes or `poll_cycles` clocks pass, then return what arrived (maybe nothing)."""
        if not self.link.received:
            resume(self.link.advance)(self.poll_cycles)
        return self.link.take(size)

    @property
    def in_waiting(self) -> int:
        return len(self.link.received)

    def reset_input_buffer(self) -> None:
        self.link.received.clear()

    def clock(self) -> float:
        """Simulated seconds since reset (for the host's response timeouts)."""
        return self.link.cycles * CLK_NS * 1e-9

    def close(self) -> None:
        """Nothing to release (the link belongs to the cocotb test)."""
