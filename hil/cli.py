"""The `hil` command line. It parses arguments, opens chips and files, and calls library code.

Bad input ends with exit code 2 and a one-line message, never a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import numpy as np
from rich.console import Console
from rich.table import Table

from calibration.finetune.cli import calibrate_command, finetune_command
from calibration.retention.cli import fit_command
from hil import __version__
from hil.backends import checkpointable, open_chip
from hil.campaign import BakeStep, Block, Campaign, Schedule, start_reads
from hil.chip import Chip
from hil.cli_common import (
    UsageProblem,
    backend_option,
    friendly_errors,
    progress_bar,
    seed_option,
)
from hil.demo_cli import demo
from hil.instruments.cli import visa
from hil.store import MeasurementFile


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hil")
def main() -> None:
    """Hardware-in-the-loop suite for ReRAM in-memory-computing chips."""


@main.command()
def protocol() -> None:
    """Print the wire protocol's version, frame limits and opcodes."""
    from firmware_interface import protocol as wire

    click.echo(f"{wire.PROTOCOL_NAME} {wire.VERSION_MAJOR}.{wire.VERSION_MINOR}")
    click.echo(f"max payload {wire.MAX_PAYLOAD} bytes, max frame {wire.MAX_FRAME} bytes")
    for opcode in wire.Opcode:
        click.echo(f"  0x{opcode.value:02X} {opcode.name}")


@main.command()
@backend_option
@seed_option
@friendly_errors
def info(backend: str, seed: int) -> None:
    """Show the chip's geometry, limits and supported operations."""
    with open_chip(backend, seed=seed) as chip:
        caps = chip.info()
    table = Table(title=f"{caps.backend} chip {caps.chip_id}", show_header=False)
    table.add_row("geometry", f"{caps.rows} rows x {caps.cols} device columns")
    table.add_row("operations", ", ".join(sorted(op.value for op in caps.operations)))
    table.add_row("virtual time", str(caps.virtual_time))
    for name, value in vars(caps.limits).items():
        table.add_row(name, f"{value:g}")
    Console().print(table)


@main.command()
@click.option(
    "--weights",
    "weights_path",
    type=click.Path(path_type=Path),
    help="The layer: .npy (in, out) matrix, or a torch .pt/.pth tensor or state dict.",
)
@click.option("--key", help="Tensor name inside a torch state dict.")
@click.option("--out", "out", type=click.Path(path_type=Path), required=True, help="HDF5 file.")
@click.option(
    "--policy",
    "policy_path",
    type=click.Path(path_type=Path),
    help="Write-verify policy TOML (default: the shipped default policy).",
)
@click.option("--tolerance-us", type=float, help="Override the policy's tolerance, uS.")
@click.option(
    "--scheme", type=click.Choice(["sign", "balanced"]), default="sign", show_default=True
)
@click.option("--per-column/--per-tensor", default=False, help="Weight scale per output column.")
@click.option("--levels", type=int, help="Quantise each pair difference to N levels.")
@click.option("--clip-percentile", type=float, help="Clip |w| at this percentile first.")
@click.option(
    "--range-shrink",
    type=float,
    default=1.0,
    show_default=True,
    help="Use this fraction of the conductance window.",
)
@click.option("--resume", is_flag=True, help="Finish an interrupted programming run in --out.")
@click.option("--rows", type=int, help="Simulated chip rows (default: fits the layer).")
@click.option("--cols", type=int, help="Simulated chip device columns (default: fits the layer).")
@click.option(
    "--device-preset",
    default="levy-tech-c",
    show_default=True,
    help="Simulated device preset: levy-tech-c or cmo-optimistic.",
)
@backend_option
@seed_option
@friendly_errors
def program(
    weights_path: Path | None,
    key: str | None,
    out: Path,
    policy_path: Path | None,
    tolerance_us: float | None,
    scheme: str,
    per_column: bool,
    levels: int | None,
    clip_percentile: float | None,
    range_shrink: float,
    resume: bool,
    rows: int | None,
    cols: int | None,
    device_preset: str,
    backend: str,
    seed: int,
) -> None:  # fmt: skip
    """Map a layer to differential pairs and write-verify it onto the chip, into --out."""
    from hil.programming_run import ProgrammingRun

    if resume:
        with MeasurementFile.open(out, "a") as store, _chip_of_file(store) as chip:
            run = ProgrammingRun.resume(chip, store)
            with progress_bar("programming") as progress:
                summary = run.finish(progress)
    else:
        if weights_path is None:
            raise UsageProblem("give the layer with --weights (or --resume an interrupted run)")
        from hil.mapping import MappingConfig, Scheme
        from hil.weights import load_weights

        weights = load_weights(weights_path, key)
        config = MappingConfig(
            scheme=Scheme.SIGN if scheme == "sign" else Scheme.BALANCED,
            granularity="per_column" if per_column else "per_tensor",
            n_levels=levels,
            clip_percentile=clip_percentile,
            range_shrink=range_shrink,
        )
        policy = _policy(policy_path, tolerance_us)
        in_features, out_features = weights.shape
        if backend == "sim":  # a simulated chip is made to fit the layer unless told otherwise
            rows, cols = rows or max(in_features, 64), cols or max(2 * out_features, 128)
        run_info = {"command": "program", "weights": str(weights_path), "seed": seed}
        with (
            open_chip(
                backend, seed=seed, rows=rows, cols=cols, device_preset=device_preset
            ) as chip,
            _new_file(out, chip, backend, run_info) as store,
        ):
            run = ProgrammingRun.start(chip, store, weights, config, policy)
            with progress_bar("programming") as progress:
                summary = run.finish(progress)
    click.echo(
        f"programmed {summary.devices} devices into {out}: {summary.success_pct:.2f} % within "
        f"tolerance, {summary.pulses_mean:.1f} pulses per device on average"
    )


