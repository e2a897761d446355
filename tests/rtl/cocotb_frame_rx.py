"""cocotb bench of frame_rx (toplevel tests/rtl/hdl/tb_frame_rx.sv) with the Python decoder as
its reference model.

A test plays a *script*: chunks of bytes, each optionally followed by an idle line (longer than
IDLE_BYTES byte times). The same script goes through `firmware_interface.codec.FrameDecoder`
(`feed(chunk)`, then `idle()` where the line went idle, and a final `idle()`), and the list of
events the RTL reports must equal the decoder's: frames with SEQ/OPC/payload, BAD_CRC and
BAD_LENGTH rejections with SEQ/OPC, in order, nothing else.

Bytes reach frame_rx over a real UART line (10 * CLKS_PER_BIT clocks per byte) or, in direct
mode, straight into its byte input every gap + 1 clocks, which outruns its rescans and exercises
the replay ring harder.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

import cocotb
from cocotb.handle import SimHandleBase
from cocotb.triggers import ReadOnly, RisingEdge, SimTimeoutError, ValueChange, with_timeout

from firmware_interface.codec import Frame, FrameDecoder, FrameRejected, encode_frame
from firmware_interface.codec import encode_request as encode
from firmware_interface.protocol import (
    HEADER_BYTES,
    HEADER_CRC,
    IDLE_BYTES,
    MAX_PAYLOAD,
    REQUESTS,
    SOF,
    Opcode,
    Status,
)
from tests.firmware_interface.random_messages import random_message
from tests.rtl.benchlib import CLK_NS, ByteSource, clks_per_bit, reset, wait_clocks

REQUEST_TYPES = list(REQUESTS.values())

Event = tuple
"""("ok", seq, opcode, payload, crc) or ("bad", status, seq, opcode)."""

Script = Sequence[tuple[bytes, bool]]
"""(chunk, line idle afterwards)."""


def reference(script: Script) -> list[Event]:
    """The events FrameDecoder reports for `script` (ending with an idle line)."""
    decoder = FrameDecoder()
    events: list[Frame | FrameRejected] = []
    for chunk, idle in script:
        events += decoder.feed(chunk)
        if idle:
            events += decoder.idle()
    events += decoder.idle()
    return [as_event(e) for e in events]


def as_event(event: Frame | FrameRejected) -> Event:
    if isinstance(event, Frame):
        return ("ok", event.seq, event.opcode, event.payload, event.crc)
    return ("bad", Status(event.status), event.seq, event.opcode)


def ok_event(frame: bytes) -> Event:
    """The event of one complete, valid encoded frame."""
    (event,) = FrameDecoder().feed(frame)
    assert isinstance(event, Frame)
    return as_event(event)


def show(event: Event) -> str:
    if event[0] == "ok":
        return f"ok seq={event[1]} opc=0x{event[2]:02X} len={len(event[3])}"
    return f"{event[1].name} seq={event[2]} opc=0x{event[3]:02X}"


# ---------------------------------------------------------------------------------------------
# Stimulus
# ---------------------------------------------------------------------------------------------


def valid_frame(rng: random.Random, full: bool = False) -> bytes:
    return encode(rng.randrange(256), random_message(rng, rng.choice(REQUEST_TYPES), full))


def clean_bytes(rng: random.Random, n: int) -> bytes:
    """`n` random bytes without SOF, so that rescans of them find nothing by chance."""
    return bytes(
        rng.choice(range(SOF)) if rng.random() < 0.65 else rng.randrange(SOF + 1, 256)
        for _ in range(n)
    )


def header(length: int, seq: int, opcode: int, good_crc: bool = True) -> bytes:
    head = bytes((SOF, length & 0xFF, length >> 8, seq, opcode))
    crc = HEADER_CRC(head)
    return head + bytes((crc if good_crc else crc ^ 0x01,))


def flip_bits(frame: bytes, rng: random.Random, lo: int, hi: int, n: int = 1) -> bytes:
    """`frame` with `n` distinct bits flipped within bytes [lo, hi)."""
    out = bytearray(frame)
    for bit in rng.sample(range(8 * lo, 8 * hi), n):
        out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


def garbage(rng: random.Random) -> bytes:
    """One kind of line damage (as tests/firmware_interface/test_fuzz.py draws them)."""
    kind = rng.randrange(7)
    if kind == 0:  # random bytes, SOF-rich
        return bytes(rng.choice((SOF, rng.randrange(256))) for _ in range(rng.randrange(1, 64)))
    frame = bytearray(valid_frame(rng))
    if kind == 1:  # truncated frame
        return bytes(frame[: rng.randrange(1, len(frame))])
    if kind == 2:  # 1-3 flipped bits anywhere
        return flip_bits(bytes(frame), rng, 0, len(frame), rng.randint(1, 3))
    if kind == 3:  # a dropped byte
        del frame[rng.randrange(len(frame))]
        return bytes(frame)
    if kind == 4:  # an inserted byte
        frame.insert(rng.randrange(1, len(frame)), rng.randrange(256))
        return bytes(frame)
    if kind == 5:  # a valid header claiming a long payload, then nothing
        return header(rng.choice((600, 1024, MAX_PAYLOAD)), rng.randrange(256), 0x02)
    # a header claiming more than MAX_PAYLOAD
    return header(rng.randrange(MAX_PAYLOAD + 1, 0x10000), rng.randrange(256), rng.randrange(256))


def damaged_script(rng: random.Random, idle_prob: float) -> list[tuple[bytes, bool]]:
    """Garbage and valid frames in random order, cut into chunks with random idle points."""
    parts = [garbage(rng) for _ in range(rng.randint(1, 3))]
    parts += [valid_frame(rng) for _ in range(rng.randint(1, 2))]
    rng.shuffle(parts)
    stream = b"".join(parts)
    script = []
    pos = 0
    while pos < len(stream):
        step = rng.randint(1, max(1, len(stream) // 2))
        script.append((stream[pos : pos + step], rng.random() < idle_prob))
        pos += step
    return script


# ---------------------------------------------------------------------------------------------
# Bench
# ---------------------------------------------------------------------------------------------


@dataclass
class Settings:
    direct: bool = False
    gap: int = 2
    ack_delay: int = 0


class FrameRxBench:
    """Drives tb_frame_rx: queues script bytes, waits out idle gaps, records the RTL's events."""

    def __init__(self, dut: SimHandleBase) -> None:
        self.dut = dut
        self.src = ByteSource(dut)
        self.events: list[Event] = []
        self.oob_reads: list[int] = []
        self.cpb = clks_per_bit()
        self.byte_clocks = 10 * self.cpb
        self.idle_clocks = IDLE_BYTES * self.byte_clocks
        self._seen = 0
        self._monitor = None

    async def start(self, settings: Settings) -> None:
        self.settings = settings
        await reset(
            self.dut,
            in_valid_i=0,
            in_data_i=0,
            direct_i=int(settings.direct),
            gap_i=settings.gap,
            ack_delay_i=settings.ack_delay,
        )
        self.events.clear()
        self.oob_reads.clear()
        self._seen = 0
        self._monitor = cocotb.start_soon(self._watch())

    async def _watch(self) -> None:
        dut = self.dut
        while True:
            await ValueChange(dut.ev_count_o)
            await ReadOnly()
            count = int(dut.ev_count_o.value)
            assert count == self._seen + 1, f"missed events: count {self._seen} -> {count}"
            self._seen = count
            seq, opc = int(dut.ev_seq_o.value), int(dut.ev_opc_o.value)
            if dut.ev_ok_o.value:
                length = int(dut.ev_len_o.value)
                blob = dut.ev_payload_o.value.to_bytes(byteorder="little")
                crc = int(dut.ev_crc_o.value)
                self.events.append(("ok", seq, opc, blob[:length], crc))
                self.oob_reads.append(int(dut.ev_oob_o.value))
            else:
                self.events.append(("bad", Status(int(dut.ev_status_o.value)), seq, opc))

    async def idle_line(self) -> None:
        """Drain the source, then keep the line quiet past the idle timeout."""
        await self.src.drain()
        await wait_clocks(self.idle_clocks + 2 * self.byte_clocks)

    async def play(self, script: Script) -> None:
        queued = 0
        for chunk, idle in script:
            if queued + len(chunk) > 4096:  # keep the bench FIFO from overflowing (no gap)
                await self.src.drain()
                queued = 0
            await self.src.send(chunk)
            queued += len(chunk)
            if idle:
                await self.idle_line()
                queued = 0
        await self.finish()

    async def finish(self) -> None:
        """End with an idle line and wait until frame_rx has scanned everything it holds."""
        await self.idle_line()
        await ReadOnly()
        if not self.dut.rx_idle_o.value:
            limit = self.settings.ack_delay + 50_000  # far more than any rescan here needs
            try:
                await with_timeout(RisingEdge(self.dut.rx_idle_o), limit * CLK_NS, "ns")
            except SimTimeoutError:
                raise AssertionError(
                    f"frame_rx still busy {limit} clocks after the line went idle"
                ) from None
        await RisingEdge(self.dut.clk)
        await wait_clocks(4)

    def check(self, expected: list[Event], *, overflow_ok: bool = False) -> None:
        got = self.events
        if not overflow_ok:
            assert int(self.dut.ovf_count_o.value) == 0, "ring overflow: bench too fast"
        assert all(b == 0 for b in self.oob_reads), "payload read beyond LEN was not 0"
        if got != expected:
            lines = [f"RTL {len(got)} events, Python decoder {len(expected)}:"]
            for i in range(max(len(got), len(expected))):
                a = show(got[i]) if i < len(got) else "-"
                b = show(expected[i]) if i < len(expected) else "-"
                lines.append(f"  {'  ' if a == b else '!!'} {i:3}: rtl {a:36} py {b}")
                if a == b and got[i] != expected[i]:
                    lines.append("       (payload or CRC differs)")
            raise AssertionError("\n".join(lines))

    async def run(self, script: Script, settings: Settings | None = None) -> list[Event]:
        """Play `script` from reset and check the RTL's events against the Python decoder."""
        await self.start(settings or Settings())
        await self.play(script)
        expected = reference(script)
        self.check(expected)
        self._monitor.cancel()
        return expected


