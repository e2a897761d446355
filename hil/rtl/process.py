"""`--backend rtl`: a `hil sim serve --model rtl` subprocess for the duration of one command.

`open_rtl_chip()` starts the server in its own process group, waits for its
`listening on socket://...` line (the build, when the model is not cached yet, happens first),
connects a `SerialBoardChip` to it and returns that chip; closing the chip (or any error while
starting) stops the whole process group (the `hil` process and its simulator).
"""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import time
from collections import deque

from hil.backends import BackendUnavailable
from hil.backends.serial_board import SIMULATOR_TIMEOUT_S, SerialBoardChip
from hil.rtl.cocotb_serve import CLOSED

START_TIMEOUT_S = 900.0
"""Longest wait for the listening line: a cold Verilator build of the chip on a busy 2-core
machine (measured: a few minutes) plus the simulator's start."""
STOP_TIMEOUT_S = 10.0
"""Wait for the server to exit after SIGINT before it is killed."""


class RtlServerError(BackendUnavailable):
    """The RTL chip server did not start (a failed build, or it exited early)."""


class RtlServer:
    """A running `hil sim serve --model rtl` process."""

    def __init__(self, rows: int = 64, cols: int = 128) -> None:
        command = [sys.executable, "-m", "hil.cli", "sim", "serve", "--model", "rtl",
                   "--port", "0", "--rows", str(rows), "--cols", str(cols)]  # fmt: skip
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.url = self._await_url()

    def _await_url(self) -> str:
        assert self.process.stdout is not None
        tail: deque[str] = deque(maxlen=5)
        deadline = time.monotonic() + START_TIMEOUT_S
        for line in self.process.stdout:
            if line.startswith("listening on "):
                return line.split()[-1]
            if line.strip():
                tail.append(line.strip())
            if time.monotonic() > deadline:
                break
        self.stop()
        said = " | ".join(tail) or "no output"
        raise RtlServerError(f"the RTL chip server did not start: {said}")

    def connection_stats(self) -> tuple[int, float]:
        """(clocks simulated, wall seconds) of the connection that just closed: blocks until
        the server reports it."""
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith(CLOSED):
                fields = dict(item.split("=") for item in line[len(CLOSED) :].split())
                return int(fields["cycles"]), float(fields["wall_s"])
        raise RtlServerError("the RTL chip server exited before reporting the connection")

    def stop(self) -> None:
        """Interrupt the server's process group; kill it if it does not exit in time."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGINT)
                self.process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
            except ProcessLookupError:
                pass
        if self.process.stdout is not None:
            self.process.stdout.close()


class RtlChip(SerialBoardChip):
    """A `SerialBoardChip` on its own RTL server, which it stops on `close()`."""

    def __init__(self, server: RtlServer) -> None:
        self.server = server
        super().__init__(server.url, timeout_s=SIMULATOR_TIMEOUT_S)
        self._info = dataclasses.replace(self._info, backend="rtl")

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.server.stop()


def open_rtl_chip(rows: int = 64, cols: int = 128) -> RtlChip:
    """Start an RTL chip server and return the chip on it (close it to stop the server)."""
    server = RtlServer(rows, cols)
    try:
        return RtlChip(server)
    except BaseException:
        server.stop()
        raise
