"""Hypothesis strategies that build any protocol message from its generated wire layout."""

from __future__ import annotations

import enum

from hypothesis import strategies as st

from firmware_interface.message import ArrayLayout, Message, ScalarLayout
from firmware_interface.protocol import REQUESTS, RESPONSES


def _is_plain_enum(spec: ScalarLayout) -> bool:
    return spec.enum_type is not None and not issubclass(spec.enum_type, enum.IntFlag)


def scalar_values(spec: ScalarLayout) -> st.SearchStrategy[int]:
    if _is_plain_enum(spec):
        return st.sampled_from(list(spec.enum_type))
    return st.integers(spec.min_value, spec.max_value)


def array_values(array: ArrayLayout, max_count: int | None = None) -> st.SearchStrategy[list]:
    limit = array.max_count if max_count is None else min(max_count, array.max_count)
    if array.record_type is None:
        element = scalar_values(array.element[0])
    else:
        element = st.tuples(*(scalar_values(s) for s in array.element)).map(
            lambda values, cls=array.record_type: cls(*values)
        )
    return st.lists(element, max_size=limit)


def messages(cls: type[Message], max_count: int | None = None) -> st.SearchStrategy[Message]:
    layout = cls.LAYOUT
    fields = {s.name: scalar_values(s) for s in layout.scalars}
    if layout.array is not None:
        fields[layout.array.name] = array_values(layout.array, max_count)
    return st.builds(cls, **fields)


ALL_MESSAGE_CLASSES = [*REQUESTS.values(), *RESPONSES.values()]
