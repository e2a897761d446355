"""The `hil` command line. It only parses arguments and calls library code."""

from __future__ import annotations

import click

from hil import __version__


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
