"""Write-verify policies: TOML and JSON round trips, validation messages, shipped files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hil.device.write_verify import IsppPolicy
from hil.program import (
    POLICY_DIR,
    AdaptiveSettings,
    Ramp,
    WritePolicy,
    default_policy,
    load_policy,
    neurram_policy,
    policy_to_toml,
    shipped_policy,
)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    "policy",
    [
        default_policy(),
        neurram_policy(),
        default_policy().replace(tolerance_us=None, tolerance_pct=2.5, trace=True),
        neurram_policy().replace(relax_epochs=3, relax_delay_s=1.5, pair_aware=True),
    ],
    ids=["default", "neurram", "percent", "epochs"],
)
def test_toml_round_trip(tmp_path: Path, policy: WritePolicy) -> None:
    assert load_policy(write(tmp_path, policy_to_toml(policy))) == policy


def test_dict_and_json_round_trip() -> None:
    policy = default_policy().replace(tolerance_us=None, tolerance_pct=3.0)
    assert WritePolicy.from_dict(policy.to_dict()) == policy
    assert WritePolicy.from_json(policy.to_json()) == policy
    assert json.loads(policy.to_json())["set_ramp"]["step_v"] == 0.1


@settings(max_examples=30, deadline=None)
@given(
    start_v=st.floats(0.5, 2.0),
    span_v=st.floats(0.0, 1.0),
    step_v=st.floats(0.01, 0.3),
    tolerance=st.floats(0.05, 5.0),
    percent=st.booleans(),
    aim=st.floats(0.1, 1.0),
    epochs=st.integers(0, 5),
)
def test_round_trip_property(
    start_v: float,
    span_v: float,
    step_v: float,
    tolerance: float,
    percent: bool,
    aim: float,
    epochs: int,
) -> None:
    ramp = Ramp(start_v=start_v, stop_v=start_v + span_v, step_v=step_v, width_s=5e-7)
    policy = WritePolicy(
        set_ramp=ramp,
        reset_ramp=ramp,
        tolerance_us=None if percent else tolerance,
        tolerance_pct=tolerance if percent else None,
        aim_fraction=aim,
        keep_fraction=aim,
        relax_epochs=epochs,
    )
    assert WritePolicy.from_json(policy.to_json()) == policy
    assert WritePolicy.from_dict(policy.to_dict()) == policy


def test_shipped_files_match_the_constructors() -> None:
    assert shipped_policy("default") == default_policy()
    assert shipped_policy("neurram") == neurram_policy()
    for path in POLICY_DIR.glob("*.toml"):  # every shipped example loads
        assert load_policy(path).name == path.stem


def test_neurram_reference_values() -> None:
    """NeuRRAM program_array (device_models.md 3.1): 1.2 V + 0.1 V, 1 us, 30, 20, +-1 uS, 8/3."""
    policy = neurram_policy()
    for ramp in (policy.set_ramp, policy.reset_ramp):
        assert (ramp.start_v, ramp.step_v, ramp.width_s) == (1.2, 0.1, 1e-6)
    assert (policy.pulses_per_ramp, policy.max_iterations, policy.tolerance_us) == (30, 20, 1.0)
    assert policy.verify_n_reads + policy.verify_n_discard == 8 and policy.verify_n_discard == 3


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('name = "x"\ntolerance_uS = 1.0\n', "unknown policy key 'tolerance_uS'"),
        (
            "[set_ramp]\nstart_v = 1.2\nstop_v = 2\nstep_v = 0.1\nwidth_s = 1e-6\nwdith_s = 1\n",
            "unknown policy key 'set_ramp.wdith_s'",
        ),
        ("[adaptive]\ngain = 2\n", "unknown policy key 'adaptive.gain'"),
        ("tolerance_us = 1.0\ntolerance_pct = 2.0\n", "exactly one of 'tolerance_us'"),
        ("tolerance_us = -1.0\n", "'tolerance_us' must be finite and > 0"),
        (
            "[set_ramp]\nstart_v = 1.2\nstop_v = 2\nstep_v = -0.1\nwidth_s = 1e-6\n",
            "'set_ramp.step_v' must be finite and > 0",
        ),
        (
            "[reset_ramp]\nstart_v = 2.2\nstop_v = 2\nstep_v = 0.1\nwidth_s = 1e-6\n",
            "'reset_ramp': stop_v",
        ),
        ("[reset_ramp]\nstart_v = 1.2\n", "lacks"),
        ('offload = "sometimes"\n', "'offload' must be one of"),
        ('algorithm = "magic"\n', "'algorithm' must be one of"),
        ("aim_fraction = 0.9\nkeep_fraction = 0.5\n", "aim_fraction <= keep_fraction"),
        ("verify_n_reads = 0\n", "'verify_n_reads' must be >= 1"),
        ("relax_epochs = 1.5\n", "'relax_epochs' must be an integer"),
        ('pair_aware = "yes"\n', "'pair_aware' must be true or false"),
    ],
)
def test_invalid_policies_name_the_problem(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ValueError, match=message) as error:
        load_policy(path)
    assert str(path) in str(error.value)


def test_percent_tolerance_alone_is_valid() -> None:
    policy = WritePolicy.from_dict({"tolerance_pct": 2.5})
    assert policy.tolerance_us is None
    assert policy.tolerance_for([10.0, 40.0]).tolist() == [0.25, 1.0]
    assert default_policy().tolerance_for([3.0, 30.0]).tolist() == [1.0, 1.0]


def test_unknown_shipped_policy_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"known: .*'default'.*'neurram'"):
        shipped_policy("nope")


def test_offload_blockers() -> None:
    assert neurram_policy().offload_blockers() == []  # discarded reads run on chip too
    assert neurram_policy().to_ispp_policy().verify_n_discard == 3
    assert any("host only" in r for r in default_policy().offload_blockers())
    fixed = neurram_policy().replace(verify_n_discard=0)
    assert fixed.offload_blockers() == []
    assert fixed.replace(trace=True).offload_blockers() == [
        "the on-chip PROGRAM returns no per-pulse trace"
    ]
    with pytest.raises(ValueError, match="cannot run on-chip"):
        default_policy().to_ispp_policy()


def test_to_ispp_policy_carries_every_register() -> None:
    ramp_set = Ramp(start_v=1.1, stop_v=2.5, step_v=0.05, width_s=5e-7)
    ramp_reset = Ramp(start_v=1.3, stop_v=2.8, step_v=0.2, width_s=2e-6)
    policy = WritePolicy(
        algorithm="fixed",
        set_ramp=ramp_set,
        reset_ramp=ramp_reset,
        pulses_per_ramp=12,
        max_iterations=7,
        verify_n_reads=4,
    )
    assert policy.to_ispp_policy() == IsppPolicy(
        v_set_start_v=1.1,
        v_set_stop_v=2.5,
        v_set_step_v=0.05,
        v_reset_start_v=1.3,
        v_reset_stop_v=2.8,
        v_reset_step_v=0.2,
        width_set_s=5e-7,
        width_reset_s=2e-6,
        pulses_per_ramp=12,
        max_iterations=7,
        verify_n_reads=4,
    )


def test_adaptive_settings_are_validated() -> None:
    with pytest.raises(ValueError, match=r"'adaptive\.move_fraction' must be <= 1"):
        WritePolicy(adaptive=AdaptiveSettings(move_fraction=1.5))
    with pytest.raises(ValueError, match=r"'adaptive\.v_per_efold_v'"):
        WritePolicy(adaptive=AdaptiveSettings(v_per_efold_v=0.0))


def test_field_defaults_are_the_chip_register_defaults() -> None:
    assert WritePolicy().to_ispp_policy() == IsppPolicy()
