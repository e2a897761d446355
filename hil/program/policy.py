"""Declarative write-verify policies: frozen dataclasses, loadable from TOML, dumpable to JSON.

A policy says *what* the host write-verify (`hil.program.engine`) does, never *how* it talks to
the chip. Two ramp algorithms share one set of fields:

- ``"fixed"``: the NeuRRAM incremental-pulse ramp (weierwan/Neurram_48core
  ``wupdate_control.py:program_array``; shared/reference/device_models.md section 3.1): every ramp
  starts at ``start_v`` and rises by ``step_v`` per pulse up to ``stop_v``. This is also what the
  chip's on-chip PROGRAM runs (`hil.device.write_verify.IsppPolicy`), so a fixed-ramp policy can be
  offloaded.
- ``"adaptive"``: the default. Per cell and polarity the host remembers the amplitude that last
  moved the cell and sizes each pulse from the previous pulse's observed move (see
  `hil.program.engine` for the rule).

Policies are stored with measurements as JSON (`to_dict` / `to_json`) and shipped as TOML in
``data/policies/`` (`load_policy`). Unknown keys are errors so that a typo never passes silently.
"""

from __future__ import annotations

import dataclasses
import json
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from hil.device.write_verify import IsppPolicy

Algorithm = Literal["fixed", "adaptive"]
Offload = Literal["auto", "never", "always"]

ALGORITHMS: tuple[str, ...] = ("fixed", "adaptive")
OFFLOAD_MODES: tuple[str, ...] = ("auto", "never", "always")

POLICY_DIR = Path(__file__).resolve().parents[2] / "data" / "policies"
"""The project's shipped TOML policies (``data/policies/``, beside the package in a checkout)."""

# Register ranges of the on-chip engine (firmware_interface/spec.toml [[register]] max values).
_MAX_PULSES_PER_RAMP_REGISTER = 255
_MAX_ITERATIONS_REGISTER = 255
_MAX_VERIFY_READS_REGISTER = 64


def _check_number(path: str, value: object, *, minimum: float, strict: bool) -> float:
    """A finite real number above `minimum` (strictly if `strict`), else a ValueError naming it."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"policy field {path!r} must be a number, got {value!r}")
    number = float(value)
    too_small = number <= minimum if strict else number < minimum
    if not math.isfinite(number) or too_small:
        relation = ">" if strict else ">="
        raise ValueError(
            f"policy field {path!r} must be finite and {relation} {minimum}, got {value}"
        )
    return number


def _check_int(path: str, value: object, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"policy field {path!r} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"policy field {path!r} must be >= {minimum}, got {value}")
    return value


def _check_keys(path: str, data: Mapping[str, Any], cls: type) -> None:
    known = {f.name for f in dataclasses.fields(cls)}
    for key in data:
        if key not in known:
            where = f"{path}.{key}" if path else key
            raise ValueError(
                f"unknown policy key {where!r}; known keys{' of ' + path if path else ''}: "
                f"{sorted(known)}"
            )


@dataclass(frozen=True)
class Ramp:
    """One polarity's amplitude ramp (cell voltage magnitudes in volts, width in seconds)."""

    start_v: float
    """Amplitude of a ramp's first pulse (fixed) or of a cell's first pulse (adaptive)."""
    stop_v: float
    """Largest amplitude; further pulses of a ramp repeat it."""
    step_v: float
    """Increment per pulse (fixed); largest increase per pulse (adaptive)."""
    width_s: float
    """Pulse width."""

    def validate(self, path: str) -> None:
        """Raise ValueError naming `path.field` for a non-physical ramp."""
        _check_number(f"{path}.start_v", self.start_v, minimum=0.0, strict=True)
        _check_number(f"{path}.stop_v", self.stop_v, minimum=0.0, strict=True)
        _check_number(f"{path}.step_v", self.step_v, minimum=0.0, strict=True)
        _check_number(f"{path}.width_s", self.width_s, minimum=0.0, strict=True)
        if self.stop_v < self.start_v:
            raise ValueError(
                f"policy field {path!r}: stop_v ({self.stop_v} V) is below start_v "
                f"({self.start_v} V)"
            )

    @classmethod
    def from_dict(cls, path: str, data: Mapping[str, Any]) -> Ramp:
        if not isinstance(data, Mapping):
            raise ValueError(f"policy field {path!r} must be a table, got {data!r}")
        _check_keys(path, data, cls)
        missing = sorted({f.name for f in dataclasses.fields(cls)} - set(data))
        if missing:
            raise ValueError(f"policy table {path!r} lacks {missing}")
        return cls(**data)


