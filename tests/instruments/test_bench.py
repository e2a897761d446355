"""The bench TOML: parsing, checks with clear messages, and the crosspoints of each biasing."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hil.instruments.bench import load_bench
from hil.instruments.errors import BenchConfigError
from tests.instruments.conftest import MODEL_BENCH, bench_file

REPO = Path(__file__).resolve().parents[2]


def test_shipped_benches_parse() -> None:
    for path in sorted((REPO / "data" / "benches").glob("*.toml")):
        config = load_bench(path)
        assert config.rows > 0 and config.cols > 0
        assert config.smu.driver and config.matrix.driver
    config = load_bench(MODEL_BENCH)
    assert (config.rows, config.cols) == (4, 8)
    assert config.word_lines[0] == (1, 1) and config.bit_lines[-1] == (1, 12)
    assert config.settings()["biasing"] == {
        "read": "float",
        "pulse": "half",
        "pulse_source": "pulser",
    }


def test_crosspoints_of_each_scheme() -> None:
    config = load_bench(MODEL_BENCH)
    assert config.crosspoints(2, 3, "smu", "float") == ["1A03", "1B08"]
    grounded = config.crosspoints(0, 0, "smu", "ground")
    assert grounded[:2] == ["1A01", "1B05"]
    assert sorted(grounded[2:]) == sorted(
        ["1B02", "1B03", "1B04"] + [f"1B{c:02d}" for c in range(6, 13)]
    )
    half = config.crosspoints(3, 7, "pulser", "half")
    assert half[:2] == ["1D04", "1B12"]
    assert len(half) == 2 + 3 + 7 and all(c[1] == "C" for c in half[2:])


@pytest.mark.parametrize(
    ("replace", "message"),
    [
        ({'driver = "keithley2450"': 'driver = "keithley9999"'}, "driver must be one of"),
        ({'pulse = "half"': 'pulse = "third"'}, "pulse must be one of"),
        ({"columns = [1, 2, 3, 4]": "columns = [1, 2, 3, 5]"}, "two lines to one matrix column"),
        ({"columns = [1, 2, 3, 4]": "columns = [1, 2, 3, 13]"}, "columns 1-12"),
        ({'bias = "C"': 'bias = "A"'}, "two sources to one matrix row"),
        ({"v_read_v = 0.2": "v_read_v = -0.2"}, "must all be positive"),
        ({"v_read_v = 0.2": "v_raed_v = 0.2"}, "unexpected keyword"),
        ({'driver = "keithley707b"': 'driver = "keithley708b"', "slot = 1, columns = [5":
          "slot = 2, columns = [5"}, "slots 1-1"),
    ],
)  # fmt: skip
def test_bad_bench_files_say_what_is_wrong(
    tmp_path: Path, replace: dict[str, str], message: str
) -> None:
    with pytest.raises(BenchConfigError, match=message):
        load_bench(bench_file(tmp_path, replace))


def test_half_biasing_needs_a_bias_source(tmp_path: Path) -> None:
    text = MODEL_BENCH.read_text()
    start = text.index("[instruments.bias]")
    end = text.index("[instruments.matrix]")
    path = tmp_path / "nobias.toml"
    path.write_text(text[:start] + text[end:])
    with pytest.raises(BenchConfigError, match="'half' biasing needs"):
        load_bench(path)
    with pytest.raises(BenchConfigError, match="does not exist"):
        load_bench(tmp_path / "missing.toml")


@settings(max_examples=60, deadline=None)
@given(
    rows=st.integers(1, 6),
    cols=st.integers(1, 6),
    data=st.data(),
    scheme=st.sampled_from(["float", "ground", "half"]),
)
def test_crosspoints_are_a_consistent_selection(
    rows: int, cols: int, data: st.DataObject, scheme: str
) -> None:
    """Any wiring and cell: one crosspoint per driven line, never two buses on one line."""
    columns = data.draw(st.permutations(range(1, 13)))
    config = dataclasses.replace(
        load_bench(MODEL_BENCH),
        word_lines=tuple((1, c) for c in columns[:rows]),
        bit_lines=tuple((1, c) for c in columns[rows : rows + cols]),
    )
    row, col = data.draw(st.integers(0, rows - 1)), data.draw(st.integers(0, cols - 1))
    channels = config.crosspoints(row, col, "smu", scheme)
    lines = [c[0] + c[2:] for c in channels]
    assert len(set(lines)) == len(lines)  # no line on two buses
    assert channels[0] == f"1A{config.word_lines[row][1]:02d}"
    assert channels[1] == f"1B{config.bit_lines[col][1]:02d}"
    expected = 2 if scheme == "float" else rows + cols
    assert len(channels) == expected
    bus = {"float": None, "ground": "B", "half": "C"}[scheme]
    assert all(c[1] == bus for c in channels[2:])
