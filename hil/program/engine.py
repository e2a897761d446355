"""Host-side write-verify on the `Chip` interface, vectorised over the whole request.

Every engine step pulses *all* unconverged cells in one `chip.pulse` call (per-cell signed volts:
> 0 SET, < 0 RESET; per-cell widths) and verifies them in one `chip.read` call, so the Python cost
per step is a handful of numpy operations whatever the array size.

Flow of `program` (each stage optional through the `WritePolicy`):

1. **Verify first.** One read of every requested cell; cells already within tolerance are done
   with zero pulses (`skip_in_tolerance`).
2. **Program** the others until they verify within ``aim_fraction x tolerance`` (the aim band,
   tighter than the tolerance: margin for verify-read noise and for the relaxation a finished
   cell accumulates while the rest of the batch runs) or give up: a ramp (a run of same-polarity
   pulses) that reaches `pulses_per_ramp` pulses without crossing its target, or a cell that used
   `max_iterations` polarity iterations. The polarity follows the sign of the error, as in
   NeuRRAM.
3. **Pair-aware verification** (`pair_aware`): for a differential pair (columns 2j, 2j+1 of a
   row, both requested) the device with the smaller target (the *anchor*) is programmed first;
   when it finishes, its partner joins the running batch retargeted to ``G_anchor + d`` (d the
   requested difference), so the pair's weight error is the partner's own programming error
   rather than the sum of two. If the partner then fails (stuck, or out of range) the anchor is
   retargeted to ``G_partner - d`` in a rescue batch.
4. **Relax-and-recheck epochs** (`relax_epochs`): wait `relax_delay_s` (`chip.advance_time` on a
   chip with virtual time, else the injectable `sleep`), re-verify every converged cell in one
   read, and re-program to the aim band the cells (pair-aware: the pairs) that left the keep band
   (``keep_fraction x tolerance`` for cells this run pulsed, the tolerance for the others: a
   hysteresis, so that a second run leaves an in-tolerance array alone). NeuRRAM repeats its
   array pass for the same reason (device_models.md section 3.1, ``num_epoch``); with
   ``relax_delay_s = 0`` an epoch is an immediate re-check of cells that finished early.

Ramp algorithms:

- ``"fixed"`` (NeuRRAM ``program_array``, and the chip's on-chip PROGRAM): each ramp starts at
  ``start_v`` and rises by ``step_v`` per pulse, capped at ``stop_v``.
- ``"adaptive"`` (the default): each cell keeps one amplitude per polarity, remembered across ramps
  and epochs of a `program` call, so a new ramp restarts at the amplitude that polarity last used
  on the cell (as corrected by the rule below) instead of at 1.2 V.
  After every pulse the amplitude for the next pulse is set from the observed move ``m`` and the
  remaining distance ``r`` to the target: in the pulse model step ~ exp(V / V_s) (DM6.2), so
  ``dV = v_per_efold_v * ln(move_fraction * r / max(m, min_move_us))``, clipped to
  [-max_down_v, +step_v]. A cell that did not move climbs by ``step_v`` per pulse, like ISPP; a
  cell that moves too fast (close to its target, or after an overshoot) gets smaller pulses. The
  ``move_fraction`` < 1 aims short of the target so cycle-to-cycle noise (+-60 % per step in
  DM6.2) rarely overshoots, and every overshoot lowers that polarity's amplitude for next time.

Sources: NeuRRAM write-verify (weierwan/Neurram_48core ``wupdate_control.py``; device_models.md
3.1), RADAR/ISPP statistics (device_models.md 3.2), Alibart et al. 2012's adaptive ramp with
polarity reset (device_models.md 3.3), bench_anchors.md section 11 items 3-4.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from firmware_interface.protocol import CellOutcome
from hil.chip import Chip, ChipCapabilities, Operation
from hil.errors import LimitError, UnsupportedOperation
from hil.mapping import MappedWeights, interleave
from hil.program.policy import WritePolicy, default_policy
from hil.program.result import TRACE_DTYPE, ProgrammingResult

ProgressFn = Callable[[int, int], None]
"""progress(done_cells, total_cells), called once per engine step and once at the end."""
SleepFn = Callable[[float], None]
"""sleep(seconds) on chips without virtual time."""

_SET, _RESET = 1, -1
_CONVERGED = np.uint8(CellOutcome.CONVERGED)
_NOT_CONVERGED = np.uint8(CellOutcome.NOT_CONVERGED)
_STUCK = np.uint8(CellOutcome.STUCK)
_EMPTY = np.zeros(0, dtype=np.intp)


def program(
    chip: Chip,
    rows: np.ndarray,
    cols: np.ndarray,
    target_us: np.ndarray | float,
    policy: WritePolicy | None = None,
    *,
    progress: ProgressFn | None = None,
    sleep: SleepFn = time.sleep,
) -> ProgrammingResult:
    """Write-verify cells (rows[i], cols[i]) to `target_us` under `policy`.

    Args:
        chip: Any Chip; its on-chip PROGRAM is used when the policy allows (`policy.offload`).
        rows: Row of each cell (broadcast with `cols`).
        cols: Device column of each cell; pairs are columns (2j, 2j + 1).
        target_us: Target conductance per cell in uS (broadcast to the cells).
        policy: The write-verify policy; `default_policy()` if None.
        progress: Optional progress(done_cells, total_cells) hook, once per step and at the end.
        sleep: Waits relax delays on chips without virtual time (injectable for tests).

    Returns:
        Per-cell results, flattened in request order.

    Raises:
        ValueError: on duplicate cells, non-finite or negative targets, or ``offload = "always"``
            with a policy the on-chip PROGRAM cannot express.
        LimitError: if the policy's ramps exceed the chip's limits (before any I/O).
        UnsupportedOperation: for ``offload = "always"`` on a chip without PROGRAM.
    """
    policy = default_policy() if policy is None else policy
    info = chip.info()
    r, c, t = np.broadcast_arrays(
        np.asarray(rows), np.asarray(cols), np.asarray(target_us, dtype=np.float64)
    )
    if not (np.issubdtype(r.dtype, np.integer) and np.issubdtype(c.dtype, np.integer)):
        raise TypeError(f"rows and columns must be integers, got {r.dtype} and {c.dtype}")
    r, c, target = r.ravel().astype(np.intp), c.ravel().astype(np.intp), t.ravel().copy()
    _validate_request(r, c, target, info)
    _check_policy_limits(policy, info)
    offloaded = _use_offload(policy, info)
    session = _Session(chip, info, r, c, target, policy, progress, sleep, offloaded)
    return session.run()


def program_block(
    chip: Chip,
    target_us: np.ndarray,
    row0: int = 0,
    col0: int = 0,
    policy: WritePolicy | None = None,
    *,
    progress: ProgressFn | None = None,
    sleep: SleepFn = time.sleep,
) -> ProgrammingResult:
    """Write-verify a rectangular block of targets (n_rows, n_cols) in uS placed at (row0, col0).

    NaN targets are left out (not programmed). See `program` for the rest.
    """
    target = np.asarray(target_us, dtype=np.float64)
    if target.ndim != 2:
        raise ValueError(f"target_us must be 2-D (rows, device columns), got {target.shape}")
    keep = ~np.isnan(target)
    rows, cols = np.nonzero(keep)
    return program(
        chip, rows + row0, cols + col0, target[keep], policy, progress=progress, sleep=sleep
    )


def program_weights(
    chip: Chip,
    mapped: MappedWeights,
    row0: int = 0,
    col0: int = 0,
    policy: WritePolicy | None = None,
    *,
    progress: ProgressFn | None = None,
    sleep: SleepFn = time.sleep,
) -> ProgrammingResult:
    """Write-verify a mapped weight matrix (`hil.mapping.map_weights`) as one block at (row0,
    col0): weight (i, j) on row row0 + i, G+ at column col0 + 2j and G- at col0 + 2j + 1.

    Raises:
        ValueError: if `col0` is odd (pairs must be columns 2j, 2j + 1), or as `program`.
    """
    if col0 % 2:
        raise ValueError(f"col0 must be even so that pairs are columns (2j, 2j + 1), got {col0}")
    targets = interleave(mapped.g_plus_us, mapped.g_minus_us)
    return program_block(chip, targets, row0, col0, policy, progress=progress, sleep=sleep)


# --- checks -------------------------------------------------------------------------------------


def _validate_request(
    rows: np.ndarray, cols: np.ndarray, target: np.ndarray, info: ChipCapabilities
) -> None:
    if rows.size == 0:
        raise ValueError("no cells selected")
    if not np.all(np.isfinite(target)) or np.any(target < 0):
        raise ValueError("targets must be finite, non-negative conductances in uS")
    if rows.min() < 0 or rows.max() >= info.rows or cols.min() < 0 or cols.max() >= info.cols:
        raise ValueError(f"cells outside the {info.rows} x {info.cols} array")
    keys = rows * info.cols + cols
    if np.unique(keys).size != keys.size:
        raise ValueError("the request names some cells more than once")


def _check_policy_limits(policy: WritePolicy, info: ChipCapabilities) -> None:
    """Refuse, before any I/O, a policy whose pulses the chip would refuse mid-run."""
    limits = info.limits
    if (
        policy.set_ramp.stop_v > limits.v_set_max_v
        or policy.reset_ramp.stop_v > limits.v_reset_max_v
    ):
        raise LimitError(
            f"policy {policy.name!r} ramps to {policy.set_ramp.stop_v} V SET / "
            f"{policy.reset_ramp.stop_v} V RESET, above the chip's limits "
            f"{limits.v_set_max_v} / {limits.v_reset_max_v} V"
        )
    for ramp in (policy.set_ramp, policy.reset_ramp):
        if not limits.width_min_s <= ramp.width_s <= limits.width_max_s:
            raise LimitError(
                f"policy {policy.name!r} pulse width {ramp.width_s:g} s is outside the chip's "
                f"[{limits.width_min_s:g}, {limits.width_max_s:g}] s"
            )


def _use_offload(policy: WritePolicy, info: ChipCapabilities) -> bool:
    if policy.offload == "never":
        return False
    has_program = info.supports(Operation.PROGRAM)
    blockers = policy.offload_blockers()
    if policy.offload == "always":
        if not has_program:
            raise UnsupportedOperation(
                f"policy {policy.name!r} says offload = 'always' but the {info.backend} chip has "
                "no on-chip PROGRAM"
            )
        if blockers:
            raise ValueError(
                f"policy {policy.name!r} says offload = 'always' but the on-chip PROGRAM cannot "
                f"express it: {'; '.join(blockers)}"
            )
        return True
    return has_program and not blockers


def _pairs(rows: np.ndarray, cols: np.ndarray, n_cols: int) -> np.ndarray:
    """Index of each cell's pair partner (same row, column 2j <-> 2j + 1) in the request, or -1."""
    keys = rows * n_cols + cols
    order = np.argsort(keys)
    partner_keys = rows * n_cols + (cols ^ 1)
    position = np.searchsorted(keys, partner_keys, sorter=order)
    position = np.minimum(position, keys.size - 1)
    found = keys[order[position]] == partner_keys
    return np.where(found & ((cols ^ 1) < n_cols), order[position], -1)