@dataclass(frozen=True)
class AdaptiveSettings:
    """Knobs of the adaptive ramp (ignored by the fixed NeuRRAM ramp)."""

    v_per_efold_v: float = 0.1
    """Amplitude change that scales a pulse's conductance step by e (the device's overdrive scale;
    0.1-0.15 V in the DM6.2 pulse model, shared/reference/device_models.md section 6.2)."""
    move_fraction: float = 0.7
    """Each pulse aims to move the cell this fraction of its distance to the target (< 1 so that
    cycle-to-cycle noise rarely overshoots)."""
    max_down_v: float = 0.1
    """Largest amplitude decrease per pulse."""
    min_move_us: float = 0.1
    """A move below this counts as no move (read-noise floor of the step estimate)."""

    def validate(self, path: str) -> None:
        _check_number(f"{path}.v_per_efold_v", self.v_per_efold_v, minimum=0.0, strict=True)
        fraction = _check_number(
            f"{path}.move_fraction", self.move_fraction, minimum=0.0, strict=True
        )
        if fraction > 1.0:
            raise ValueError(f"policy field '{path}.move_fraction' must be <= 1, got {fraction}")
        _check_number(f"{path}.max_down_v", self.max_down_v, minimum=0.0, strict=False)
        _check_number(f"{path}.min_move_us", self.min_move_us, minimum=0.0, strict=True)

    @classmethod
    def from_dict(cls, path: str, data: Mapping[str, Any]) -> AdaptiveSettings:
        if not isinstance(data, Mapping):
            raise ValueError(f"policy field {path!r} must be a table, got {data!r}")
        _check_keys(path, data, cls)
        return cls(**data)


_NEURRAM_RAMP = Ramp(start_v=1.2, stop_v=3.0, step_v=0.1, width_s=1e-6)


