"""`hil visa ...`: list VISA resources and characterise single devices on a bench.

Results are appended to a measurement file (created on first use) under `/characterisation`
(measurements/README.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from hil.cli_common import friendly_errors
from hil.errors import AddressError
from hil.instruments.bench import BenchConfig, load_bench
from hil.store import MeasurementFile

bench_option = click.option(
    "--bench",
    "bench_path",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="Bench TOML file (instruments, wiring, limits).",
)
cell_options = [
    click.option("--row", type=int, required=True, help="Array row (word line) of the device."),
    click.option("--col", type=int, required=True, help="Array column (bit line) of the device."),
    click.option(
        "--out",
        type=click.Path(path_type=Path, dir_okay=False),
        required=True,
        help="Measurement file (HDF5) to append to; created if missing.",
    ),
]


def _cell(command: Any) -> Any:
    for option in reversed(cell_options):
        command = option(command)
    return command


def _friendly(command: Any) -> Any:
    return friendly_errors(command)


@click.group()
def visa() -> None:
    """Bench instruments over VISA: list resources, characterise single devices."""


@visa.command("list")
@click.option(
    "--bench",
    "bench_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="List the resources of this bench's VISA library and check its addresses.",
)
@click.option("--library", default=None, help='pyvisa library spec, e.g. "@py" or "sims.yaml@sim".')
@_friendly
def list_command(bench_path: Path | None, library: str | None) -> None:
    """Show the VISA resources found (and, with --bench, which instrument each one is)."""
    from hil.instruments.connection import list_resources, resource_manager

    config = load_bench(bench_path) if bench_path is not None else None
    spec = library if library is not None else (config.visa_library if config else "")
    manager = resource_manager(spec, config)
    try:
        found = list_resources(manager)
    finally:
        manager.close()
    roles = _roles(config) if config else {}
    table = Table(title=f"VISA resources ({spec or 'system default library'})")
    table.add_column("address")
    table.add_column("bench role")
    for address in found:
        table.add_row(address, roles.pop(_key(address), ""))
    for address, role in roles.items():
        table.add_row(address, f"{role} (NOT FOUND)")
    Console().print(table)
    if not found:
        click.echo("no VISA resources found")


@visa.command()
@bench_option
@_cell
@click.option("--v-max", type=float, default=1.0, show_default=True, help="Sweep extent, V.")
@click.option("--points", type=int, default=11, show_default=True, help="Points per quarter.")
@_friendly
def iv(bench_path: Path, row: int, col: int, out: Path, v_max: float, points: int) -> None:
    """DC I-V sweep 0 -> +V -> -V -> 0 of one device, with a sinh I-V fit (b, G at V_read)."""
    from hil.instruments.characterise import iv_sweep
    from hil.instruments.records import write_iv
    from hil.instruments.station import Station

    config = _checked(bench_path, row, col)
    with Station.open(config) as station:
        sweep = iv_sweep(station, row, col, v_max, points)
    with _store(out, config, "visa iv") as store:
        group = write_iv(store, row, col, sweep)
    fit = sweep.fit
    click.echo(
        f"I-V of ({row}, {col}): G = {fit.g_us:.3f} uS at {fit.v_read_v:g} V, "
        f"b = {fit.b_per_v:.3f} 1/V -> {out}:{group}"
    )


@visa.command()
@bench_option
@_cell
@click.option("--v-stop", type=float, required=True, help="Highest ramp voltage, V.")
@click.option("--v-step", type=float, default=0.05, show_default=True, help="Ramp step, V.")
@click.option("--compliance-a", type=float, default=1e-4, show_default=True, help="Current cap, A.")
@_friendly
def form(
    bench_path: Path,
    row: int,
    col: int,
    out: Path,
    v_stop: float,
    v_step: float,
    compliance_a: float,
) -> None:
    """Forming: compliance-limited DC ramp of one device that stops at the current jump."""
    from hil.instruments.characterise import form as run_form
    from hil.instruments.records import write_forming
    from hil.instruments.station import Station

    config = _checked(bench_path, row, col)
    with Station.open(config) as station:
        result = run_form(
            station, row, col, v_stop_v=v_stop, v_step_v=v_step, compliance_a=compliance_a
        )
    with _store(out, config, "visa form") as store:
        group = write_forming(store, row, col, result)
    outcome = f"formed at {result.v_form_v:.3f} V" if result.formed else "did not form"
    click.echo(f"device ({row}, {col}) {outcome} -> {out}:{group}")


@visa.command()
@bench_option
@_cell
@click.option("--cycles", type=int, default=10, show_default=True)
@click.option("--v-set", type=float, required=True, help="SET amplitude, V.")
@click.option("--v-reset", type=float, required=True, help="RESET amplitude (magnitude), V.")
@click.option("--width-s", type=float, default=1e-6, show_default=True, help="Pulse width, s.")
@_friendly
def cycle(
    bench_path: Path,
    row: int,
    col: int,
    out: Path,
    cycles: int,
    v_set: float,
    v_reset: float,
    width_s: float,
) -> None:
    """Pulse-train cycling of one device: SET, read, RESET, read, `--cycles` times."""
    import numpy as np

    from hil.instruments.characterise import cycle as run_cycle
    from hil.instruments.records import write_cycling
    from hil.instruments.station import Station

    config = _checked(bench_path, row, col)
    with Station.open(config) as station:
        result = run_cycle(
            station, row, col, n_cycles=cycles, v_set_v=v_set, v_reset_v=v_reset, width_s=width_s
        )
    with _store(out, config, "visa cycle") as store:
        group = write_cycling(store, row, col, result)
    click.echo(
        f"{cycles} cycles of ({row}, {col}): median G_SET {np.median(result.g_set_us):.2f} uS, "
        f"median G_RESET {np.median(result.g_reset_us):.2f} uS -> {out}:{group}"
    )


# --- helpers ------------------------------------------------------------------------------------


def _checked(bench_path: Path, row: int, col: int) -> BenchConfig:
    config = load_bench(bench_path)
    if not (0 <= row < config.rows and 0 <= col < config.cols):
        raise AddressError(
            f"device ({row}, {col}) is outside the bench's {config.rows} x {config.cols} array"
        )
    return config


def _store(path: Path, config: BenchConfig, command: str) -> MeasurementFile:
    if path.exists():
        return MeasurementFile.open(path, "a")
    chip_info = {"rows": config.rows, "cols": config.cols, "limits": vars(config.limits)}
    return MeasurementFile.create(
        path,
        chip_id=f"bench:{config.path.stem}",
        backend="visa",
        chip_info=chip_info,
        instrument_settings=config.settings(),
        run={"command": command, "backend_spec": f"visa:{config.path}"},
    )


def _roles(config: BenchConfig) -> dict[str, str]:
    entries = {"smu": config.smu, "matrix": config.matrix}
    entries |= {"bias": config.bias, "pulser": config.pulser}
    return {
        _key(entry.address): f"{role}: {entry.driver}"
        for role, entry in entries.items()
        if entry is not None
    }


def _key(address: str) -> str:
    from pyvisa import rname

    try:
        return str(rname.parse_resource_name(address)).upper()
    except rname.InvalidResourceName:
        return address.upper()
