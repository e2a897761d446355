"""The `hil demo` command: runs `hil.demo.run_demo` with a rich progress display.

The demo's library (torch, scipy, matplotlib) loads only when the command runs, so that
`hil --help` stays fast."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from hil.cli_common import UsageProblem, console, friendly_errors

if TYPE_CHECKING:
    from hil.demo import StageRecord

DEFAULT_OUT = Path("measurements/demo")
"""Where `hil demo` writes unless --out says otherwise (ignored by git)."""


class RichDemoProgress:
    """One bar over the stages and one within the current stage."""

    def __init__(self, progress: Progress, console: Console):
        self._progress, self._console = progress, console
        from hil.demo import STAGES

        self._overall: TaskID = progress.add_task("demo", total=len(STAGES))
        self._current: TaskID | None = None

    def stage(self, index: int, record: StageRecord) -> None:
        self._current = self._progress.add_task(f"  {record.title}", total=None)

    def update(self, done: int, total: int) -> None:
        if self._current is not None:
            self._progress.update(self._current, completed=done, total=total)

    def finished(self, record: StageRecord) -> None:
        if self._current is not None:
            style = "green" if record.status == "done" else "yellow"
            label = f"  [{style}]{record.title}: {record.status}[/{style}]"
            self._progress.update(self._current, description=label, total=1, completed=1)
        self._progress.advance(self._overall)
        if record.status == "skipped":
            self._console.print(f"[yellow]skipped {record.key}:[/yellow] {record.detail}")


@click.command()
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path, file_okay=False),
    default=DEFAULT_OUT,
    show_default=True,
    help="Directory for demo.h5, report.html and the plots.",
)
@click.option(
    "--backend",
    type=click.Choice(["sim", "rtl"]),
    default="sim",
    show_default=True,
    help="sim: the in-process chip; rtl: the Verilator chip (a smaller layer).",
)
@click.option("--quick", is_flag=True, help="The reduced configuration CI runs.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the simulated chip.")
def demo(out: Path, backend: str, quick: bool, seed: int) -> None:
    """Program a finetuned network onto a chip, watch it drift for a year of virtual time, fit
    the drift and calibrate the accuracy back; writes OUT/demo.h5 and OUT/report.html."""
    friendly_errors(_demo)(out, backend, quick, seed)


def _demo(out: Path, backend: str, quick: bool, seed: int) -> None:
    from hil.demo import DemoConfig, run_demo

    if out.exists() and not out.is_dir():
        raise UsageProblem(f"--out {out} is a file; give a directory")
    config = DemoConfig.quick(backend=backend, seed=seed) if quick else DemoConfig(backend, seed)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeElapsedColumn(), console=console) as progress:
        result = run_demo(out, config, RichDemoProgress(progress, console))
    skipped = [s.key for s in result.stages if s.status == "skipped"]
    click.echo(f"wrote {result.html_path} in {result.seconds:.0f} s")
    if result.h5_path.exists():
        click.echo(f"wrote {result.h5_path}")
    if skipped:
        click.echo(f"skipped stages: {', '.join(skipped)} (reasons in the report)")
