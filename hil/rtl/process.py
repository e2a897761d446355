"""`--backend rtl`: a `hil sim serve --model rtl` subprocess for the duration of one command.

`open_rtl_chip()` starts the server in its own process group, waits for its
`listening on socket://...` line (the build, when the model is not cached yet, happens first),
connects a `SerialBoardChip` to it and returns that chip; closing the chip (or any error while
starting) stops the whole process group (the `hil` process and its simulator).
"""

from __future__ import annotations

import dataclasses
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from contextlib import suppress

from hil.backends import BackendUnavailable
from hil.backends.serial_board import SIMULATOR_TIMEOUT_S, SerialBoardChip
from hil.rtl.cocotb_serve import CLOSED

START_TIMEOUT_S = 900.0
"""Longest wait for the listening line: a cold Verilator build of the chip on a busy 2-core
machine (measured: a few minutes) plus the simulator's start."""
STATS_TIMEOUT_S = 60.0
"""Longest wait for the server's line about a closed connection (it prints it once the
simulator notices the closed socket, within a poll interval of simulated or wall time)."""
STOP_TIMEOUT_S = 10.0
"""Wait for the server to exit after SIGINT before it is killed."""


class RtlServerError(BackendUnavailable):
    """The RTL chip server did not start (a failed build, or it exited early)."""


def server_command(rows: int, cols: int, link: str) -> list[str]:
    """The `hil sim serve --model rtl` command line of a server on a free port."""
    return [sys.executable, "-m", "hil.cli", "sim", "serve", "--model", "rtl", "--port", "0",
            "--rows", str(rows), "--cols", str(cols), "--link", link]  # fmt: skip


class RtlServer:
    """A running `hil sim serve --model rtl` process.

    A daemon thread copies the server's output lines into a queue, so that every wait on the
    server has a deadline of its own, whether or not the server prints anything.
    """

    def __init__(self, rows: int = 64, cols: int = 128, link: str = "uart") -> None:
        self.process = subprocess.Popen(
            server_command(rows, cols, link),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()
        self.url = self._await_url(START_TIMEOUT_S)

    def _pump(self) -> None:
        """Copy the server's output lines into the queue; None once it closes its stdout."""
        assert self.process.stdout is not None
        with suppress(ValueError, OSError):  # stdout closed by stop()
            for line in self.process.stdout:
                self._lines.put(line)
        self._lines.put(None)

    def _next_line(self, deadline: float) -> str | None:
        """The server's next output line; None when it closed its output or at `deadline`
        (time.monotonic())."""
        try:
            return self._lines.get(timeout=max(deadline - time.monotonic(), 0.0))
        except queue.Empty:
            return None

    def _await_url(self, timeout_s: float) -> str:
        tail: deque[str] = deque(maxlen=5)
        deadline = time.monotonic() + timeout_s
        while (line := self._next_line(deadline)) is not None:
            if line.startswith("listening on "):
                return line.split()[-1]
            if line.strip():
                tail.append(line.strip())
        timed_out = time.monotonic() >= deadline
        self.stop()
        said = " | ".join(tail) or "no output"
        if timed_out:
            said = f"no listening line within {timeout_s:g} s ({said})"
        raise RtlServerError(f"the RTL chip server did not start: {said}")

    def connection_stats(self, timeout_s: float = STATS_TIMEOUT_S) -> tuple[int, float]:
        """(clocks simulated, wall seconds) of the connection that just closed: waits up to
        `timeout_s` for the server to report it."""
        deadline = time.monotonic() + timeout_s
        while (line := self._next_line(deadline)) is not None:
            if line.startswith(CLOSED):
                fields = dict(item.split("=") for item in line[len(CLOSED) :].split())
                return int(fields["cycles"]), float(fields["wall_s"])
        raise RtlServerError("the RTL chip server did not report the connection")

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


def open_rtl_chip(rows: int = 64, cols: int = 128, link: str = "uart") -> RtlChip:
    """Start an RTL chip server and return the chip on it (close it to stop the server)."""
    server = RtlServer(rows, cols, link)
    try:
        return RtlChip(server)
    except BaseException:
        server.stop()
        raise
