"""`python -m firmware_interface.generate [--check]`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from firmware_interface.generate import PROJECT_ROOT, stale_files, write_all
from firmware_interface.generate.spec import SpecError


@click.command()
@click.option("--check", is_flag=True, help="Only check; exit 1 naming every stale generated file.")
@click.option(
    "--root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=PROJECT_ROOT,
    show_default=True,
    help="Project root holding the generated files.",
)
def main(check: bool, root: Path) -> None:
    """Generate the protocol's Python, SystemVerilog, C and Markdown files from spec.toml."""
    try:
        if check:
            stale = stale_files(root)
            for path in stale:
                click.echo(f"stale: {path} (run `python -m firmware_interface.generate`)", err=True)
            sys.exit(1 if stale else 0)
        for path in write_all(root):
            click.echo(f"wrote {path}")
    except SpecError as error:
        raise click.ClickException(f"spec.toml: {error}") from None


if __name__ == "__main__":
    main()
