"""The installed `hil` console script."""

from __future__ import annotations

import shutil
import subprocess

from click.testing import CliRunner

from hil import __version__
from hil.cli import main


def test_version_from_the_installed_script() -> None:
    exe = shutil.which("hil")
    assert exe is not None, "the `hil` console script is not installed"
    result = subprocess.run([exe, "--version"], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == f"hil, version {__version__}"
    assert __version__ != "0.0.0+unknown"


def test_help_lists_commands() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0 and "protocol" in result.output


def test_unknown_command_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["frobnicate"])
    assert result.exit_code == 2 and "No such command" in result.output


def test_protocol_lists_opcodes() -> None:
    result = CliRunner().invoke(main, ["protocol"])
    assert result.exit_code == 0
    assert "0x04 PROGRAM" in result.output and "max frame 1035 bytes" in result.output
