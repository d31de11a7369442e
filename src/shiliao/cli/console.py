"""What every command shares: a console that shows text from sources safely, the error
mapping of ``ShiliaoError`` to one line, and the progress bar."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from shiliao.errors import ShiliaoError
from shiliao.extract.finish import visible_controls

__all__ = [
    "STDERR",
    "SafeConsole",
    "ShiliaoCommand",
    "dask_option",
    "progress_bar",
    "public_option",
    "shown",
    "workers_option",
]


def shown(text: str) -> str:
    """Text from sources made safe for a terminal: control characters other than line breaks
    and tabs shown as symbols (``visible_controls``), so that an ESC in a title or a file
    name cannot recolour the terminal or retitle its window."""
    return "\n".join(
        "\t".join(visible_controls(part) for part in line.split("\t")) for line in text.split("\n")
    )


class SafeConsole(Console):
    """A rich ``Console`` whose printed strings pass through ``shown``."""

    def print(self, *objects: Any, **kwargs: Any) -> None:
        super().print(
            *(shown(o) if isinstance(o, str) else o for o in objects),
            **kwargs,
        )

    def line(self, text: str, **kwargs: Any) -> None:
        """Print ``text`` as one line of output: its own line breaks (a title with a newline
        in a sidecar) shown as symbols too (``visible_controls``), so that text from a source
        cannot forge a line of shiliao's output."""
        super().print(visible_controls(text), **kwargs)


STDERR = SafeConsole(stderr=True)
"""Where progress bars and warnings go."""


class ShiliaoCommand(click.Command):
    """Maps ``ShiliaoError`` to one line and exit code 1, unless ``--debug``."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ShiliaoError as exc:
            if ctx.find_root().params.get("debug"):
                raise
            raise click.ClickException(str(exc)) from exc


@contextmanager
def progress_bar(enabled: bool) -> Iterator[Callable[[str, int, int], None] | None]:
    """A ``progress(stage, done, total)`` callback drawing one bar per stage on standard error,
    or None when ``enabled`` is false or standard error is not a terminal (a pipe, CI)."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=STDERR, transient=True) as bar:
        tasks: dict[str, Any] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield update


public_option = click.option(
    "--public",
    is_flag=True,
    help="Read what the public website shows (the public projection, brought up to date): no "
    "team source, withheld text replaced.",
)
"""The ``--public`` flag of the commands that read an archive (``operations.search.open_view``)."""

workers_option = click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Files extracted at once, each in its own limited worker process.",
)
"""``--workers N`` of the commands that extract files."""

dask_option = click.option(
    "--dask",
    metavar="ADDRESS|local",
    help="Send extraction and OCR to a Dask cluster (a scheduler address, or 'local' for one "
    "on this machine); the archive stays the single writer.",
)
"""``--dask ADDRESS|local`` of the commands that extract files."""
