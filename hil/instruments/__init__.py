"""Bench instruments over pyvisa: SCPI drivers, the bench file, characterisation, a model bench.

    from hil.instruments import Station, load_bench
    with Station.open(load_bench("data/benches/model_4x8.toml")) as station:
        i_a = station.read_current_a(0, 0, 0.2)

See hil/instruments/README.md.
"""

from hil.instruments.bench import BenchConfig, BenchLimits, load_bench
from hil.instruments.errors import (
    BenchConfigError,
    InstrumentError,
    InstrumentNotFound,
    InstrumentTimeout,
)
from hil.instruments.limits import Ratings, SourceLimits
from hil.instruments.pulse_generator import Keysight33500B
from hil.instruments.smu import Keithley2400, Keithley2450, KeysightB2900, Smu
from hil.instruments.station import DRIVERS, Station
from hil.instruments.switch_matrix import Keithley707B, Keithley708B

__all__ = [
    "DRIVERS",
    "BenchConfig",
    "BenchConfigError",
    "BenchLimits",
    "InstrumentError",
    "InstrumentNotFound",
    "InstrumentTimeout",
    "Keithley707B",
    "Keithley708B",
    "Keithley2400",
    "Keithley2450",
    "Keysight33500B",
    "KeysightB2900",
    "Ratings",
    "Smu",
    "SourceLimits",
    "Station",
    "load_bench",
]