@dataclass(frozen=True)
class WritePolicy:
    """Everything the host write-verify does, validated on construction.

    Exactly one of `tolerance_us` and `tolerance_pct` is set. Units are in the names. The field
    defaults are the chip's PROGRAM register reset values (the NeuRRAM loop, `IsppPolicy()`) with
    host-side features off; `default_policy()` is the recommended policy.
    """

    name: str = "custom"
    algorithm: Algorithm = "fixed"
    """"fixed" (NeuRRAM ramp, restarts at start_v) or "adaptive" (see the module docstring)."""
    set_ramp: Ramp = _NEURRAM_RAMP
    """SET pulses (positive cell voltage)."""
    reset_ramp: Ramp = _NEURRAM_RAMP
    """RESET pulses (applied as negative cell voltage)."""
    pulses_per_ramp: int = 30
    """A ramp (a run of same-polarity pulses) that reaches this many pulses without crossing the
    target gives up (STUCK if it moved the cell less than its tolerance, else NOT_CONVERGED)."""
    max_iterations: int = 20
    """Polarity iterations (a SET ramp plus a RESET ramp) before a cell gives up."""
    tolerance_us: float | None = 1.0
    """Band half-width in uS (exclusive with `tolerance_pct`)."""
    tolerance_pct: float | None = None
    """Band half-width in % of each target (exclusive with `tolerance_us`)."""
    aim_fraction: float = 1.0
    """While pulsing, a cell is accepted only within `aim_fraction` x tolerance (<= 1): margin for
    read noise and relaxation."""
    keep_fraction: float = 1.0
    """A relax re-check leaves a cell this run has pulsed alone within `keep_fraction` x
    tolerance (aim_fraction <= keep_fraction <= 1): hysteresis between the aim band and the
    tolerance. Cells the run did not pulse are judged at the full tolerance, like the skip check,
    and success always is."""
    verify_n_reads: int = 1
    """Reads averaged per verify."""
    verify_n_discard: int = 0
    """Reads discarded before the averaged ones (NeuRRAM: 8 reads, 3 discarded)."""
    relax_epochs: int = 0
    """Relax-and-recheck epochs after programming: wait, re-verify, re-program cells that left
    the keep band (NeuRRAM ``num_epoch``)."""
    relax_delay_s: float = 1.0
    """Wait before each re-check (virtual time on simulators, `sleep` on real chips)."""
    pair_aware: bool = False
    """Verify differential pairs (columns 2j, 2j+1) on the weight error of G+ - G-: the device
    with the smaller target is programmed first and its partner retargeted by its residual."""
    skip_in_tolerance: bool = True
    """Verify before pulsing and leave cells already in tolerance untouched. If False every cell
    gets at least one pulse (all relaxation clocks restart in this run)."""
    offload: Offload = "auto"
    """Use the chip's on-chip PROGRAM: "auto" when the policy is expressible by its registers,
    "always" (error if not expressible), "never"."""
    trace: bool = False
    """Record every pulse (step, cell, v, width_s, g_after_us) in the result."""
    adaptive: AdaptiveSettings = field(default_factory=AdaptiveSettings)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str):
            raise ValueError(f"policy field 'name' must be a string, got {self.name!r}")
        if self.algorithm not in ALGORITHMS:
            raise ValueError(
                f"policy field 'algorithm' must be one of {list(ALGORITHMS)}, got "
                f"{self.algorithm!r}"
            )
        if self.offload not in OFFLOAD_MODES:
            raise ValueError(
                f"policy field 'offload' must be one of {list(OFFLOAD_MODES)}, got {self.offload!r}"
            )
        self.set_ramp.validate("set_ramp")
        self.reset_ramp.validate("reset_ramp")
        self.adaptive.validate("adaptive")
        _check_int("pulses_per_ramp", self.pulses_per_ramp, minimum=1)
        _check_int("max_iterations", self.max_iterations, minimum=1)
        _check_int("verify_n_reads", self.verify_n_reads, minimum=1)
        _check_int("verify_n_discard", self.verify_n_discard, minimum=0)
        _check_int("relax_epochs", self.relax_epochs, minimum=0)
        _check_number("relax_delay_s", self.relax_delay_s, minimum=0.0, strict=False)
        aim = _check_number("aim_fraction", self.aim_fraction, minimum=0.0, strict=True)
        keep = _check_number("keep_fraction", self.keep_fraction, minimum=0.0, strict=True)
        if not aim <= keep <= 1.0:
            raise ValueError(
                "policy fields need aim_fraction <= keep_fraction <= 1, got "
                f"aim_fraction = {aim}, keep_fraction = {keep}"
            )
        for name in ("pair_aware", "skip_in_tolerance", "trace"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"policy field {name!r} must be true or false")
        given = [n for n in ("tolerance_us", "tolerance_pct") if getattr(self, n) is not None]
        if len(given) != 1:
            raise ValueError(
                "a policy needs exactly one of 'tolerance_us' and 'tolerance_pct', got "
                f"{given or 'neither'}"
            )
        _check_number(given[0], getattr(self, given[0]), minimum=0.0, strict=True)

    # --- conversions ------------------------------------------------------------------------

    def replace(self, **changes: Any) -> WritePolicy:
        """A validated copy with some fields changed."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready nested dict (None tolerances included, as null)."""
        return dataclasses.asdict(self)

    def to_json(self) -> str:
        """One-line JSON, e.g. for an HDF5 attribute."""
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> WritePolicy:
        """Inverse of `to_dict`; missing keys take the defaults, unknown keys raise ValueError.

        Setting one tolerance clears the other default, so ``{"tolerance_pct": 2.5}`` is valid.
        """
        if not isinstance(data, Mapping):
            raise ValueError(f"a policy must be a mapping, got {type(data).__name__}")
        _check_keys("", data, cls)
        values = dict(data)
        for name, parse in (("set_ramp", Ramp.from_dict), ("reset_ramp", Ramp.from_dict)):
            if name in values:
                values[name] = parse(name, values[name])
        if "adaptive" in values:
            values["adaptive"] = AdaptiveSettings.from_dict("adaptive", values["adaptive"])
        if "tolerance_pct" in values and "tolerance_us" not in values:
            values["tolerance_us"] = None
        return cls(**values)

    @classmethod
    def from_json(cls, text: str) -> WritePolicy:
        return cls.from_dict(json.loads(text))

    def tolerance_for(self, target_us: np.ndarray) -> np.ndarray:
        """Per-cell band half-width in uS for targets in uS (float64, the targets' shape)."""
        target = np.asarray(target_us, dtype=np.float64)
        if self.tolerance_us is not None:
            return np.full(target.shape, self.tolerance_us)
        return np.abs(target) * (self.tolerance_pct / 100.0)

    # --- the on-chip engine ---------------------------------------------------------------------

    def offload_blockers(self) -> list[str]:
        """Why the chip's PROGRAM registers cannot express this policy (empty: they can)."""
        reasons = []
        if self.algorithm != "fixed":
            reasons.append(f"the {self.algorithm!r} ramp runs on the host only")
        if self.trace:
            reasons.append("the on-chip PROGRAM returns no per-pulse trace")
        if not self.skip_in_tolerance:
            reasons.append("the on-chip PROGRAM always skips cells already in tolerance")
        if self.pulses_per_ramp > _MAX_PULSES_PER_RAMP_REGISTER:
            reasons.append(f"pulses_per_ramp > {_MAX_PULSES_PER_RAMP_REGISTER}")
        if self.max_iterations > _MAX_ITERATIONS_REGISTER:
            reasons.append(f"max_iterations > {_MAX_ITERATIONS_REGISTER}")
        if self.verify_n_reads > _MAX_VERIFY_READS_REGISTER:
            reasons.append(f"verify_n_reads > {_MAX_VERIFY_READS_REGISTER}")
        return reasons

    def to_ispp_policy(self) -> IsppPolicy:
        """The on-chip register settings of this policy.

        Raises:
            ValueError: if `offload_blockers()` is not empty.
        """
        blockers = self.offload_blockers()
        if blockers:
            raise ValueError(f"policy {self.name!r} cannot run on-chip: {'; '.join(blockers)}")
        return IsppPolicy(
            v_set_start_v=self.set_ramp.start_v,
            v_set_stop_v=self.set_ramp.stop_v,
            v_set_step_v=self.set_ramp.step_v,
            v_reset_start_v=self.reset_ramp.start_v,
            v_reset_stop_v=self.reset_ramp.stop_v,
            v_reset_step_v=self.reset_ramp.step_v,
            width_set_s=self.set_ramp.width_s,
            width_reset_s=self.reset_ramp.width_s,
            pulses_per_ramp=self.pulses_per_ramp,
            max_iterations=self.max_iterations,
            verify_n_reads=self.verify_n_reads,
            verify_n_discard=self.verify_n_discard,
        )


