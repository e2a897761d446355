"""Errors of the bench instruments. Every message names the instrument's VISA address."""

from __future__ import annotations

from hil.errors import HilError


class InstrumentError(HilError):
    """An instrument reported an error (its error queue was not empty) or refused a command."""


class InstrumentTimeout(InstrumentError):
    """An instrument did not answer within its VISA timeout."""


class InstrumentNotFound(InstrumentError):
    """No VISA resource has the address the bench names."""


class BenchConfigError(HilError, ValueError):
    """The bench TOML file is malformed or inconsistent."""
