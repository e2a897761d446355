"""The simulated ReRAM device: parameters and presets, the cell-array model, write-verify."""

from hil.device.array import CellArray, arrhenius_factor, iv_drive_v
from hil.device.params import DeviceParams, cmo_optimistic, levy_tech_c, preset
from hil.device.write_verify import IsppPolicy, IsppResult, ispp_program

__all__ = [
    "CellArray",
    "DeviceParams",
    "IsppPolicy",
    "IsppResult",
    "arrhenius_factor",
    "cmo_optimistic",
    "ispp_program",
    "iv_drive_v",
    "levy_tech_c",
    "preset",
]
