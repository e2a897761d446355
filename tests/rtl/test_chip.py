"""chip_top end to end over the UART against the fixed-point twin (cocotb bench
tests/rtl/cocotb_chip.py on tests/rtl/hdl/tb_chip.sv), plus a check that the device constants
generated into rtl/cmd_exec.sv still match `FixedLuts.from_params(DeviceParams())`."""

from __future__ import annotations

import re
from pathlib import Path

from hil.rtl import rtl_sources, run_cocotb

HDL_DIR = Path(__file__).resolve().parent / "hdl"
CMD_EXEC = Path(__file__).resolve().parents[2] / "rtl" / "cmd_exec.sv"
CHIP = ["byte_ram", "uart_rx", "uart_tx", "frame_rx", "frame_tx", "lfsr", "regfile",
        "cell_array", "cmd_exec", "chip_top"]  # fmt: skip
BEGIN = "  // BEGIN GENERATED DEVICE CONSTANTS (tests/rtl/test_chip.py: device_constants_sv)\n"
END = "  // END GENERATED DEVICE CONSTANTS\n"


def device_constants_sv() -> str:
    """The SV localparams of the twin's constants (FixedLuts.from_params(DeviceParams()) and the
    static-parameter draws of FixedPointArray.__init__). Belongs in hil/device/fixed_point.py
    with a --check like the protocol package generator."""
    from hil.device.fixed_point import (
        DAC_STEP_V,
        G_LSB_US,
        V_BASE_V,
        FixedLuts,
        Q,
        lognormal_levels,
    )
    from hil.device.params import DeviceParams

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
    lines = [BEGIN]
    for name, value in scalars.items():
        lines.append(f"  localparam longint {name} = 64'sd{int(value)};\n")
    step = lognormal_levels(0.0, p.step_sigma)
    lines.append("  localparam longint StepMultQ [8] = '{\n")
    lines.append("    " + ", ".join(f"64'sd{int(v)}" for v in step) + "\n  };\n")
    lines.append(f"  localparam longint Expm1Q [{len(luts.expm1_q)}] = '{{\n")
    values = [f"64'sd{int(v)}" for v in luts.expm1_q]
    for i in range(0, len(values), 6):
        tail = "," if i + 6 < len(values) else ""
        lines.append("    " + ", ".join(values[i : i + 6]) + tail + "\n")
    lines.append("  };\n")
    lines.append(END)
    return "".join(lines)


def generated_block(text: str) -> str:
    match = re.search(re.escape(BEGIN) + ".*?" + re.escape(END), text, re.S)
    assert match, "no generated block in rtl/cmd_exec.sv"
    return match.group(0)


def test_device_constants_are_current() -> None:
    assert generated_block(CMD_EXEC.read_text()) == device_constants_sv()


def test_chip(tmp_path) -> None:
    run_cocotb(
        toplevel="tb_chip",
        sources=[*rtl_sources(*CHIP), HDL_DIR / "tb_byte_src.sv", HDL_DIR / "tb_chip.sv"],
        test_module="tests.rtl.cocotb_chip",
        test_dir=tmp_path,
        parameters={"CLKS_PER_BIT": 8},
        extra_env={"CLKS_PER_BIT": "8"},
    )