# ---------------------------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------------------------


@cocotb.test(timeout_time=15, timeout_unit="ms")
async def valid_frames(dut: SimHandleBase) -> None:
    """Random requests of every opcode, back to back and with idle gaps, all come out intact."""
    rng = random.Random(11)
    bench = FrameRxBench(dut)
    frames = [valid_frame(rng) for _ in range(40)]
    frames += [valid_frame(rng, full=True) for _ in range(3)]
    frames.append(encode_frame(7, Opcode.INFO, b""))
    frames.append(encode_frame(8, 0x5E, rng.randbytes(MAX_PAYLOAD)))
    script = [(f, rng.random() < 0.2) for f in frames]
    expected = await bench.run(script)
    assert len(expected) == len(frames)
    assert all(e[0] == "ok" for e in expected)


@cocotb.test(timeout_time=5, timeout_unit="ms")
async def corrupted_frames(dut: SimHandleBase) -> None:
    """Payload bit flips are BAD_CRC with the right SEQ/OPC; header damage reports nothing."""
    rng = random.Random(12)
    bench = FrameRxBench(dut)
    script = []
    wanted: list[Event] = []
    for i in range(12):
        seq = 100 + i
        bad = encode_frame(seq, Opcode.PULSE, clean_bytes(rng, rng.randint(1, 40)))
        good = encode_frame(seq, Opcode.READ, clean_bytes(rng, 10))
        if i % 3 == 0:  # payload or FCRC damage
            damaged = flip_bits(bad, rng, HEADER_BYTES, len(bad), rng.randint(1, 3))
            wanted.append(("bad", Status.BAD_CRC, seq, Opcode.PULSE))
        elif i % 3 == 1:  # LEN/SEQ/OPC/HCRC damage
            damaged = flip_bits(bad, rng, 1, HEADER_BYTES, 1)
        else:  # a bad HCRC with everything else intact
            damaged = header(len(bad) - 10, seq, Opcode.PULSE, good_crc=False) + bad[6:]
        wanted.append(ok_event(good))
        script.append((damaged + good, i % 4 == 3))
    expected = await bench.run(script)
    assert expected == wanted