@main.command()
@click.option("--out", "out", type=click.Path(path_type=Path), required=True, help="New HDF5 file.")
@click.option(
    "--state", type=click.Path(path_type=Path), help="Continue the simulated chip of FILE."
)
@click.option("--n-reads", type=int, default=1, show_default=True, help="Reads averaged per cell.")
@backend_option
@seed_option
@friendly_errors
def read(out: Path, state: Path | None, n_reads: int, backend: str, seed: int) -> None:
    """Read the whole array once into a new measurement file."""
    with _chip_from(state, backend, seed) as chip:
        caps = chip.info()
        with _new_file(out, chip, backend, {"command": "read", "seed": seed}) as store:
            block = (0, 0, caps.rows, caps.cols)
            snapshot = Schedule(np.array([0.0]))
            start_reads(store, chip, snapshot, block, n_reads)
            g_us = chip.read_block(n_reads=n_reads)
            store.append_read(0.0, snapshot.ambient_k, g_us)
    click.echo(f"read {g_us.size} cells into {out} (mean {g_us.mean():.2f} uS)")


@main.command()
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--until", "until_s", type=float, default=1e5, show_default=True, help="Last read, s."
)
@click.option("--per-decade", type=int, default=4, show_default=True, help="Reads per decade.")
@click.option(
    "--start",
    "start_s",
    type=float,
    default=1.0,
    show_default=True,
    help="First read after t=0, s.",
)
@click.option(
    "--bake", "bakes", multiple=True, help="TEMP_K:DURATION_S@START_S, e.g. 358:3600@1e4."
)
@click.option("--n-reads", type=int, default=1, show_default=True, help="Reads averaged per cell.")
@click.option("--resume", is_flag=True, help="Continue an interrupted campaign in PATH.")
@click.option("--pace-s", type=float, default=0.0, help="Real seconds between reads on simulators.")
@friendly_errors
def retention(
    path: Path,
    until_s: float,
    per_decade: int,
    start_s: float,
    bakes: tuple[str, ...],
    n_reads: int,
    resume: bool,
    pace_s: float,
) -> None:
    """Read the programmed array in PATH at log-spaced times, appending every read to PATH."""
    with MeasurementFile.open(path, "a") as store, _chip_of_file(store) as chip:
        if store.has_reads and not resume:
            raise UsageProblem(f"{path} already holds reads; pass --resume to continue them")
        if store.has_reads:
            series = store.reads()
            settings = store.read_settings()
            schedule = Schedule(
                series.schedule_t_s,
                tuple(BakeStep(**b) for b in settings["bakes"]),
                settings["ambient_k"],
            )
            block, n_reads = series.block, int(settings["n_reads"])
        else:
            schedule = Schedule.log_spaced(
                until_s, per_decade, start_s, bakes=[BakeStep.parse(b) for b in bakes]
            )
            block = _programmed_block(store, chip)
            start_reads(store, chip, schedule, block, n_reads)
        checkpoint = _checkpointer(store, chip)
        if checkpoint is not None:
            checkpoint()  # every dataset exists before SWMR starts
        store.start_swmr()
        campaign = Campaign(chip, store, schedule, block, n_reads, checkpoint, pace_s=pace_s)
        with progress_bar("retention reads") as progress:
            taken = campaign.run(progress)
        total = store.n_reads
    click.echo(f"{taken} reads taken, {total} of {len(schedule.t_s)} in {path}")


@main.command()
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@friendly_errors
def report(path: Path) -> None:
    """Write PNG plots of PATH next to it."""
    from hil.report import write_report

    written = write_report(path)
    if not written:
        raise UsageProblem(f"{path} has no programming or reads to plot yet")
    for png in written:
        click.echo(f"wrote {png}")


@main.group()
def sim() -> None:
    """Simulated chips served over the wire protocol (for --backend serial:...)."""


