"""cocotb test that serves the RTL chip on a loopback TCP port (run by `hil.rtl.serve`).

One host connection at a time, one after another, until the simulator is stopped; the chip keeps
its state between connections, so separate `hil` commands reach the same chip. The socket is
polled without blocking while the chip owes an answer, and time then passes in C++ in chunks of
`CHUNK_CYCLES` (cut short when an answer completes). While the host is idle the coroutine blocks
in `select` for up to `IDLE_S`: simulated time stands still and no core is burnt. No Python
threads run in the simulator (they would starve for the GIL while Verilator evaluates).

Response bytes go to the host only as whole frames (`ChipLink.whole`): the host's decoder gives
up a partly received frame when its port read stays empty for `poll_s` (50 ms,
`hil.backends.serial_board`), and under load one chunk of a frame leaving the simulated UART can
take longer than that, which cost a 30 s response timeout and a resend (benchmarks/RESULTS.md,
"rtl"). On a real board the frame's bytes follow each other within microseconds.

Environment: `HIL_RTL_PORT` (0 picks one) and `HIL_RTL_HOST`.
"""

from __future__ import annotations

import os
import select
import socket
import time

import cocotb
from cocotb.handle import SimHandleBase

from hil.rtl.chip_link import ChipLink

IDLE_S = 0.05
"""Longest wall-clock block in `select` while nothing is owed (the reaction time to the host)."""
CLOSED = "connection closed:"
"""Start of the line printed after each connection, with the clocks it simulated and its wall
time (`hil.rtl.process.RtlServer.connection_stats` parses it)."""
CHUNK_CYCLES = 2560
"""Clocks simulated between two polls of the socket while the chip is busy (64 byte times of the
4-clock UART; an advance ends early when the owed answer completes, so a larger chunk only saves
polls while the chip computes)."""


async def _serve_connection(conn: socket.socket, link: ChipLink) -> None:
    while True:
        if link.whole:  # whole frames only: see the module docstring
            conn.sendall(link.take(link.whole))
        ready, _, _ = select.select([conn], [], [], 0 if link.busy else IDLE_S)
        if ready:
            data = conn.recv(65536)
            if not data:
                return  # the host closed the port
            link.write(data)
        if link.busy:
            await link.advance(CHUNK_CYCLES)


@cocotb.test()
async def serve_tcp(dut: SimHandleBase) -> None:
    """Serve the chip until the simulator is killed."""
    link = ChipLink(dut)
    await link.reset()
    host = os.environ.get("HIL_RTL_HOST", "127.0.0.1")
    listener = socket.create_server((host, int(os.environ.get("HIL_RTL_PORT", "0"))))
    port = listener.getsockname()[1]
    print(f"listening on socket://{host}:{port}", flush=True)
    try:
        await _serve_forever(listener, link)
    except KeyboardInterrupt:  # Ctrl-C reaches the simulator too: end the test cleanly
        listener.close()


async def _serve_forever(listener: socket.socket, link: ChipLink) -> None:
    while True:
        ready, _, _ = select.select([listener], [], [], IDLE_S)
        if not ready:
            continue
        conn, _ = listener.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        cycles, start = link.cycles, time.perf_counter()
        with conn:
            try:
                await _serve_connection(conn, link)
            except OSError as error:  # the host vanished mid-frame
                cocotb.log.info("connection ended: %s", error)
        wall_s = time.perf_counter() - start
        print(f"{CLOSED} cycles={link.cycles - cycles} wall_s={wall_s:.6f}", flush=True)