@cocotb.test(timeout_time=5, timeout_unit="ms")
async def garbage_before_frames(dut: SimHandleBase) -> None:
    """SOF-rich line noise in front of frames is skipped."""
    rng = random.Random(13)
    bench = FrameRxBench(dut)
    script = []
    for _ in range(8):
        noise = bytes(rng.choice((SOF, SOF, rng.randrange(256))) for _ in range(rng.randint(1, 80)))
        script.append((noise + valid_frame(rng), rng.random() < 0.3))
    expected = await bench.run(script)
    assert sum(e[0] == "ok" for e in expected) == 8


@cocotb.test(timeout_time=10, timeout_unit="ms")
async def truncated_then_valid(dut: SimHandleBase) -> None:
    """A truncated frame followed by a valid one: the valid one is recovered, with and without
    an idle line in between (without one the truncated frame swallows it until its LEN is
    reached, fails its CRC, and the rescan of the held bytes finds it)."""
    rng = random.Random(14)
    bench = FrameRxBench(dut)
    script = []
    for i in range(10):
        cut = valid_frame(rng)
        cut = cut[: rng.randrange(1, len(cut))]
        script.append((cut, i % 2 == 0))
        script.append((valid_frame(rng) + valid_frame(rng), False))
    # A header claiming a long payload, then short frames: only the rescan finds them.
    script.append((header(400, 1, Opcode.MVM), False))
    script.append((b"".join(valid_frame(rng) for _ in range(6)), False))
    script.append((bytes(rng.randrange(256) for _ in range(400)), False))
    expected = await bench.run(script)
    assert expected.count(("bad", Status.BAD_CRC, 1, Opcode.MVM)) == 1
    assert sum(e[0] == "ok" for e in expected) >= 26


