"""Host-side write-verify on the `Chip` interface: declarative policies, a vectorised engine,
per-cell results with statistics and an optional per-pulse trace.

    from hil.program import default_policy, program_block
    result = program_block(chip, target_us, policy=default_policy())
    print(result.stats().success_pct)
"""

from hil.program.engine import ProgressFn, SleepFn, program, program_block, program_weights
from hil.program.policy import (
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
from hil.program.result import TRACE_DTYPE, ProgrammingResult, ProgrammingStats

__all__ = [
    "POLICY_DIR",
    "TRACE_DTYPE",
    "AdaptiveSettings",
    "ProgrammingResult",
    "ProgrammingStats",
    "ProgressFn",
    "Ramp",
    "SleepFn",
    "WritePolicy",
    "default_policy",
    "load_policy",
    "neurram_policy",
    "policy_to_toml",
    "program",
    "program_block",
    "program_weights",
    "shipped_policy",
]
