"""Generate every artifact of the wire protocol from `firmware_interface/spec.toml`.

Run `python -m firmware_interface.generate` to rewrite the artifacts, or with `--check` to exit
non-zero, naming each stale file, when any artifact differs from what the spec generates.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from firmware_interface.generate import c_target, markdown_target, python_target, sv_target
from firmware_interface.generate.spec import Spec, load_spec

PROJECT_ROOT = Path(__file__).resolve().parents[2]

TARGETS: dict[str, Callable[[Spec], str]] = {
    "firmware_interface/protocol.py": python_target.render,
    "firmware_interface/PROTOCOL.md": markdown_target.render,
    "firmware_interface/c/hil_protocol.h": c_target.render,
    "rtl/hil_protocol_pkg.sv": sv_target.render,
}
"""Generated file (relative to the project root) -> renderer."""


def render_all(spec: Spec | None = None) -> dict[str, str]:
    """Text of every generated file, keyed by its path relative to the project root."""
    spec = spec or load_spec()
    return {path: render(spec) for path, render in TARGETS.items()}


def stale_files(root: Path = PROJECT_ROOT) -> list[str]:
    """Generated files that are missing or differ from what the spec renders."""
    stale = []
    for path, text in render_all().items():
        target = root / path
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            stale.append(path)
    return stale


def write_all(root: Path = PROJECT_ROOT) -> list[str]:
    """Write every generated file whose content changed; returns the paths written."""
    written = []
    for path, text in render_all().items():
        target = root / path
        if target.exists() and target.read_text(encoding="utf-8") == text:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        written.append(path)
    return written
