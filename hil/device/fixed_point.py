"""The fixed-point device model of the RTL chip, in Python: the bit-exact twin the RTL must match.

Everything is integer arithmetic on the wire's units, so that SystemVerilog can compute the same
bits (shared/reference/device_models.md section 6.5):

- conductance: u16 codes of 0.01 uS (the protocol's CONDUCTANCE unit), one per cell;
- amplitudes: the 10 mV DAC steps of the reference chip (AMPLITUDE codes / 10);
- time: u64 microseconds (the protocol's TIME unit);
- noise: one xorshift32 generator (Marsaglia 2003) stepped only on events, never per clock:
  each Gaussian is the Irwin-Hall sum of the four bytes of one step, centred (sd 147.8 counts).
  Cells are visited in ascending index order within an event, as the RTL's single
  read-modify-write port visits them, so one sequence of draws serves both.

`FixedPointArray` has one method per chip operation: `read`, `pulse`, `program` (the on-chip
write-verify engine, rtl/program_engine.sv), `mvm` (rtl/mvm_unit.sv), `advance`
(rtl/relax_walker.sv), `inject_stuck` / `clear_faults`; `LineNoise` is the FAULT_INJECT
LINE_NOISE on received bytes (rtl/line_noise.sv). The look-up tables are computed here from
`DeviceParams` (the float model's parameters) and generated into rtl/device_pkg.sv
(`python -m hil.device.fixed_point [--check]`); `tests/device/test_fixed_point.py` checks the
twin against the float model statistically (pulse-count distribution of the write-verify, for
`ispp_program` on the twin and for the engine's own `program`; relaxation sd against time).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from statistics import NormalDist

import numpy as np

from firmware_interface.protocol import REFERENCE_CHIP, CellOutcome, Register
from hil.device.params import DeviceParams

G_LSB_US = 0.01
"""Conductance code LSB (firmware_interface spec, units.conductance)."""
DAC_STEP_V = 0.01
"""DAC step of the reference chip (spec reference_chip.dac_step = 10 mV)."""
V_BASE_V = 1.0
"""Per-cell thresholds are stored as DAC steps above this voltage (6 bits: 1.00-1.63 V)."""
IRWIN_HALL_SD = float(np.sqrt(4 * (256**2 - 1) / 12))
"""sd of the sum of four uniform bytes: 147.8 counts."""
EXPM1_STEPS = 256
"""Overdrive LUT entries: overdrive in DAC steps 0..255."""
Q = 16
"""Fraction bits of the fixed-point factors (Q16)."""
LOG_BUCKETS = 4 * 48
"""Relaxation clock LUT: L(t) at the quarter-octave points t = 2^e (1 + f/4) us, index 4e + f
(1 us .. 2^48 us = 9 years)."""


def xorshift32(state: int) -> int:
    """One step of Marsaglia's xorshift32 (13, 17, 5); state must be non-zero."""
    state ^= (state << 13) & 0xFFFFFFFF
    state ^= state >> 17
    state ^= (state << 5) & 0xFFFFFFFF
    return state


def xorshift32_sequence(state: int, count: int) -> tuple[np.ndarray, int]:
    """The next `count` xorshift32 values (int64 array) and the final state (plain-int loop:
    the sequence is inherently serial)."""
    out = [0] * count
    for i in range(count):
        state ^= (state << 13) & 0xFFFFFFFF
        state ^= state >> 17
        state ^= (state << 5) & 0xFFFFFFFF
        out[i] = state
    return np.array(out, dtype=np.int64), state


def irwin_hall(values: np.ndarray) -> np.ndarray:
    """Centred sum of the four bytes of each xorshift32 value (sd IRWIN_HALL_SD counts)."""
    v = np.asarray(values, dtype=np.int64)
    return (v & 0xFF) + ((v >> 8) & 0xFF) + ((v >> 16) & 0xFF) + ((v >> 24) & 0xFF) - 510


