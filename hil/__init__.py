"""Host library of the ReRAM hardware-in-the-loop suite."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("reram-hil")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"