@cocotb.test(timeout_time=10, timeout_unit="ms")
async def length_above_max(dut: SimHandleBase) -> None:
    """LEN > MAX_PAYLOAD with a good header CRC is BAD_LENGTH; the next frame is still found."""
    rng = random.Random(15)
    bench = FrameRxBench(dut)
    script = []
    wanted: list[Event] = []
    for i, length in enumerate((MAX_PAYLOAD + 1, 0x0800, 0xFFFF)):
        script.append((header(length, 30 + i, Opcode.PROGRAM), False))
        good = valid_frame(rng)
        script.append((good, False))
        wanted.append(("bad", Status.BAD_LENGTH, 30 + i, Opcode.PROGRAM))
        wanted.append(ok_event(good))
    # LEN == MAX_PAYLOAD is accepted.
    edge = encode_frame(33, Opcode.PROGRAM, rng.randbytes(MAX_PAYLOAD))
    script.append((edge, False))
    wanted.append(ok_event(edge))
    assert await bench.run(script) == wanted


@cocotb.test(timeout_time=10, timeout_unit="ms")
async def idle_truncates_candidate(dut: SimHandleBase) -> None:
    """An idle line gives up incomplete frames even if their missing bytes come later.

    A long candidate is cut by an idle line; a short frame F starts inside its held bytes. The
    rest of F arrives next and the line goes idle again. The Python decoder truncates F at the
    first idle (it was incomplete then), so F's tail is garbage. In direct mode F's tail arrives
    while frame_rx is still rescanning the long candidate's bytes, and the second idle comes
    before that flush ends: the second idle mark must be queued, since merging it into the first
    would let F complete.
    """
    rng = random.Random(16)
    bench = FrameRxBench(dut)
    mark_seen = []

    async def watch_mark() -> None:
        await RisingEdge(dut.u_dut.mark_q)
        mark_seen.append(True)

    for settings in (Settings(), Settings(direct=True, gap=0)):
        short = encode_frame(6, Opcode.PULSE, clean_bytes(rng, 10))
        final = encode_frame(7, Opcode.READ, clean_bytes(rng, 10))
        script = [
            (header(MAX_PAYLOAD, 5, Opcode.CONFIG) + clean_bytes(rng, 990) + short[:10], True),
            (short[10:], True),
            (final, False),
        ]
        watcher = cocotb.start_soon(watch_mark())
        expected = await bench.run(script, settings)
        watcher.cancel()
        assert expected == [ok_event(final)]
    assert mark_seen, "the second idle mark was never queued"


