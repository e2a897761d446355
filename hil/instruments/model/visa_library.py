"""`ModelVisaLibrary`: a pyvisa backend whose resources are the simulated bench instruments.

pyvisa finds third-party backends by importing a top-level module `pyvisa_<name>` for
`ResourceManager("@name")`; this project adds no top-level packages, so the library is created
here and passed to `pyvisa.ResourceManager` as an instance (pyvisa accepts a `VisaLibraryBase`
in place of the specification string). Everything above it, from `ResourceManager` and
`MessageBasedResource` to the drivers, is the real pyvisa stack.
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from typing import Any

import pyvisa
from pyvisa import constants, highlevel, rname
from pyvisa.errors import VisaIOError
from pyvisa.util import LibraryPath

from hil.instruments.bench import BenchConfig
from hil.instruments.model.crossbar import ModelCrossbar
from hil.instruments.model.instruments import SimInstrument, SimMatrix, SimPulser, SimSmu
from hil.instruments.smu import Keithley2400, Keithley2450, KeysightB2900, Smu
from hil.instruments.switch_matrix import Keithley707B, Keithley708B

SMUS: dict[str, type[Smu]] = {
    "keithley2400": Keithley2400,
    "keithley2450": Keithley2450,
    "keysight_b2900": KeysightB2900,
}
MATRICES: dict[str, type[Keithley707B]] = {
    "keithley707b": Keithley707B,
    "keithley708b": Keithley708B,
}
_ATTRIBUTE_DEFAULTS: dict[Any, Any] = {
    constants.ResourceAttribute.timeout_value: 2000,
    constants.ResourceAttribute.termchar: ord("\n"),
    constants.ResourceAttribute.termchar_enabled: False,
    constants.ResourceAttribute.send_end_enabled: True,
    constants.ResourceAttribute.suppress_end_enabled: False,
}


@dataclass
class ModelBench:
    """The crossbar and the simulated instruments of one bench, by VISA address."""

    crossbar: ModelCrossbar
    instruments: dict[str, SimInstrument] = field(default_factory=dict)

    @classmethod
    def build(cls, config: BenchConfig) -> ModelBench:
        crossbar = ModelCrossbar(config)
        bench = cls(crossbar)
        entries = [("smu", config.smu), ("bias", config.bias)]
        for role, entry in entries:
            if entry is None:
                continue
            smu = SimSmu(SMUS[entry.driver], entry.address, entry.channel, crossbar)
            bench._wire(role, config, smu)
        matrix = config.matrix
        bench._add(SimMatrix(MATRICES[matrix.driver], matrix.address, crossbar))
        if config.pulser is not None:
            bench._wire("pulser", config, SimPulser(config.pulser.address, crossbar))
        return bench

    def _wire(self, role: str, config: BenchConfig, instrument: SimSmu | SimPulser) -> None:
        self._add(instrument)
        bus = config.buses.get(role)
        if bus is not None:
            instrument.bus = bus
            self.crossbar.bus_voltage[bus] = instrument.voltage

    def find(self, address: str) -> SimInstrument | None:
        """The instrument at `address`, matched in pyvisa's canonical form (USB0::...::0::INSTR)."""
        try:
            wanted = _canonical(address)
        except rname.InvalidResourceName:
            raise VisaIOError(constants.StatusCode.error_invalid_resource_name) from None
        for known, instrument in self.instruments.items():
            if _canonical(known) == wanted:
                return instrument
        return None

    def _add(self, instrument: SimInstrument) -> None:
        if instrument.address in self.instruments:
            raise ValueError(
                f"the model bench needs one address per instrument; {instrument.address} "
                "is used twice"
            )
        self.instruments[instrument.address] = instrument


@dataclass
class _Session:
    instrument: SimInstrument
    attributes: dict[Any, Any]