@sim.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", type=int, default=0, show_default=True, help="TCP port; 0 picks one.")
@click.option(
    "--model",
    type=click.Choice(["python", "rtl"]),
    default="python",
    show_default=True,
    help="python: the protocol-level SimChip; rtl: the Verilator chip.",
)
@click.option("--rows", type=int, default=64, show_default=True)
@click.option("--cols", type=int, default=128, show_default=True)
@click.option(
    "--real-board", is_flag=True, help="Answer like a real board: no ADVANCE_TIME or FAULT_INJECT."
)
@click.option(
    "--link",
    type=click.Choice(["uart", "byte"]),
    default="uart",
    show_default=True,
    help="--model rtl: bytes cross the chip's UART pins, or its byte link (1 clock per byte).",
)
@seed_option
@friendly_errors
def serve(
    host: str, port: int, model: str, rows: int, cols: int, real_board: bool, link: str, seed: int
) -> None:
    """Serve a simulated chip on a TCP port until interrupted."""
    import threading

    from firmware_interface.protocol import Capability
    from hil.backends.protocol_chip import ALL_CAPABILITIES, ProtocolChipHandler, serve_tcp
    from hil.backends.sim import SimChip

    if model == "rtl":
        from hil.rtl.serve import serve_chip

        if real_board:
            raise UsageProblem("--real-board applies to --model python only")
        serve_chip(port, host, rows, cols, link)  # prints the listening line, serves until ^C
        return
    if link != "uart":
        raise UsageProblem("--link applies to --model rtl only")
    capabilities = Capability.PROGRAM | Capability.MVM if real_board else ALL_CAPABILITIES
    handler = ProtocolChipHandler(SimChip(rows, cols, seed=seed), capabilities=capabilities)
    server = serve_tcp(handler, host, port)
    click.echo(f"listening on {server.url}", err=False)
    sys.stdout.flush()
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


# --- helpers ----------------------------------------------------------------------------------


def _policy(path: Path | None, tolerance_us: float | None) -> Any:
    from hil.program import default_policy, load_policy

    policy = default_policy() if path is None else load_policy(path)
    if tolerance_us is not None:
        policy = policy.replace(tolerance_us=tolerance_us, tolerance_pct=None)
    return policy


def _chip_from(state_file: Path | None, backend: str, seed: int) -> Chip:
    if state_file is None:
        return open_chip(backend, seed=seed)
    with MeasurementFile.open(state_file, "r") as store:
        state = store.load_backend_state()
    if state is None:
        raise UsageProblem(f"{state_file} holds no simulator state to continue")
    return open_chip("sim", state=state)


def _chip_of_file(store: MeasurementFile) -> Chip:
    """The chip a file was measured on: a simulator continues from its checkpoint."""
    meta = store.metadata
    spec = meta["run"].get("backend_spec", meta["backend"])
    if spec == "rtl":
        raise UsageProblem(
            f"{store.path} was measured on a --backend rtl chip, whose state ended with that "
            "command; serve one with `hil sim serve --model rtl` and use --backend serial:<url>"
        )
    state = store.load_backend_state()
    if spec == "sim" and state is None:
        raise UsageProblem(f"{store.path} holds no simulator state; was it written by the sim?")
    return open_chip(spec, state=state)


def _new_file(path: Path, chip: Chip, spec: str, run: dict[str, Any]) -> MeasurementFile:
    caps = chip.info()
    device = chip.params.to_dict() if hasattr(chip, "params") else None
    chip_info = {
        "rows": caps.rows,
        "cols": caps.cols,
        "operations": sorted(op.value for op in caps.operations),
        "virtual_time": caps.virtual_time,
        "limits": vars(caps.limits),
    }
    store = MeasurementFile.create(
        path,
        chip_id=caps.chip_id,
        backend=caps.backend,
        chip_info=chip_info,
        device_params=device,
        instrument_settings=getattr(chip, "instrument_settings", dict)(),
        run={**run, "backend_spec": spec},
    )
    checkpoint = _checkpointer(store, chip)
    if checkpoint is not None:
        checkpoint()
    return store


def _checkpointer(store: MeasurementFile, chip: Chip) -> Callable[[], None] | None:
    if not checkpointable(chip):
        return None
    return lambda: store.save_backend_state(chip.state())  # type: ignore[attr-defined]


def _programmed_block(store: MeasurementFile, chip: Chip) -> Block:
    """The bounding box of the programmed cells, or the whole array if nothing was programmed."""
    caps = chip.info()
    if not store.has_programming:
        return (0, 0, caps.rows, caps.cols)
    rows, cols = np.nonzero(store.programming().targeted)
    return (int(rows.min()), int(cols.min()), int(np.ptp(rows)) + 1, int(np.ptp(cols)) + 1)


for _command in (visa, fit_command, finetune_command, calibrate_command, demo):
    main.add_command(_command)

if __name__ == "__main__":
    main()