# --- the session --------------------------------------------------------------------------------


@dataclass
class _Batch:
    """Per-batch state of the host loop (arrays over the whole request, used on batch cells)."""

    polarity: np.ndarray
    ramp_pulses: np.ndarray
    ramps: np.ndarray
    g_ramp_start: np.ndarray
    touched: np.ndarray
    busy: np.ndarray
    fresh_tol: np.ndarray
    """Band that accepts a cell not yet pulsed in this batch (the skip band, or the aim band)."""


class _Session:
    """One `program` call: the request, per-cell state and the chip."""

    def __init__(
        self,
        chip: Chip,
        info: ChipCapabilities,
        rows: np.ndarray,
        cols: np.ndarray,
        target: np.ndarray,
        policy: WritePolicy,
        progress: ProgressFn | None,
        sleep: SleepFn,
        offloaded: bool,
    ):
        self.chip, self.info, self.policy = chip, info, policy
        self.rows, self.cols = rows, cols
        self.progress, self.sleep, self.offloaded = progress, sleep, offloaded
        n = rows.size
        self.n = n
        self.target = target.astype(np.float64)
        self.final_target = self.target.copy()
        self.tol = policy.tolerance_for(self.target)
        self.aim_tol = self.tol * policy.aim_fraction
        self.skip_tol = self.tol if policy.skip_in_tolerance else np.full(n, -1.0)
        # Retargeted pair devices stay within [lowest requested target, ADC full scale]: below
        # the request's floor (g_min for every mapping scheme) a RESET cannot go, above the ADC
        # range nothing can be verified.
        self.lo_us = float(self.target.min())
        self.hi_us = max(float(self.target.max()), info.limits.g_full_scale_us)
        self.partner = _pairs(rows, cols, info.cols)
        has_partner = self.partner >= 0
        partner_target = np.where(has_partner, self.target[np.maximum(self.partner, 0)], np.inf)
        # The anchor of a pair is the device with the smaller target (ties: the odd column, G-).
        self.is_anchor = has_partner & (
            (self.target < partner_target) | ((self.target == partner_target) & (cols % 2 == 1))
        )
        self.is_primary = has_partner & ~self.is_anchor
        self.mover = self.is_primary.copy()
        """Which device of a pair absorbs the other's residual (the primary unless rescued)."""
        self.g = np.zeros(n)
        self.pulses = np.zeros(n, dtype=np.int32)
        self.ramps_total = np.zeros(n, dtype=np.int32)
        self.outcome = np.full(n, _NOT_CONVERGED, dtype=np.uint8)
        self.amp_set = np.full(n, policy.set_ramp.start_v)
        self.amp_reset = np.full(n, policy.reset_ramp.start_v)
        self.amp_now = np.zeros(n)
        self.steps = 0
        self.trace_chunks: list[np.ndarray] = []
        self.v_step_v = info.limits.v_step_v

    # --- orchestration ------------------------------------------------------------------------

    def run(self) -> ProgrammingResult:
        start_wall = time.perf_counter()
        start_chip = self._chip_time()
        everything = np.arange(self.n)
        self.g[:] = self._read(everything)
        pair_aware = self.policy.pair_aware
        if pair_aware:
            self._batch(np.flatnonzero(~self.is_primary), np.flatnonzero(self.is_primary))
            self._rescue()
        else:
            self._batch(everything, _EMPTY)
        for _ in range(self.policy.relax_epochs):
            self._relax_epoch()
        self._report_progress(0, 0)
        stop_chip = self._chip_time()
        chip_time = None if start_chip is None or stop_chip is None else stop_chip - start_chip
        iterations = (self.ramps_total + 1) // 2
        return ProgrammingResult(
            rows=self.rows,
            cols=self.cols,
            target_us=self.target,
            final_target_us=self.final_target,
            tolerance_us=self.tol,
            g_us=self.g.copy(),
            pulses=self.pulses,
            iterations=iterations,
            outcome=self.outcome,
            success=self._success(),
            partner=self.partner,
            policy=self.policy,
            offloaded=self.offloaded,
            steps=self.steps,
            wall_time_s=time.perf_counter() - start_wall,
            chip_time_s=chip_time,
            trace=self._trace(),
        )

    def _success(self) -> np.ndarray:
        """Devices in tolerance at their last verify; pair-aware: pairs within the pair band."""
        success = (self.outcome == _CONVERGED) & (
            np.abs(self.g - self.final_target) <= self.tol + 1e-12
        )
        if not self.policy.pair_aware:
            return success
        paired = np.flatnonzero(self.partner >= 0)
        other = self.partner[paired]
        error = (self.g[paired] - self.g[other]) - (self.target[paired] - self.target[other])
        band = np.maximum(self.tol[paired], self.tol[other])
        success[paired] = np.abs(error) <= band + 1e-12
        return success

    def _rescue(self) -> None:
        """Retarget anchors whose partner failed to `G_partner - d`, then program them."""
        failed = np.flatnonzero(self.is_primary & (self.outcome != _CONVERGED))
        anchors = self.partner[failed]
        ok = self.outcome[anchors] == _CONVERGED
        failed, anchors = failed[ok], anchors[ok]
        new_target = self.g[failed] - (self.target[failed] - self.target[anchors])
        feasible = (new_target >= self.lo_us) & (new_target <= self.hi_us)
        failed, anchors, new_target = failed[feasible], anchors[feasible], new_target[feasible]
        if not anchors.size:
            return
        self.mover[failed] = False
        self.mover[anchors] = True
        self.final_target[anchors] = new_target
        self.g[anchors] = self._read(anchors)
        self._batch(anchors, _EMPTY)

    def _relax_epoch(self) -> None:
        """Wait, re-verify converged cells, re-program those (or their pairs) out of the band."""
        delay_s = self.policy.relax_delay_s
        if delay_s > 0:
            if self.info.virtual_time:
                self.chip.advance_time(delay_s)
            else:
                self.sleep(delay_s)
        converged = self.outcome == _CONVERGED
        if self.policy.pair_aware:  # a converged mover is judged with its partner, read too
            movers = np.flatnonzero(self.mover & converged)
            converged[self.partner[movers]] = True
        candidates = np.flatnonzero(converged)
        if not candidates.size:
            return
        self.g[candidates] = self._read(candidates)
        # Hysteresis: cells this run pulsed are kept within the keep band, others within tolerance.
        keep_tol = np.where(self.pulses > 0, self.tol * self.policy.keep_fraction, self.tol)
        out = np.abs(self.g - self.final_target) > keep_tol
        reopen = candidates[out[candidates]]
        if self.policy.pair_aware:
            movers = np.flatnonzero(self.mover & (self.outcome == _CONVERGED))
            others = self.partner[movers]
            error = (self.g[movers] - self.g[others]) - (self.target[movers] - self.target[others])
            bad = movers[np.abs(error) > keep_tol[movers]]  # the mover's band: it is re-programmed
            self.final_target[bad] = np.clip(
                self.g[self.partner[bad]] + (self.target[bad] - self.target[self.partner[bad]]),
                self.lo_us,
                self.hi_us,
            )
            unpaired = reopen[self.partner[reopen] < 0]
            reopen = np.union1d(unpaired, bad)
        if reopen.size:
            self._batch(reopen, _EMPTY, skip=False)

    # --- batches ------------------------------------------------------------------------------

    def _batch(self, start: np.ndarray, hold: np.ndarray, *, skip: bool = True) -> None:
        """Program `start` (fresh verify reads in self.g); `hold` cells join when their partner
        finishes, retargeted by the partner's residual. Cells not yet pulsed are accepted within
        the skip band if `skip`, else only within the aim band (re-opened cells)."""
        fresh_tol = self.skip_tol if skip else self.aim_tol
        if self.offloaded:
            self._batch_on_chip(start, hold, fresh_tol)
        else:
            self._batch_host(start, hold, fresh_tol)

    def _release(self, cells: np.ndarray) -> None:
        """Retarget movers to their partner's verified conductance plus the requested difference."""
        other = self.partner[cells]
        self.final_target[cells] = np.clip(
            self.g[other] + (self.target[cells] - self.target[other]), self.lo_us, self.hi_us
        )

    def _batch_on_chip(self, start: np.ndarray, hold: np.ndarray, fresh_tol: np.ndarray) -> None:
        policy = self.policy.to_ispp_policy()
        for cells in (start, hold):
            if not cells.size:
                continue
            if cells is hold:
                self._release(cells)
            error = np.abs(self.g[cells] - self.final_target[cells])
            skip = error <= fresh_tol[cells]
            self.outcome[cells[skip]] = _CONVERGED
            send = cells[~skip]
            if send.size:
                out = self.chip.program(
                    self.rows[send],
                    self.cols[send],
                    self.final_target[send],
                    self.aim_tol[send],
                    policy,
                )
                self.g[send] = out.g_us
                self.pulses[send] += out.pulses.astype(np.int32)
                self.outcome[send] = out.outcome
                self.ramps_total[send] += 2 * out.iterations.astype(
                    np.int32
                )  # ramps, as on the host
                self.steps += 1
                self._report_progress(0, hold.size if cells is start else 0)

    def _batch_host(self, start: np.ndarray, hold: np.ndarray, fresh_tol: np.ndarray) -> None:
        n = self.n
        state = _Batch(
            polarity=np.zeros(n, dtype=np.int8),
            ramp_pulses=np.zeros(n, dtype=np.int32),
            ramps=np.zeros(n, dtype=np.int32),
            g_ramp_start=np.zeros(n),
            touched=np.zeros(n, dtype=bool),
            busy=np.zeros(n, dtype=bool),
            fresh_tol=fresh_tol,
        )
        state.busy[start] = True
        state.busy[hold] = True
        active, held = self._evaluate(start, state), hold
        while True:
            released, held = self._released(held, state)
            if released.size:
                self._release(released)
                active = np.concatenate([active, self._evaluate(released, state)])
            if not active.size:
                if held.size:  # anchors outside this batch: release the rest now
                    state.busy[self.partner[held]] = False
                    continue
                return
            g_before = self.g[active]
            self._pulse(active, state)
            g_after = self._read(active)
            self.g[active] = g_after
            if self.policy.trace:
                self.trace_chunks[-1]["g_after_us"] = g_after
            self._update_amplitudes(active, state, g_before, g_after)
            self.steps += 1
            self._report_progress(int(active.size), int(held.size))
            active = self._evaluate(active, state)

    def _released(self, held: np.ndarray, state: _Batch) -> tuple[np.ndarray, np.ndarray]:
        if not held.size:
            return _EMPTY, held
        free = ~state.busy[self.partner[held]]
        return held[free], held[~free]

    def _evaluate(self, cells: np.ndarray, state: _Batch) -> np.ndarray:
        """Classify cells after a verify: converged, given up, or continuing (returned).

        Also starts a new ramp for cells whose error changed sign (or that have not pulsed yet).
        """
        if not cells.size:
            return cells
        policy = self.policy
        error = self.g[cells] - self.final_target[cells]
        band = np.where(state.touched[cells], self.aim_tol[cells], state.fresh_tol[cells])
        inside = np.abs(error) <= band
        want = np.where(error < 0, _SET, _RESET).astype(np.int8)
        polarity = state.polarity[cells]
        same = want == polarity
        exhausted = ~inside & same & (state.ramp_pulses[cells] >= policy.pulses_per_ramp)
        moved = np.abs(self.g[cells] - state.g_ramp_start[cells]) >= self.tol[cells]
        new_ramp = ~inside & ~exhausted & ~same
        state.ramps[cells[new_ramp]] += 1
        self.ramps_total[cells[new_ramp]] += 1
        out_of_ramps = new_ramp & (state.ramps[cells] > 2 * policy.max_iterations)
        self.ramps_total[cells[out_of_ramps]] -= 1  # refused: it applies no pulse
        self.outcome[cells[inside]] = _CONVERGED
        self.outcome[cells[exhausted & ~moved]] = _STUCK
        self.outcome[cells[(exhausted & moved) | out_of_ramps]] = _NOT_CONVERGED
        keep = ~inside & ~exhausted & ~out_of_ramps
        state.busy[cells[~keep]] = False
        starting = cells[new_ramp & keep]
        if starting.size:
            pol = want[new_ramp & keep]
            state.polarity[starting] = pol
            state.ramp_pulses[starting] = 0
            state.g_ramp_start[starting] = self.g[starting]
            if policy.algorithm == "fixed":
                start_v = np.where(pol == _SET, policy.set_ramp.start_v, policy.reset_ramp.start_v)
            else:
                start_v = np.where(pol == _SET, self.amp_set[starting], self.amp_reset[starting])
            self.amp_now[starting] = start_v
        return cells[keep]

    def _pulse(self, cells: np.ndarray, state: _Batch) -> None:
        """One pulse on every cell of `cells`, in one chip call."""
        policy = self.policy
        is_set = state.polarity[cells] == _SET
        amplitude = np.round(self.amp_now[cells] / self.v_step_v) * self.v_step_v
        v = np.where(is_set, amplitude, -amplitude)
        width = np.where(is_set, policy.set_ramp.width_s, policy.reset_ramp.width_s)
        self.chip.pulse(self.rows[cells], self.cols[cells], v, width)
        self.pulses[cells] += 1
        state.ramp_pulses[cells] += 1
        state.touched[cells] = True
        if policy.trace:
            chunk = np.empty(cells.size, dtype=TRACE_DTYPE)
            chunk["step"] = self.steps
            chunk["cell"] = cells
            chunk["v"] = v
            chunk["width_s"] = width
            self.trace_chunks.append(chunk)

    def _update_amplitudes(
        self, cells: np.ndarray, state: _Batch, g_before: np.ndarray, g_after: np.ndarray
    ) -> None:
        """Amplitude of each cell's next pulse (see the module docstring for the rule)."""
        policy = self.policy
        polarity = state.polarity[cells].astype(np.float64)
        is_set = polarity > 0
        ramp_step = np.where(is_set, policy.set_ramp.step_v, policy.reset_ramp.step_v)
        stop = np.where(is_set, policy.set_ramp.stop_v, policy.reset_ramp.stop_v)
        amplitude = self.amp_now[cells]
        if policy.algorithm == "fixed":
            self.amp_now[cells] = np.minimum(amplitude + ramp_step, stop)
            return
        knobs = policy.adaptive
        target = self.final_target[cells]
        distance_before = (target - g_before) * polarity
        remaining = (target - g_after) * polarity
        moved = np.maximum((g_after - g_before) * polarity, knobs.min_move_us)
        overshoot = remaining < -self.aim_tol[cells]
        # The move we want from the next pulse of this polarity: a fraction of what is left, or,
        # after an overshoot, of what the last pulse should have done.
        wanted = knobs.move_fraction * np.where(
            overshoot, distance_before, np.maximum(remaining, self.aim_tol[cells])
        )
        wanted = np.maximum(wanted, knobs.min_move_us)
        change = knobs.v_per_efold_v * np.log(wanted / moved)
        change = np.clip(change, -knobs.max_down_v, ramp_step)
        change = np.where(overshoot, np.minimum(change, 0.0), change)
        start = np.where(is_set, policy.set_ramp.start_v, policy.reset_ramp.start_v)
        floor = np.maximum(0.5 * start, self.v_step_v)
        new_amplitude = np.clip(amplitude + change, floor, stop)
        self.amp_now[cells] = new_amplitude
        self.amp_set[cells] = np.where(is_set, new_amplitude, self.amp_set[cells])
        self.amp_reset[cells] = np.where(is_set, self.amp_reset[cells], new_amplitude)

    # --- chip helpers -------------------------------------------------------------------------

    def _read(self, cells: np.ndarray) -> np.ndarray:
        """One verify read of `cells` (policy averaging), in one chip call."""
        policy = self.policy
        g = self.chip.read(
            self.rows[cells],
            self.cols[cells],
            n_reads=policy.verify_n_reads,
            n_discard=policy.verify_n_discard,
        )
        return np.asarray(g, dtype=np.float64)

    def _chip_time(self) -> float | None:
        if not self.info.virtual_time:
            return None
        return float(self.chip.time_s())

    def _report_progress(self, active: int, held: int) -> None:
        if self.progress is not None:
            self.progress(self.n - active - held, self.n)

    def _trace(self) -> np.ndarray | None:
        if not self.policy.trace:
            return None
        if not self.trace_chunks:
            return np.zeros(0, dtype=TRACE_DTYPE)
        return np.concatenate(self.trace_chunks)
