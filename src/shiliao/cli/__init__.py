"""The command line: one thin function per command over ``shiliao.operations`` (sqlite-utils'
pattern), a module per group of commands.

Errors of shiliao's own (``ShiliaoError``) print one line that says what to do and exit 1; a
traceback only with ``--debug``. Progress bars go to standard error on a terminal and stay
quiet in a pipe. ``--json`` output is stable: keys are only ever added.
"""

from __future__ import annotations

import click

from shiliao import __version__
from shiliao.cli.add import add
from shiliao.cli.build import build
from shiliao.cli.cite import cite_command, export_command, import_bib
from shiliao.cli.integrity import (
    checkpoint_command,
    rebuild_command,
    repair_log,
    verify,
    verify_file,
)
from shiliao.cli.privacy import privacy_group
from shiliao.cli.search import search_command
from shiliao.cli.show import show
from shiliao.cli.terms import terms_group

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="shiliao")
@click.option("--debug", is_flag=True, help="Show a traceback on errors.")
def main(debug: bool) -> None:
    """shiliao (史料): turn a folder of primary sources into a preserved, searchable, citable
    archive and a static website."""


for _command in (
    build,
    add,
    search_command,
    show,
    cite_command,
    terms_group,
    privacy_group,
    verify,
    verify_file,
    checkpoint_command,
    export_command,
    import_bib,
    rebuild_command,
    repair_log,
):
    main.add_command(_command)
