"""Chip backends and the `--backend` spec that selects one.

`sim` is the in-process device model; `rtl` (Verilator), `serial:<pyserial URL>` (a test board or
the RTL bridge) and `visa:<bench TOML>` (SCPI instruments) share the same Chip interface.
"""

from __future__ import annotations

from typing import Any

from hil.chip import Chip
from hil.device.params import preset
from hil.errors import HilError

BACKEND_HELP = "sim (default), rtl, serial:<pyserial URL or device>, visa:<bench TOML>"


class BackendUnavailable(HilError):
    """The backend is known but not usable here (not built yet, or missing hardware)."""


def open_chip(
    spec: str,
    *,
    seed: int = 0,
    rows: int | None = None,
    cols: int | None = None,
    device_preset: str = "levy-tech-c",
    state: dict[str, Any] | None = None,
) -> Chip:
    """The chip a `--backend` spec names; `state` continues a simulator from a checkpoint."""
    kind, _, target = spec.partition(":")
    if kind == "sim" and not target:
        from hil.backends.sim import SimChip

        if state is not None:
            return SimChip.from_state(state)
        geometry = {k: v for k, v in (("rows", rows), ("cols", cols)) if v is not None}
        return SimChip(params=preset(device_preset), seed=seed, **geometry)
    if kind == "rtl" and not target:
        from hil.rtl.process import open_rtl_chip  # a `hil sim serve --model rtl` subprocess

        return open_rtl_chip(**{k: v for k, v in (("rows", rows), ("cols", cols)) if v})
    if kind == "serial" and target:
        from hil.backends.serial_board import SIMULATOR_TIMEOUT_S, SerialBoardChip

        if target.startswith("socket://"):  # a simulated board (`hil sim serve`): may be slow
            return SerialBoardChip(target, timeout_s=SIMULATOR_TIMEOUT_S)
        return SerialBoardChip(target)
    if kind == "visa" and target:
        from hil.backends.visa import VisaChip

        return VisaChip(target)
    raise ValueError(f"unknown backend {spec!r}; expected {BACKEND_HELP}")


def checkpointable(chip: Chip) -> bool:
    """Whether the chip's whole state lives in this process and must be saved to continue."""
    return hasattr(chip, "state") and chip.info().backend == "sim"