class ModelVisaLibrary(highlevel.VisaLibraryBase):
    """A VISA library with one message-based INSTR resource per simulated instrument."""

    bench: ModelBench
    sessions: dict[int, _Session | ModelVisaLibrary]

    @staticmethod
    def get_library_paths() -> tuple[LibraryPath, ...]:
        return (LibraryPath("hil-model"),)

    @staticmethod
    def get_debug_info() -> dict[str, str]:
        return {"backend": "hil device model"}

    def _init(self) -> None:
        self.sessions = {}
        self._handles = itertools.count(1000)

    def open_default_resource_manager(self) -> tuple[int, constants.StatusCode]:
        handle = next(self._handles)
        self.sessions[handle] = self
        return handle, constants.StatusCode.success

    def list_resources(self, session: int, query: str = "?*::INSTR") -> tuple[str, ...]:
        found = rname.filter(tuple(self.bench.instruments), query)
        if not found:
            raise VisaIOError(constants.StatusCode.error_resource_not_found)
        return tuple(found)

    def open(
        self,
        session: int,
        resource_name: str,
        access_mode: constants.AccessModes = constants.AccessModes.no_lock,
        open_timeout: int = constants.VI_TMO_IMMEDIATE,
    ) -> tuple[int, constants.StatusCode]:
        instrument = self.bench.find(resource_name)
        if instrument is None:
            raise VisaIOError(constants.StatusCode.error_resource_not_found)
        handle = next(self._handles)
        attributes = dict(_ATTRIBUTE_DEFAULTS)
        attributes[constants.ResourceAttribute.resource_name] = resource_name
        attributes[constants.ResourceAttribute.resource_class] = "INSTR"
        self.sessions[handle] = _Session(instrument, attributes)
        return handle, constants.StatusCode.success

    def close(self, session: int) -> constants.StatusCode:
        owner = self.sessions.pop(session, None)
        if owner is None:
            return constants.StatusCode.error_invalid_object
        if owner is self:  # the resource manager: forget this library instance
            type(self)._registry.pop((type(self), self.library_path), None)
        return constants.StatusCode.success

    def write(self, session: int, data: bytes) -> tuple[int, constants.StatusCode]:
        target = self._session(session)
        for line in data.decode("ascii").splitlines():
            if line.strip():
                target.instrument.handle(line.strip())
        return len(data), constants.StatusCode.success

    def read(self, session: int, count: int) -> tuple[bytes, constants.StatusCode]:
        target = self._session(session)
        if not target.instrument.replies:
            # In process, an empty output buffer never fills: that is a timeout, at once.
            raise VisaIOError(constants.StatusCode.error_timeout)
        reply = (target.instrument.replies.popleft() + "\n").encode("ascii")
        return reply, constants.StatusCode.success_termination_character_read

    def get_attribute(self, session: int, attribute: Any) -> tuple[Any, constants.StatusCode]:
        owner = self.sessions.get(session)
        if isinstance(owner, _Session) and attribute in owner.attributes:
            return owner.attributes[attribute], constants.StatusCode.success
        return 0, constants.StatusCode.error_nonsupported_attribute

    def set_attribute(self, session: int, attribute: Any, state: Any) -> constants.StatusCode:
        owner = self.sessions.get(session)
        if isinstance(owner, _Session):
            owner.attributes[attribute] = state
        return constants.StatusCode.success

    def clear(self, session: int) -> constants.StatusCode:
        target = self._session(session)
        target.instrument.replies.clear()
        return constants.StatusCode.success

    def disable_event(self, session: int, event_type: Any, mechanism: Any) -> None:
        return None

    def discard_events(self, session: int, event_type: Any, mechanism: Any) -> None:
        return None

    def _session(self, session: int) -> _Session:
        target = self.sessions.get(session)
        if not isinstance(target, _Session):
            raise VisaIOError(constants.StatusCode.error_invalid_object)
        return target


def _canonical(address: str) -> str:
    return str(rname.parse_resource_name(address)).upper()


def model_resource_manager(config: BenchConfig) -> pyvisa.ResourceManager:
    """A resource manager whose resources simulate the bench `config` describes."""
    library = ModelVisaLibrary(f"hil-model-{uuid.uuid4().hex}")  # a fresh bench every time
    library.bench = ModelBench.build(config)
    return pyvisa.ResourceManager(library)


def model_bench(manager: pyvisa.ResourceManager) -> ModelBench:
    """The simulated bench behind a resource manager from `model_resource_manager` (tests)."""
    library = manager.visalib
    if not isinstance(library, ModelVisaLibrary):
        raise TypeError("not a model resource manager")
    return library.bench
