"""The host library's exceptions. Catch `HilError` to catch them all.

Messages say what was wrong and what to do; the CLI prints them on one line with exit code 2.
"""

from __future__ import annotations


class HilError(Exception):
    """Root of every error the host library raises on purpose."""


class AddressError(HilError, IndexError):
    """A row, column or block lies outside the chip."""


class LimitError(HilError):
    """A safety limit (amplitude, pulse width, read voltage) refused the request before any I/O."""


class UnsupportedOperation(HilError):
    """The chip does not implement this operation (see `Chip.info().operations`)."""
