"""Fixtures of the instrument tests: pyvisa-sim and model benches through the real pyvisa."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import pyvisa

SIMS = Path(__file__).parent / "sims"
MODEL_BENCH = Path(__file__).resolve().parents[2] / "data" / "benches" / "model_4x8.toml"


@pytest.fixture
def sim_manager() -> Iterator[pyvisa.ResourceManager]:
    """pyvisa-sim on tests/instruments/sims/bench.yaml, with fresh instrument state.

    pyvisa-sim keeps state across resource managers of one file (pyvisa-sim issue #83); like
    QCoDeS we re-read the definitions so each test starts from the YAML defaults.
    """
    manager = pyvisa.ResourceManager(f"{SIMS / 'bench.yaml'}@sim")
    manager.visalib._init()
    yield manager
    manager.close()


def bench_file(tmp_path: Path, replace: dict[str, str] | None = None, extra: str = "") -> Path:
    """A copy of data/benches/model_4x8.toml with text replacements and extra TOML."""
    text = MODEL_BENCH.read_text()
    for old, new in (replace or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / "bench.toml"
    path.write_text(text + extra)
    return path
