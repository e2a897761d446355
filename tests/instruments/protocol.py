"""`expected_protocol`: exact-command tests of a driver, after PyMeasure's test helper.

The driver runs on a transport that checks every message against a script of
(command, reply) pairs in order: reply None for a write, the reply text for a query. Leaving the
block asserts the whole script was used.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager


class ScriptedTransport:
    """A Transport that replays a script and fails on the first unexpected message."""

    resource_name = "SCRIPT::INSTR"
    timeout = 1000.0

    def __init__(self, script: Sequence[tuple[str, str | None]]):
        self.script = list(script)
        self.position = 0
        self.closed = False

    def _next(self, message: str, query: bool) -> str | None:
        assert self.position < len(self.script), f"unexpected extra message {message!r}"
        expected, reply = self.script[self.position]
        assert message == expected, f"message {self.position}: sent {message!r}, want {expected!r}"
        assert (reply is not None) == query, f"{message!r}: query/write mismatch with the script"
        self.position += 1
        return reply

    def write(self, message: str) -> int:
        self._next(message, query=False)
        return len(message)

    def query(self, message: str) -> str:
        reply = self._next(message, query=True)
        assert reply is not None
        return reply

    def close(self) -> None:
        self.closed = True


@contextmanager
def expected_protocol(script: Sequence[tuple[str, str | None]]) -> Iterator[ScriptedTransport]:
    transport = ScriptedTransport(script)
    yield transport
    left = transport.script[transport.position :]
    assert not left, f"the driver did not send {left}"
