"""The protocol's own exceptions. Each carries the status code a chip answers with.

Decoding never raises anything else: the fuzz tests hold the codec to that.
"""

from __future__ import annotations


class ProtocolError(Exception):
    """Root of every wire-protocol error."""

    status_name = "INTERNAL"

    def __init__(self, message: str, *, detail: int | None = None):
        super().__init__(message)
        self.detail = detail
        """Index of the offending field or array entry, or None."""


class BadLength(ProtocolError):
    """The payload length does not fit the message layout."""

    status_name = "BAD_LENGTH"


class UnknownOpcode(ProtocolError):
    """The opcode is not defined by this protocol version."""

    status_name = "UNKNOWN_OPCODE"


class BadArgument(ProtocolError):
    """A field holds a value the protocol does not define (e.g. an unknown enum value)."""

    status_name = "BAD_ARGUMENT"


class CommandRejected(ProtocolError):
    """A chip-side handler refused a well-formed request (BAD_ADDRESS, LIMIT, UNSUPPORTED...)."""

    def __init__(self, status_name: str, message: str, *, detail: int | None = None):
        super().__init__(message, detail=detail)
        self.status_name = status_name


class LinkError(ProtocolError):
    """The host got no valid response after all retries (timeouts, corrupted replies)."""


class ChipError(ProtocolError):
    """The chip answered a request with a non-OK status."""

    def __init__(self, status_name: str, opcode_name: str, detail: int | None):
        where = "" if detail is None else f" (detail {detail})"
        super().__init__(f"{opcode_name} refused by the chip: {status_name}{where}", detail=detail)
        self.status_name = status_name
        self.opcode_name = opcode_name