# --- shipped policies ---------------------------------------------------------------------------


def default_policy() -> WritePolicy:
    """The project's default write-verify (also ``data/policies/default.toml``).

    - Adaptive ramp from NeuRRAM's 1.2 V with at most +0.1 V per pulse (NeuRRAM's step), stopping
      at 2.0 V: thresholds are 1.3 +- 0.1 V (device_models.md section 6.1), so 2.0 V is 7 sigma of
      overdrive and anything higher only hurts a cell that is stuck anyway; 1 us pulses.
    - +-1 uS tolerance, but a pulsed cell is accepted only within +-0.5 uS (`aim_fraction`) and a
      verified one kept within +-0.7 uS (`keep_fraction`): the margin absorbs single-read verify
      noise (1 % of G) and the relaxation a finished cell accumulates while the batch runs
      (device_models.md section 6.3: sd ~0.1-0.4 uS over the first ~0.5 ms).
    - Single verify reads, no discards: the aim/keep margins cover single-read noise (1 % of G,
      device_models.md section 6.4), and averaged verifies cost time during which finished cells
      relax (2-read verifies did not improve benchmarks/bench_program.py).
    - Three immediate re-check epochs (no delay): re-verify all converged cells and re-program
      the few that relaxed out of the keep band; each pass is shorter, so less drift follows it.
    - Devices are verified independently (pair-aware verification is an opt-in: it lowers the
      weight error but moves a stuck device's partner off its own target).
    """
    ramp = Ramp(start_v=1.2, stop_v=2.0, step_v=0.1, width_s=1e-6)
    return WritePolicy(
        name="default",
        algorithm="adaptive",
        set_ramp=ramp,
        reset_ramp=ramp,
        pulses_per_ramp=20,
        max_iterations=10,
        tolerance_us=1.0,
        aim_fraction=0.5,
        keep_fraction=0.7,
        verify_n_reads=1,
        verify_n_discard=0,
        relax_epochs=3,
        relax_delay_s=0.0,
        pair_aware=False,
        skip_in_tolerance=True,
        offload="auto",
        trace=False,
    )


