"""Random protocol messages from their wire layouts, for the seeded fuzz loops and the RTL benches.

Kept apart from the hypothesis strategies: importing hypothesis costs over a second in every
simulator process.
"""

from __future__ import annotations

import enum
import random

from firmware_interface.message import Message, ScalarLayout


def random_message(rng: random.Random, cls: type[Message], full: bool = False) -> Message:
    """A random message of type `cls`; `full` fills its array to the maximum."""

    def scalar(spec: ScalarLayout) -> int:
        if spec.enum_type is not None and not issubclass(spec.enum_type, enum.IntFlag):
            return rng.choice(list(spec.enum_type))
        return rng.randint(spec.min_value, spec.max_value)

    layout = cls.LAYOUT
    values = {s.name: scalar(s) for s in layout.scalars}
    array = layout.array
    if array is not None:
        count = array.max_count if full else rng.randint(0, min(array.max_count, 24))
        if array.record_type is None:
            values[array.name] = [scalar(array.element[0]) for _ in range(count)]
        else:
            values[array.name] = [
                array.record_type(*(scalar(s) for s in array.element)) for _ in range(count)
            ]
    return cls(**values)