def gaussians(state: int, count: int) -> tuple[np.ndarray, int]:
    """`count` approximately standard-normal draws (Irwin-Hall of 4 bytes, as integers in counts)
    and the next state. Returns centred integer sums; divide by IRWIN_HALL_SD for N(0, 1)."""
    values, state = xorshift32_sequence(state, count)
    return irwin_hall(values), state


@dataclass(frozen=True)
class FixedLuts:
    """Every table the RTL device model uses, derived from the float model's parameters."""

    expm1_q: np.ndarray
    """(e^(d * DAC_STEP_V / V_s) - 1) in Q16, d = overdrive in DAC steps."""
    step_set_q: int
    step_reset_q: int
    """alpha_set / alpha_reset in Q16."""
    c2c_q: int
    """sigma_c2c in Q16."""
    write_noise_codes: int
    """sd of the additive write noise in conductance codes, Q16 (per unit of IRWIN_HALL_SD)."""
    read_sd0_q: int
    read_rel_q: int
    """Read noise: sd = read_sd0 + read_rel * G, both in codes (Q16)."""
    log_time_q: np.ndarray
    """L(t) = ln(1 + t / tau) in Q16 at the quarter-octave points (see log_time_index)."""
    drift_a_q: np.ndarray
    diffusion_q: np.ndarray
    iv_q: np.ndarray
    """MVM I-V LUT: effective drive (I = G * drive) at 0..500 mV in Q8 mV, the float model's
    `iv_drive_v` (sinh law of shared/reference/device_models.md 6.4 when iv_nonlinear)."""
    """a(G) and sqrt(k(G)) in codes per unit L (Q16), on 64 bins of G_prog (1 uS each)."""

    @classmethod
    def from_params(cls, p: DeviceParams) -> FixedLuts:
        d = np.arange(EXPM1_STEPS)
        expm1 = np.expm1(np.minimum(d * DAC_STEP_V / p.v_scale_v, 20.0))
        k = np.arange(LOG_BUCKETS)
        t_us = 2.0 ** (k // 4) * (1 + (k % 4) / 4)
        bins_us = np.arange(64) + 0.5
        grid = np.asarray(p.relax_g_grid_us) * (p.g_max_us / 40.0)
        return cls(
            expm1_q=np.round(expm1 * 2**Q).astype(np.int64),
            step_set_q=round(p.alpha_set * 2**Q),
            step_reset_q=round(p.alpha_reset * 2**Q),
            c2c_q=round(p.sigma_c2c * 2**Q),
            write_noise_codes=round(p.sigma_write_g * p.g_max_us / G_LSB_US * 2**Q),
            read_sd0_q=round(p.read_noise_us / G_LSB_US * 2**Q),
            read_rel_q=round(p.read_noise_rel * 2**Q),
            log_time_q=np.round(np.log1p(t_us * 1e-6 / p.relax_tau_s) * 2**Q).astype(np.int64),
            iv_q=np.round(iv_drive_mv(np.arange(IV_POINTS), p) * 2**IV_Q).astype(np.int64),
            drift_a_q=np.round(np.interp(bins_us, grid, p.relax_a_us) / G_LSB_US * 2**Q).astype(
                np.int64
            ),
            diffusion_q=np.round(
                np.sqrt(np.interp(bins_us, grid, p.relax_k_us2)) / G_LSB_US * 2**Q
            ).astype(np.int64),
        )


IV_POINTS = 501
"""I-V LUT entries: 0..500 mV, the READ_V register's range (spec: READ_V max 500)."""
IV_Q = 8
"""Fraction bits of the I-V LUT (Q8 mV)."""
MVM_INPUT_STEPS = 2 ** (REFERENCE_CHIP.mvm_input_bits - 1) - 1
"""Signed input DAC: 127 steps per polarity over +-READ_V (spec reference_chip.mvm_input_bits)."""
MVM_ADC_STEPS = 2 ** (REFERENCE_CHIP.mvm_adc_bits - 1) - 1
"""Signed current ADC: 511 steps per polarity (spec reference_chip.mvm_adc_bits)..."""
MVM_FULL_SCALE_NA = REFERENCE_CHIP.mvm_full_scale
"""... over +-200 uA (spec reference_chip.mvm_full_scale, current codes of 1 nA)."""


def iv_drive_mv(v_mv: np.ndarray, p: DeviceParams) -> np.ndarray:
    """Effective drive in mV for a cell voltage in mV: V itself, or V_r sinh(b V) / sinh(b V_r)
    (hil.device.array.iv_drive_v in float64; device_models.md 6.4)."""
    v = np.asarray(v_mv, dtype=np.float64)
    if not p.iv_nonlinear:
        return v
    b, v_r = p.iv_b_per_v, p.v_read_v
    return 1000 * v_r * np.sinh(b * v / 1000) / np.sinh(b * v_r)


def round_div(num: np.ndarray, den: int) -> np.ndarray:
    """num / den rounded half away from zero (den > 0), as the RTL's integer divisions."""
    num = np.asarray(num, dtype=np.int64)
    return np.sign(num) * ((2 * np.abs(num) + den) // (2 * den))


LINE_NOISE_SEED = 0x2545F491
"""Seed of the line-noise generator (rtl/line_noise.sv); any non-zero constant, kept apart from
NOISE_SEED so a noisy line never changes the device's draws (as hil/backends/protocol_chip.py)."""
LINE_NOISE_FULL_SCALE = 1_000_000
"""LINE_NOISE VALUE meaning "every byte" (spec: probability VALUE / 1e6)."""


@dataclass
class LineNoise:
    """FAULT_INJECT LINE_NOISE on the chip's received bytes (rtl/line_noise.sv), bit-exact:
    while ppm != 0, every received byte takes two xorshift32 steps (s1, s2); it is corrupted if
    s1 < ppm * 2^32 // 1e6, by flipping bit s2 & 7."""

    ppm: int = 0
    state: int = LINE_NOISE_SEED

    def corrupt(self, data: bytes) -> bytes:
        if not self.ppm:
            return data
        threshold = (self.ppm << 32) // LINE_NOISE_FULL_SCALE
        out = bytearray(data)
        for i, byte in enumerate(out):
            s1 = xorshift32(self.state)
            self.state = xorshift32(s1)
            if s1 < threshold:
                out[i] = byte ^ (1 << (self.state & 7))
        return bytes(out)


NOISE_RECIP = 443
"""round(2^16 / 148): scales an Irwin-Hall sum (sd ~148 counts) to unit sd; see scale_noise."""
TEMP_MIN_K = 250
"""Lowest temperature of the Arrhenius LUT (K); temperatures are clamped into the LUT."""
TEMP_STEPS = 256
"""Arrhenius LUT entries: 1 K steps, 250 .. 505 K (the float model's bake range, 358 K, inside)."""
ARRHENIUS_Q = 16
DT_EFF_MAX_US = 2**48
"""An ADVANCE_TIME's effective (Arrhenius-scaled) duration saturates here: the end of the L(t)
LUT (9 years), beyond which L no longer changes."""


def scale_noise(sd_q: np.ndarray | int, z: np.ndarray) -> np.ndarray:
    """sd (Q16 codes) x N(0, 1) in codes: (sd * z * 443) >> 32, an arithmetic (floor) shift as
    SystemVerilog's >>> on signed values. int64 suffices: |sd * z * 443| < 2^45 here."""
    return (np.asarray(sd_q, dtype=np.int64) * z * NOISE_RECIP) >> 32


def isqrt_array(values: np.ndarray) -> np.ndarray:
    """floor(sqrt(v)) exactly, elementwise, for 0 <= v < 2^52 (the RTL's isqrt function)."""
    v = np.asarray(values, dtype=np.int64)
    root = np.floor(np.sqrt(v.astype(np.float64))).astype(np.int64)
    root -= (root * root > v).astype(np.int64)
    root += ((root + 1) * (root + 1) <= v).astype(np.int64)
    return root


def log_time_index(dt_us: np.ndarray) -> np.ndarray:
    """Quarter-octave bucket of a time in us: 4 * floor(log2 t) + the two bits below the
    leading one (0 for t < 1 us). L(t) is read from log_time_q at this index (no interpolation:
    at most ln(1.25) = 0.22 below the exact L)."""
    dt = np.asarray(dt_us, dtype=np.int64)
    index = np.zeros(dt.shape, dtype=np.int64)
    positive = dt >= 1
    exponent = np.zeros(dt.shape, dtype=np.int64)
    exponent[positive] = np.floor(np.log2(dt[positive])).astype(np.int64)
    # exact leading-one position (float log2 can be off by one near powers of two)
    exponent[positive] -= (np.left_shift(1, exponent[positive]) > dt[positive]).astype(np.int64)
    fraction = np.where(exponent >= 2, (dt >> np.maximum(exponent - 2, 0)) & 3, 0)
    fraction = np.where(exponent == 1, (dt & 1) << 1, fraction)
    index[positive] = 4 * exponent[positive] + fraction[positive]
    return np.minimum(index, 4 * 48 - 1)


def arrhenius_q(params: DeviceParams, temperature_k: np.ndarray) -> np.ndarray:
    """Time acceleration at each temperature (1 K steps from TEMP_MIN_K), Q16, capped at 2^40."""
    from hil.device.array import arrhenius_factor

    factors = [arrhenius_factor(params, float(t)) for t in np.atleast_1d(temperature_k)]
    return np.minimum(np.round(np.array(factors) * 2**ARRHENIUS_Q), 2**40).astype(np.int64)


MULT_LEVELS = 8
"""Per-cell multipliers are one of 8 levels: the lognormal's octiles (midpoint quantiles)."""


def lognormal_levels(mu: float, sigma: float) -> np.ndarray:
    """The 8 midpoint quantiles of LogNormal(mu, sigma), Q16."""
    quantiles = (np.arange(MULT_LEVELS) + 0.5) / MULT_LEVELS
    z = np.array([NormalDist().inv_cdf(q) for q in quantiles])  # stdlib: no scipy import cost
    return np.round(np.exp(mu + sigma * z) * 2**Q).astype(np.int64)


@dataclass(frozen=True)
class ProgramOutcome:
    """Per-entry results of `FixedPointArray.program`, in batch order (the PROGRAM response)."""

    g: np.ndarray
    """Last verify read, conductance codes."""
    pulses: np.ndarray
    """Pulses applied (saturating at 65535)."""
    outcome: np.ndarray
    """CellOutcome codes."""
    iterations: np.ndarray
    """Polarity iterations: ramps that applied a pulse / 2, rounded up (spec ProgramResult)."""


class FixedPointArray:
    """rows x cols cells in the RTL's integer representation, stepping one xorshift32 per draw.

    State per cell: g (u16 codes), g_prog (u16), t_write (u64 us of effective time), g_max (u16),
    two thresholds (6-bit DAC steps above 1 V), step and relaxation multiplier levels (3 bits
    each), stuck flag. Seeded from NOISE_SEED (non-zero); reset draws the static parameters cell
    by cell: four steps per cell (g_max, V_set, V_reset Gaussians; one word for the levels and
    the stuck draw).
    """

    def __init__(self, rows: int, cols: int, params: DeviceParams | None = None, seed: int = 1):
        if seed == 0:
            raise ValueError("the xorshift32 seed must be non-zero")
        self.rows, self.cols = rows, cols
        self.params = p = params or DeviceParams()
        self.luts = FixedLuts.from_params(p)
        self.state = seed & 0xFFFFFFFF
        n = rows * cols
        self.g_min = round(p.g_min_us / G_LSB_US)
        steps, self.state = xorshift32_sequence(self.state, 4 * n)
        steps = steps.reshape(n, 4)
        z, raw = irwin_hall(steps[:, :3].T), steps[:, 3]
        g_max_nominal = round(p.g_max_us / G_LSB_US)
        sigma_q = round(p.g_max_sigma * 2**Q)
        g_max = g_max_nominal + scale_noise(g_max_nominal * sigma_q, z[0])  # 1 + sigma z: linear
        self.g_max = np.clip(g_max, self.g_min + 1, 0xFFFF)
        centre_set = round((p.v_set_threshold_v - V_BASE_V) / DAC_STEP_V)
        centre_reset = round((p.v_reset_threshold_v - V_BASE_V) / DAC_STEP_V)
        spread = round(p.v_threshold_sigma_v / DAC_STEP_V * 2**Q)
        self.v_set = np.clip(centre_set + scale_noise(spread, z[1]), 0, 63)
        self.v_reset = np.clip(centre_reset + scale_noise(spread, z[2]), 0, 63)
        self.step_level = raw & 7
        self.relax_level = (raw >> 3) & 7
        self.stuck = (raw >> 16) & 0xFFFF < round(p.p_stuck * 65536)
        at_min = ((raw >> 6) & 0xFF) < round(p.p_stuck_at_g_min * 256)
        random_g = self.g_min + ((raw >> 8) & 0xFF) * (self.g_max - self.g_min) // 256
        self.stuck_g = np.where(at_min, self.g_min, random_g)
        self.step_mult_q = lognormal_levels(0.0, p.step_sigma)
        self.relax_sqrt_q = isqrt_array(
            lognormal_levels(-(p.relax_sigma**2) / 2, p.relax_sigma) << Q
        )  # sqrt of the variance multiplier, Q16
        self.injected = np.zeros(n, dtype=bool)
        """FAULT_INJECT STUCK_CELL: pinned at injected_g until `clear_faults`."""
        self.injected_g = np.zeros(n, dtype=np.int64)
        self.g = np.full(n, self.g_min, dtype=np.int64)
        self.g_prog = self.g.copy()
        self.t_write = np.zeros(n, dtype=np.int64)
        self.now_us = 0
        self.temperature_k = round(p.t_ref_k)

    # --- events -------------------------------------------------------------------------------

    def _draws(self, count: int) -> np.ndarray:
        values, self.state = gaussians(self.state, count)
        return values

    def pulse(self, cells: np.ndarray, amplitude_steps: np.ndarray, set_: np.ndarray,
              width_codes: np.ndarray) -> None:  # fmt: skip
        """One pulse per cell (ascending order): two draws per addressed cell."""
        cells = np.asarray(cells)
        z = self._draws(2 * cells.size).reshape(cells.size, 2)
        luts = self.luts
        threshold = np.where(set_, self.v_set[cells], self.v_reset[cells])
        overdrive = np.asarray(amplitude_steps) - (threshold + round(V_BASE_V / DAC_STEP_V))
        moves = (overdrive > 0) & ~self.stuck[cells] & ~self.injected[cells]
        g = self.g[cells]
        window = np.where(set_, self.g_max[cells] - g, g - self.g_min)
        alpha = np.where(set_, luts.step_set_q, luts.step_reset_q)
        saturate = 2 ** (Q + 1)
        drive = np.minimum((alpha * self.step_mult_q[self.step_level[cells]]) >> Q, saturate)
        expm1 = luts.expm1_q[np.clip(overdrive, 0, EXPM1_STEPS - 1)]
        drive = np.minimum((drive * expm1) >> Q, saturate)
        width_q = isqrt_array((np.asarray(width_codes, dtype=np.int64) << (2 * Q)) // 100)
        drive = np.minimum((drive * width_q) >> Q, saturate)
        noise = np.maximum((1 << Q) + scale_noise(luts.c2c_q << Q, z[:, 0]), 0)
        drive = np.minimum((drive * noise) >> Q, saturate)
        delta = (np.maximum(window, 0) * drive) >> Q
        write_noise = scale_noise(luts.write_noise_codes, z[:, 1])
        new_g = g + np.where(set_, delta, -delta) + write_noise
        new_g = np.clip(new_g, self.g_min, self.g_max[cells])
        self.g[cells] = np.where(moves, new_g, g)
        self.g_prog[cells] = np.where(moves, self.g[cells], self.g_prog[cells])
        self.t_write[cells] = np.where(moves, self.now_us, self.t_write[cells])

    def inject_stuck(self, cell: int, g: int) -> None:
        """FAULT_INJECT STUCK_CELL: the cell reads `g` (codes) and ignores pulses until cleared."""
        self.injected[cell], self.injected_g[cell] = True, g

    def clear_faults(self) -> None:
        """FAULT_INJECT CLEAR: injected stuck cells behave as before (no draws)."""
        self.injected[:] = False
        self.injected_g[:] = 0

    def _samples(self, cells: np.ndarray, z: np.ndarray) -> np.ndarray:
        """Noisy reads of `cells` (codes, before the ADC), one per draw in z (..., cells)."""
        g = np.where(self.stuck[cells], self.stuck_g[cells], self.g[cells])
        g = np.where(self.injected[cells], self.injected_g[cells], g)
        sd_q = self.luts.read_sd0_q + (self.luts.read_rel_q * g)
        return np.maximum(g + scale_noise(sd_q, z), 0)

    def mvm(self, row: int, col: int, n_pairs: int, inputs_mv: np.ndarray, read_v_mv: int
            ) -> np.ndarray:  # fmt: skip
        """Column-pair currents in nA codes (rtl/mvm_unit.sv): input i drives row `row + i`.

        Inputs (mV) go through the signed DAC (MVM_INPUT_STEPS over +-READ_V, saturating) and the
        I-V LUT; every device of the block takes one read draw (row-major, ascending cells);
        sum_i drive_i (G+ - G-) is digitised by the signed ADC (MVM_ADC_STEPS over +-200 uA).
        """
        v = np.asarray(inputs_mv, dtype=np.int64)
        q = np.sign(v) * np.minimum(round_div(np.abs(v) * MVM_INPUT_STEPS, read_v_mv),
                                    MVM_INPUT_STEPS)  # fmt: skip
        v_q = round_div(q * read_v_mv, MVM_INPUT_STEPS)
        drive = np.sign(v_q) * self.luts.iv_q[np.abs(v_q)]
        rows = row + np.arange(v.size)
        cells = (rows[:, None] * self.cols + col + np.arange(2 * n_pairs)[None, :]).ravel()
        noisy = self._samples(cells, self._draws(cells.size)).reshape(v.size, n_pairs, 2)
        acc = (drive[:, None] * (noisy[..., 0] - noisy[..., 1])).sum(axis=0)
        # acc is in Q8 mV x 0.01 uS = nA / 25600
        code = np.clip(round_div(acc * MVM_ADC_STEPS, 25600 * MVM_FULL_SCALE_NA),
                       -MVM_ADC_STEPS, MVM_ADC_STEPS)  # fmt: skip
        return round_div(code * MVM_FULL_SCALE_NA, MVM_ADC_STEPS)

    def read(self, cells: np.ndarray, n_reads: int = 1) -> np.ndarray:
        """Averaged noisy reads through the ADC, in codes: n draws per cell, read-major."""
        cells = np.asarray(cells)
        z = self._draws(n_reads * cells.size).reshape(n_reads, cells.size)
        average = self._samples(cells, z).sum(axis=0) // n_reads
        adc = np.minimum((average * 4095 + 2500) // 5000, 4095)
        return (adc * 5000 + 2047) // 4095

    def program(self, cells: np.ndarray, target: np.ndarray, tolerance: np.ndarray,
                registers: Mapping[int, int]) -> ProgramOutcome:  # fmt: skip
        """The on-chip write-verify engine (rtl/program_engine.sv) on a PROGRAM batch.

        `ispp_program` (hil/device/write_verify.py) in the engine's order: an initial verify of
        every entry, then passes over the active entries in batch order; per entry and pass a
        decision on its last verify read, one pulse (two draws) and at once its verify
        (n_discard then n_reads draws of that cell). Amplitudes are applied in whole DAC steps
        (register code // 10). `registers` maps register addresses to CONFIG values; targets
        and tolerances are conductance codes.
        """
        reg = {int(k): int(v) for k, v in registers.items()}
        start = {True: reg[Register.SET_V_START], False: reg[Register.RESET_V_START]}
        step = {True: reg[Register.SET_V_STEP], False: reg[Register.RESET_V_STEP]}
        stop = {True: reg[Register.SET_V_STOP], False: reg[Register.RESET_V_STOP]}
        width = {True: reg[Register.SET_WIDTH], False: reg[Register.RESET_WIDTH]}
        ppr, max_ramps = reg[Register.PULSES_PER_RAMP], 2 * reg[Register.MAX_ITERATIONS]
        n_reads, n_discard = reg[Register.VERIFY_N_READS], reg[Register.VERIFY_N_DISCARD]
        cells = [int(c) for c in cells]
        n = len(cells)
        g, pulses = [0] * n, [0] * n
        outcome = [int(CellOutcome.NOT_CONVERGED)] * n
        ramp: list[bool | None] = [None] * n  # True: SET ramp, False: RESET ramp
        ramp_pulses, ramps, g_start, amplitude = [0] * n, [0] * n, [0] * n, [0] * n

        def verify(k: int) -> None:
            if n_discard:
                self.read(np.array([cells[k]]), n_discard)
            g[k] = int(self.read(np.array([cells[k]]), n_reads)[0])

        for k in range(n):
            verify(k)
        active = list(range(n))
        while active:
            still = []
            for k in active:
                error = g[k] - int(target[k])
                if abs(error) <= int(tolerance[k]):
                    outcome[k] = CellOutcome.CONVERGED
                    continue
                want = error < 0
                if want == ramp[k] and ramp_pulses[k] >= ppr:
                    if abs(g[k] - g_start[k]) < int(tolerance[k]):
                        outcome[k] = CellOutcome.STUCK
                    continue
                if want != ramp[k]:
                    ramps[k] += 1
                    ramp[k], ramp_pulses[k], g_start[k] = want, 0, g[k]
                    amplitude[k] = start[want]
                if ramps[k] > max_ramps:
                    continue
                self.pulse(np.array([cells[k]]), np.array([amplitude[k] // 10]),
                           np.array([want]), np.array([width[want]]))  # fmt: skip
                pulses[k] = min(pulses[k] + 1, 0xFFFF)
                ramp_pulses[k] += 1
                amplitude[k] = min(amplitude[k] + step[want], stop[want])
                verify(k)
                still.append(k)
            active = still
        pulsed_ramps = np.minimum(ramps, max_ramps)  # the ramp refused past the limit: no pulse
        return ProgramOutcome(
            np.array(g), np.array(pulses), np.array(outcome), (pulsed_ramps + 1) // 2
        )

    def advance(self, dt_us: int, temperature_k: int | None = None) -> None:
        """Relax every cell over dt_us at temperature_k (one draw per cell, ascending)."""
        if temperature_k is not None:
            self.temperature_k = min(
                max(int(temperature_k), TEMP_MIN_K), TEMP_MIN_K + TEMP_STEPS - 1
            )
        factor = arrhenius_q(self.params, np.array([self.temperature_k]))[0]
        dt_eff = min((int(dt_us) * int(factor)) >> ARRHENIUS_Q, DT_EFF_MAX_US)
        z = self._draws(self.g.size)
        old_dt = self.now_us - self.t_write
        l_old = self.luts.log_time_q[log_time_index(old_dt)] * (old_dt >= 1)
        new_dt = old_dt + dt_eff
        l_new = self.luts.log_time_q[log_time_index(new_dt)] * (new_dt >= 1)
        delta_l = np.maximum(l_new - l_old, 0)
        g_bin = np.minimum(self.g_prog // 100, 63)
        mean = (self.luts.drift_a_q[g_bin] * delta_l) >> (2 * Q)
        sd_q = (self.luts.diffusion_q[g_bin] * self.relax_sqrt_q[self.relax_level]) >> Q
        sd_q = (sd_q * isqrt_array(delta_l << Q)) >> Q
        self.g = np.clip(self.g + mean + scale_noise(sd_q, z), 0, 0xFFFF)
        self.now_us += dt_eff


# --- the RTL's copy of the constants ---------------------------------------------------------

DEVICE_PKG_SV = Path(__file__).resolve().parents[2] / "rtl" / "device_pkg.sv"
SV_BEGIN = "  // BEGIN GENERATED DEVICE CONSTANTS (python -m hil.device.fixed_point)\n"
SV_END = "  // END GENERATED DEVICE CONSTANTS\n"


def sv_constants() -> str:
    """The SV localparams of the twin's constants (FixedLuts.from_params(DeviceParams()) and the
    static-parameter draws of FixedPointArray.__init__): the marked block of rtl/device_pkg.sv."""
    p = DeviceParams()
    luts = FixedLuts.from_params(p)
    scalars = {
        "StepSetQ": luts.step_set_q,
        "StepResetQ": luts.step_reset_q,
        "C2cQ": luts.c2c_q,
        "WriteNoiseCodes": luts.write_noise_codes,
        "ReadSd0Q": luts.read_sd0_q,
        "ReadRelQ": luts.read_rel_q,
        "GMin": round(p.g_min_us / G_LSB_US),
        "GMaxNominal": round(p.g_max_us / G_LSB_US),
        "GMaxSigmaQ": round(p.g_max_sigma * 2**Q),
        "CentreSet": round((p.v_set_threshold_v - V_BASE_V) / DAC_STEP_V),
        "CentreReset": round((p.v_reset_threshold_v - V_BASE_V) / DAC_STEP_V),
        "ThresholdSpreadQ": round(p.v_threshold_sigma_v / DAC_STEP_V * 2**Q),
        "PStuck16": round(p.p_stuck * 65536),
        "PStuckAtMin8": round(p.p_stuck_at_g_min * 256),
        "VBaseSteps": round(V_BASE_V / DAC_STEP_V),
    }
    scalars |= {
        "TRefK": round(p.t_ref_k),
        "TempMinK": TEMP_MIN_K,
        "DtEffMax": DT_EFF_MAX_US,
        "LineNoiseSeed": LINE_NOISE_SEED,
        "LineNoiseFullScale": LINE_NOISE_FULL_SCALE,
    }
    relax_sqrt = isqrt_array(lognormal_levels(-(p.relax_sigma**2) / 2, p.relax_sigma) << Q)
    tables = {
        "StepMultQ": lognormal_levels(0.0, p.step_sigma),
        "Expm1Q": luts.expm1_q,
        "LogTimeQ": luts.log_time_q,
        "DriftAQ": luts.drift_a_q,
        "DiffusionQ": luts.diffusion_q,
        "IvQ": luts.iv_q,
        "RelaxSqrtQ": relax_sqrt,
        "ArrheniusQ": arrhenius_q(p, TEMP_MIN_K + np.arange(TEMP_STEPS)),
    }
    lines = [SV_BEGIN]
    for name, value in scalars.items():
        lines.append(f"  localparam longint {name} = {_sv_int(value)};\n")
    for name, table in tables.items():
        values = [_sv_int(v) for v in table]
        lines.append(f"  localparam longint {name} [{len(values)}] = '{{\n")
        for i in range(0, len(values), 6):
            tail = "," if i + 6 < len(values) else ""
            lines.append("    " + ", ".join(values[i : i + 6]) + tail + "\n")
        lines.append("  };\n")
    lines.append(SV_END)
    return "".join(lines)


def _sv_int(value: int) -> str:
    """A signed 64-bit SystemVerilog literal."""
    value = int(value)
    return f"64'sd{value}" if value >= 0 else f"-64'sd{-value}"


def generated_block(text: str) -> str:
    """The generated block inside `text` (the contents of rtl/device_pkg.sv)."""
    match = re.search(re.escape(SV_BEGIN) + ".*?" + re.escape(SV_END), text, re.S)
    if match is None:
        raise ValueError("no generated device-constants block in rtl/device_pkg.sv")
    return match.group(0)


def main(argv: list[str] | None = None) -> int:
    """Rewrite (or with --check, verify) the constants block of rtl/device_pkg.sv."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    text = DEVICE_PKG_SV.read_text(encoding="utf-8")
    current, wanted = generated_block(text), sv_constants()
    if "--check" in args:
        if current != wanted:
            print(f"stale: {DEVICE_PKG_SV} (run python -m hil.device.fixed_point)", file=sys.stderr)
            return 1
        return 0
    DEVICE_PKG_SV.write_text(text.replace(current, wanted), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