@cocotb.test(timeout_time=5, timeout_unit="ms")
async def back_pressure(dut: SimHandleBase) -> None:
    """Frames that arrive while a good frame waits for frame_ack_i are held and decoded later."""
    rng = random.Random(17)
    bench = FrameRxBench(dut)
    frames = b"".join(valid_frame(rng) for _ in range(12))
    for settings in (Settings(ack_delay=1500), Settings(direct=True, gap=5, ack_delay=600)):
        expected = await bench.run([(frames, False)], settings)
        assert len(expected) == 12


@cocotb.test(timeout_time=5, timeout_unit="ms")
async def ring_overflow(dut: SimHandleBase) -> None:
    """With the consumer stalled, bytes beyond the ring's capacity are dropped (overflow_o);
    the frames before are intact and decoding resumes after an idle line."""
    rng = random.Random(18)
    bench = FrameRxBench(dut)
    await bench.start(Settings(direct=True, gap=0, ack_delay=20000))
    first = encode_frame(1, Opcode.READ, rng.randbytes(200))
    flood = rng.randbytes(3000)
    last = valid_frame(rng)
    await bench.src.send(first + flood)
    await bench.finish()  # the ack comes 20000 clocks after the first frame
    await bench.play([(last, False)])
    assert int(dut.ovf_count_o.value) > 0
    assert bench.events[0] == ok_event(first)
    assert bench.events[-1] == ok_event(last)
    assert all(b == 0 for b in bench.oob_reads)


async def fuzz(dut: SimHandleBase, seed: int, streams: int, uart: bool) -> None:
    rng = random.Random(seed)
    bench = FrameRxBench(dut)
    for i in range(streams):
        script = damaged_script(rng, idle_prob=0.3)
        if uart:
            settings = Settings(ack_delay=rng.choice((0, 0, 50)))
        else:
            settings = Settings(
                direct=True, gap=rng.choice((2, 3, 5)), ack_delay=rng.choice((0, 9))
            )
        try:
            await bench.run(script, settings)
        except AssertionError as exc:
            raise AssertionError(f"stream {i} (seed {seed}): {exc}\nscript: {script!r}") from None


@cocotb.test(timeout_time=40, timeout_unit="ms")
async def fuzz_direct(dut: SimHandleBase) -> None:
    """Damaged streams (truncated, flipped, dropped/inserted bytes, long or oversize headers,
    noise) with random idle points, fed fast: RTL events == Python decoder events."""
    await fuzz(dut, seed=19, streams=150, uart=False)


@cocotb.test(timeout_time=20, timeout_unit="ms")
async def fuzz_uart(dut: SimHandleBase) -> None:
    """As fuzz_direct, over the UART line."""
    await fuzz(dut, seed=20, streams=25, uart=True)
