"""The benches' copy of random_message draws exactly what the hypothesis-side one draws."""

from __future__ import annotations

import random

import pytest

from firmware_interface.protocol import REQUESTS, RESPONSES
from tests.firmware_interface.strategies import random_message as reference
from tests.rtl.benchlib import random_message


@pytest.mark.parametrize("cls", [*REQUESTS.values(), *RESPONSES.values()], ids=lambda c: c.__name__)
def test_random_message_matches_strategies(cls):
    for seed in range(5):
        for full in (False, True):
            ours = random_message(random.Random(seed), cls, full)
            assert ours == reference(random.Random(seed), cls, full)
