"""Exact-command tests: the SCPI/TSP strings each driver method sends, in order."""

from __future__ import annotations

import pytest

from hil.errors import LimitError
from hil.instruments.errors import InstrumentError
from hil.instruments.limits import SourceLimits
from hil.instruments.pulse_generator import Keysight33500B
from hil.instruments.smu import Keithley2400, Keithley2450, KeysightB2900
from hil.instruments.switch_matrix import Keithley707B, Keithley708B
from tests.instruments.protocol import expected_protocol

LIMITS = SourceLimits(v_max_v=3.0, i_compliance_max_a=1e-3)
OK = '0,"No error"'


def test_keithley2400_configure_read_and_pulse() -> None:
    script = [
        ("*RST", None),
        (":SOUR:FUNC VOLT", None),
        (":SOUR:VOLT:MODE FIX", None),
        (':SENS:FUNC "CURR"', None),
        (":FORM:ELEM CURR", None),
        (":OUTP OFF", None),
        (":SYST:ERR?", OK),
        # force_and_measure(0.2, 1e-4)
        (":SENS:CURR:PROT 0.0001", None),
        (":SYST:ERR?", OK),
        (":SOUR:VOLT:LEV 0.2", None),
        (":SYST:ERR?", OK),
        (":OUTP ON", None),
        (":SYST:ERR?", OK),
        (":READ?", "+8.000000E-06"),
        (":OUTP OFF", None),
        (":SYST:ERR?", OK),
        # pulse(-1.5, 2e-3, 1e-3)
        (":SENS:CURR:PROT 0.001", None),
        (":SYST:ERR?", OK),
        (":SOUR:DEL 0.002", None),
        (":SYST:ERR?", OK),
        (":SOUR:VOLT:LEV -1.5", None),
        (":SYST:ERR?", OK),
        (":SOUR:CLE:AUTO ON", None),
        (":INIT", None),
        ("*OPC?", "1"),
        (":SOUR:CLE:AUTO OFF", None),
        (":SYST:ERR?", OK),
        # leaving the with block
        (":OUTP OFF", None),
    ]
    with expected_protocol(script) as transport, Keithley2400(transport, LIMITS) as smu:
        smu.configure()
        assert smu.force_and_measure(0.2, 1e-4) == pytest.approx(8e-6)
        smu.pulse(-1.5, 2e-3, 1e-3)


def test_keithley2450_commands() -> None:
    script = [
        (":SOUR:VOLT:ILIM 5e-05", None),
        (":SYST:ERR?", OK),
        (":SOUR:VOLT -0.1", None),
        (":SYST:ERR?", OK),
        (":OUTP ON", None),
        (":SYST:ERR?", OK),
        (":MEAS:CURR?", "-3.5E-07"),
        (":OUTP OFF", None),
        (":SYST:ERR?", OK),
        (":SOUR:VOLT:ILIM 0.001", None),
        (":SYST:ERR?", OK),
        (":SOUR:SWE:VOLT:LIST 1, 0.001", None),
        (":SYST:ERR?", OK),
        (":SOUR:LIST:VOLT 2", None),
        (":SYST:ERR?", OK),
        (":INIT", None),
        ("*OPC?", "1"),
        (":OUTP OFF", None),
        (":SYST:ERR?", OK),
    ]
    with expected_protocol(script) as transport:
        smu = Keithley2450(transport, LIMITS)
        assert smu.force_and_measure(-0.1, 5e-5) == pytest.approx(-3.5e-7)
        smu.pulse(2.0, 1e-3, 1e-3)


def test_keysight_b2900_uses_its_channel() -> None:
    script = [
        ("*RST", None),
        (":SOUR2:FUNC:MODE VOLT", None),
        (':SENS2:FUNC "CURR"', None),
        (":FORM:ELEM:SENS CURR", None),
        (":OUTP2 OFF", None),
        (":SYST:ERR?", '+0,"No error"'),
        (":SENS2:CURR:PROT 0.001", None),
        (":SYST:ERR?", OK),
        (":SOUR2:PULS:WIDT 5e-05", None),
        (":SYST:ERR?", OK),
        (":SOUR2:VOLT:TRIG 1.8", None),
        (":SYST:ERR?", OK),
        (":SOUR2:VOLT 0", None),
        (":SOUR2:FUNC:SHAP PULS", None),
        (":SOUR2:PULS:DEL 0", None),
        (":TRIG2:COUN 1", None),
        (":OUTP2 ON", None),
        (":INIT (@2)", None),
        ("*OPC?", "1"),
        (":OUTP2 OFF", None),
        (":SOUR2:FUNC:SHAP DC", None),
        (":SYST:ERR?", OK),
        (":MEAS:CURR? (@2)", "+1.0E-06"),
    ]
    with expected_protocol(script) as transport:
        smu = KeysightB2900(transport, LIMITS, channel=2)
        smu.configure()
        smu.pulse(1.8, 50e-6, 1e-3)
        assert smu.current_a == pytest.approx(1e-6)


