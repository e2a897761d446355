"""Shared helpers: a simulated board served on loopback TCP and a SerialBoardChip talking to it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from hil.backends.protocol_chip import ALL_CAPABILITIES, ChipServer, ProtocolChipHandler
from hil.backends.serial_board import SerialBoardChip
from hil.backends.sim import SimChip


@dataclass
class Bench:
    board: SerialBoardChip
    """The host side, over a real pyserial socket:// port."""
    handler: ProtocolChipHandler
    server: ChipServer

    @property
    def sim(self) -> SimChip:
        """The simulated chip behind the wire."""
        return self.handler.chip


@contextmanager
def serial_bench(
    sim: SimChip | None = None,
    *,
    capabilities: int = ALL_CAPABILITIES,
    tx_noise: float = 0.0,
    timeout_s: float = 1.0,
    retries: int = 3,
) -> Iterator[Bench]:
    handler = ProtocolChipHandler(sim or SimChip(seed=0), capabilities=capabilities)
    with (
        ChipServer(handler, tx_noise=tx_noise, seed=1) as server,
        SerialBoardChip(server.url, timeout_s=timeout_s, retries=retries) as board,
    ):
        yield Bench(board, handler, server)
