"""Shared fixtures of the write-verify tests."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture
def uniform_targets() -> np.ndarray:
    """32 x 64 targets uniform over 3-30 uS (inside every cell's window)."""
    return np.random.default_rng(7).uniform(3.0, 30.0, (32, 64))