def test_limits_refuse_before_anything_is_sent() -> None:
    with expected_protocol([]) as transport:
        smu = Keithley2400(transport, LIMITS)
        with pytest.raises(LimitError, match=r"source_voltage_v = 3.5 is outside \[-3, 3\]"):
            smu.source_voltage_v = 3.5
        with pytest.raises(LimitError, match="compliance_a"):
            smu.compliance_a = 2e-3  # above the bench's 1 mA
        with pytest.raises(LimitError, match="exceeds"):
            smu.pulse(-3.2, 1e-3, 1e-4)
        with pytest.raises(LimitError, match="pulse width 1e-06 s is outside"):
            smu.pulse(1.0, 1e-6, 1e-4)  # the 2400 makes millisecond pulses only
        with pytest.raises(LimitError, match="is outside"):
            smu.source_voltage_v = float("nan")
        pulser = Keysight33500B(transport, LIMITS)
        with pytest.raises(LimitError, match="exceeds"):
            pulser.pulse(4.0, 1e-7)
        with pytest.raises(LimitError, match="outside"):
            pulser.pulse(1.0, 1e-9)
        matrix = Keithley708B(transport)
        with pytest.raises(LimitError, match="'2A01' is not a crosspoint"):
            matrix.connect(["1A01", "2A01"])  # a 708B has one slot
        with pytest.raises(LimitError, match="listed twice"):
            matrix.connect(["1A01", "1A01"])


def test_error_queue_text_is_raised_with_the_address() -> None:
    script = [
        (":SOUR:VOLT:LEV 1", None),
        (":SYST:ERR?", '-222,"Data out of range"'),
        (":SYST:ERR?", '-113,"Undefined header"'),
        (":SYST:ERR?", OK),
    ]
    with expected_protocol(script) as transport:
        smu = Keithley2400(transport, LIMITS)
        with pytest.raises(InstrumentError) as caught:
            smu.source_voltage_v = 1.0
    message = str(caught.value)
    assert "SCRIPT::INSTR" in message and "Data out of range" in message
    assert "Undefined header" in message and ":SOUR:VOLT:LEV 1" in message


def test_keithley707b_commands() -> None:
    script = [
        ("reset()", None),
        ("errorqueue.clear()", None),
        ("print(errorqueue.count)", "0.00000e+00"),
        ('channel.exclusiveclose("1A01,1B05,3H12")', None),
        ("print(errorqueue.count)", "0.00000e+00"),
        ('print(channel.getclose("allslots"))', "1A01,1B05,3H12"),
        ('channel.exclusiveclose("1A02")', None),
        ("print(errorqueue.count)", "2.00000e+00"),
        ("print(errorqueue.next())", "-285\tTSP Syntax error\t2\t1"),
        ("print(errorqueue.next())", "-203\tCommand protected\t2\t1"),
        ('channel.open("allslots")', None),
    ]
    with expected_protocol(script) as transport, Keithley707B(transport) as matrix:
        matrix.configure()
        matrix.connect(["1A01", "1B05", "3H12"])
        assert matrix.closed == frozenset({"1A01", "1B05", "3H12"})
        with pytest.raises(InstrumentError, match=r"-285 TSP Syntax error.*-203 Command protected"):
            matrix.connect(["1A02"])


def test_keithley708b_commands() -> None:
    script = [
        ('channel.exclusiveclose("1C03")', None),
        ("print(errorqueue.count)", "0.00000e+00"),
        ('channel.open("allslots")', None),
    ]
    with expected_protocol(script) as transport, Keithley708B(transport) as matrix:
        matrix.connect(["1C03"])


def test_keysight33500b_single_pulses() -> None:
    setup = [(command, None) for command in Keysight33500B.SETUP]
    negative = [
        ("FUNC:PULS:WIDT 1e-07", None),
        ("SYST:ERR?", OK),
        ("FUNC:PULS:PER 1e-06", None),
        ("SYST:ERR?", OK),
        ("VOLT:HIGH 1.6", None),
        ("SYST:ERR?", OK),
        ("OUTP:POL INV", None),
        ("SYST:ERR?", OK),
        ("OUTP ON", None),
        ("SYST:ERR?", OK),
        ("*TRG", None),
        ("*OPC?", "1"),
        ("OUTP OFF", None),
        ("SYST:ERR?", OK),
        ("SYST:ERR?", OK),
    ]
    script = [*setup, ("SYST:ERR?", OK), *negative, ("OUTP OFF", None)]
    with expected_protocol(script) as transport:
        pulser = Keysight33500B(transport, LIMITS)
        pulser.ERROR_QUERY = "SYST:ERR?"
        with pulser:
            pulser.configure()
            pulser.pulse(-1.6, 1e-7)


def test_leaving_with_on_an_error_turns_the_output_off() -> None:
    script = [(":OUTP ON", None), (":SYST:ERR?", OK), (":OUTP OFF", None)]
    with (
        expected_protocol(script) as transport,
        pytest.raises(RuntimeError, match="operator abort"),
        Keithley2450(transport, LIMITS) as smu,
    ):
        smu.output_enabled = True
        raise RuntimeError("operator abort")
