"""Every driver on the real pyvisa stack against its pyvisa-sim definition (tests/instruments/sims).

pyvisa-sim answers from static tables, so these check command syntax, value ranges the YAML
enforces, replies, the error queue, timeouts and unknown addresses; physics is the model bench's.
"""

from __future__ import annotations

import pytest
import pyvisa

from hil.errors import LimitError
from hil.instruments.connection import open_resource, resource_manager
from hil.instruments.errors import InstrumentError, InstrumentNotFound, InstrumentTimeout
from hil.instruments.limits import SourceLimits
from hil.instruments.pulse_generator import Keysight33500B
from hil.instruments.smu import Keithley2400, Keithley2450, KeysightB2900
from hil.instruments.switch_matrix import Keithley707B, Keithley708B

LIMITS = SourceLimits(v_max_v=40.0, i_compliance_max_a=1e-3)


def _open(manager: pyvisa.ResourceManager, address: str, timeout_ms: int = 500):
    return open_resource(manager, address, timeout_ms)


def test_keithley2400(sim_manager: pyvisa.ResourceManager) -> None:
    with Keithley2400(_open(sim_manager, "GPIB0::24::INSTR"), LIMITS) as smu:
        assert "MODEL 2400" in smu.identify()
        smu.configure()
        assert smu.force_and_measure(0.25, 2e-4) == pytest.approx(2e-6)
        assert smu.source_voltage_v == pytest.approx(0.25)
        assert smu.compliance_a == pytest.approx(2e-4)
        assert smu.output_enabled is False
        smu.pulse(1.5, 5e-3, 1e-3)
        assert smu.source_voltage_v == pytest.approx(1.5)
        assert float(smu.ask(":SOUR:DEL?")) == pytest.approx(5e-3)
        smu.output_enabled = True
    assert smu.output_enabled is False  # leaving the block turned it off


def test_keithley2450(sim_manager: pyvisa.ResourceManager) -> None:
    smu = Keithley2450(_open(sim_manager, "GPIB0::25::INSTR"), LIMITS)
    smu.configure()
    assert smu.force_and_measure(-0.2, 1e-4) == pytest.approx(-3.5e-7)
    assert smu.compliance_a == pytest.approx(1e-4)
    smu.pulse(-2.0, 2e-3, 1e-3)
    assert float(smu.ask(":SOUR:LIST:VOLT?")) == pytest.approx(-2.0)
    assert smu.ask(":SOUR:SWE:VOLT:LIST?") == "1, 2.000000E-03"
    smu.close()


def test_keysight_b2900_channel_2(sim_manager: pyvisa.ResourceManager) -> None:
    smu = KeysightB2900(_open(sim_manager, "GPIB0::23::INSTR"), LIMITS, channel=2)
    smu.configure()
    smu.pulse(1.7, 1e-4, 1e-3)
    assert float(smu.ask(":SOUR2:VOLT:TRIG?")) == pytest.approx(1.7)
    assert float(smu.ask(":SOUR2:PULS:WIDT?")) == pytest.approx(1e-4)
    assert smu.force_and_measure(0.1, 1e-4) == pytest.approx(1.2345e-5)
    smu.close()


def test_keithley707b(sim_manager: pyvisa.ResourceManager) -> None:
    with Keithley707B(_open(sim_manager, "GPIB0::18::INSTR")) as matrix:
        matrix.configure()
        assert matrix.closed == frozenset()
        matrix.connect(["1A01", "1B07"])
        assert matrix.closed == frozenset({"1A01", "1B07"})


def test_keithley708b(sim_manager: pyvisa.ResourceManager) -> None:
    with Keithley708B(_open(sim_manager, "GPIB0::19::INSTR")) as matrix:
        assert "Model 708B" in matrix.identify()
        matrix.configure()
        matrix.connect(["1H12", "1A01"])
        assert matrix.closed == frozenset({"1A01", "1H12"})
        with pytest.raises(LimitError, match="'2A01' is not a crosspoint"):
            matrix.connect(["2A01"])
        assert matrix.closed == frozenset({"1A01", "1H12"})


def test_keysight33500b(sim_manager: pyvisa.ResourceManager) -> None:
    pulser = Keysight33500B(_open(sim_manager, "GPIB0::10::INSTR"), LIMITS)
    pulser.ERROR_QUERY = "SYST:ERR?"
    pulser.configure()
    pulser.pulse(-2.2, 5e-8)
    assert pulser.ask("OUTP:POL?") == "INV"
    assert float(pulser.ask("VOLT:HIGH?")) == pytest.approx(2.2)
    assert float(pulser.ask("FUNC:PULS:WIDT?")) == pytest.approx(5e-8)
    assert pulser.output_enabled is False


def test_instrument_error_queue_raises_with_its_text(sim_manager: pyvisa.ResourceManager) -> None:
    # the 2401 itself refuses 30 V (within the bench limits), and says so in its error queue
    smu = Keithley2400(_open(sim_manager, "GPIB0::21::INSTR"), LIMITS)
    with pytest.raises(InstrumentError, match=r'GPIB0::21::INSTR reports -222,"Data out of range"'):
        smu.source_voltage_v = 30.0
    smu.send(":SOUR:VOLT:LEV 5")
    smu.check_errors()  # drained: a good command leaves the queue empty
    matrix = Keithley707B(_open(sim_manager, "GPIB0::17::INSTR"))
    with pytest.raises(InstrumentError, match="GPIB0::17::INSTR reports -285 TSP Syntax error"):
        matrix.configure()


def test_timeout_names_the_address(sim_manager: pyvisa.ResourceManager) -> None:
    smu = Keithley2400(_open(sim_manager, "GPIB0::21::INSTR", timeout_ms=50), LIMITS)
    with pytest.raises(
        InstrumentTimeout, match=r"GPIB0::21::INSTR did not answer ':READ\?' within 50"
    ):
        _ = smu.current_a  # this 2401 definition has no READ? reply


def test_unknown_resource_and_library(sim_manager: pyvisa.ResourceManager) -> None:
    with pytest.raises(InstrumentNotFound, match=r"no VISA resource GPIB0::9::INSTR .*GPIB0::24"):
        _open(sim_manager, "GPIB0::9::INSTR")
    with pytest.raises(InstrumentNotFound, match="cannot open the VISA library @nosuchlib"):
        resource_manager("@nosuchlib")


def test_a_limit_violation_sends_nothing(sim_manager: pyvisa.ResourceManager) -> None:
    resource = _open(sim_manager, "GPIB0::24::INSTR")
    smu = Keithley2400(resource, SourceLimits(v_max_v=2.0, i_compliance_max_a=1e-4))
    smu.source_voltage_v = 1.0
    with pytest.raises(LimitError):
        smu.source_voltage_v = 2.5
    with pytest.raises(LimitError):
        smu.pulse(1.0, 1e-3, compliance_a=1e-3)
    assert smu.source_voltage_v == pytest.approx(1.0)
    assert smu.compliance_a == pytest.approx(1.05e-4)  # the YAML default: never set
