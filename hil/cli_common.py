"""What every `hil` command shares: one-line usage errors, progress bars, common options.

Its own module so that command groups living beside their library code (`hil visa`, `hil fit`,
`hil finetune`, `hil demo`) can use it without importing `hil.cli`, which imports them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from hil.backends import BACKEND_HELP
from hil.errors import HilError

F = TypeVar("F", bound=Callable[..., Any])
console = Console(stderr=True)


class UsageProblem(click.ClickException):
    """A one-line error for the user; exit code 2 like click's own usage errors."""

    exit_code = 2


def friendly_errors(command: F) -> F:
    """Turn the library's input errors into `Error: <message>` with exit code 2."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (HilError, ValueError, FileNotFoundError, IsADirectoryError) as error:
            raise UsageProblem(str(error).splitlines()[0] if str(error) else repr(error)) from None

    return wrapper  # type: ignore[return-value]


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar; yields a `(done, total)` callback."""
    columns = (
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield update


backend_option = click.option(
    "--backend", default="sim", show_default=True, help=f"Chip backend: {BACKEND_HELP}."
)
seed_option = click.option(
    "--seed", type=int, default=0, show_default=True, help="Seed of simulated chips."
)