def neurram_policy() -> WritePolicy:
    """NeuRRAM's reference write-verify (also ``data/policies/neurram.toml``).

    weierwan/Neurram_48core ``program_array`` as used in its notebooks (device_models.md 3.1):
    ramps from 1.2 V in 0.1 V steps, 1 us pulses, 30 pulses per ramp, 20 polarity iterations,
    +-1 uS, verify by 8 reads with the first 3 discarded, one epoch.
    """
    return WritePolicy(
        name="neurram",
        algorithm="fixed",
        set_ramp=_NEURRAM_RAMP,
        reset_ramp=_NEURRAM_RAMP,
        pulses_per_ramp=30,
        max_iterations=20,
        tolerance_us=1.0,
        aim_fraction=1.0,
        keep_fraction=1.0,
        verify_n_reads=5,
        verify_n_discard=3,
        relax_epochs=0,
        relax_delay_s=0.0,
        pair_aware=False,
        skip_in_tolerance=True,
        offload="auto",
        trace=False,
    )


def load_policy(path: str | Path) -> WritePolicy:
    """A policy from a TOML file (keys as in `WritePolicy.to_dict`).

    Raises:
        ValueError: on unknown keys or invalid values, naming the file and the key.
    """
    path = Path(path)
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    try:
        return WritePolicy.from_dict(data)
    except (ValueError, TypeError) as error:
        raise ValueError(f"{path}: {error}") from error


def shipped_policy(name: str) -> WritePolicy:
    """A policy shipped in ``data/policies/<name>.toml``.

    Raises:
        ValueError: naming the available policies if there is no such file.
    """
    path = POLICY_DIR / f"{name}.toml"
    if not path.is_file():
        known = sorted(p.stem for p in POLICY_DIR.glob("*.toml"))
        raise ValueError(f"no shipped policy {name!r} in {POLICY_DIR}; known: {known}")
    return load_policy(path)


def policy_to_toml(policy: WritePolicy) -> str:
    """TOML text that `load_policy` reads back to an equal policy (None fields are left out)."""
    lines: list[str] = []
    tables: list[tuple[str, dict[str, Any]]] = []
    for key, value in policy.to_dict().items():
        if isinstance(value, dict):
            tables.append((key, value))
        elif value is not None:
            lines.append(f"{key} = {_toml_value(value)}")
    for table, values in tables:
        lines.append(f"\n[{table}]")
        lines.extend(f"{key} = {_toml_value(value)}" for key, value in values.items())
    return "\n".join(lines) + "\n"


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, float):
        return repr(value)
    return str(value)
