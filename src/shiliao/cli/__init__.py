"""The command line: one thin function per command over ``shiliao.operations`` (sqlite-utils'
pattern), a module per group of commands.

Errors of shiliao's own (``ShiliaoError``) print one line that says what to do and exit 1; a
traceback only with ``--debug``. Progress bars go to standard error on a terminal and stay
quiet in a pipe. ``--json`` output is stable: keys are only ever added.
"""

from __future__ import annotations

import importlib

import click

from shiliao import __version__

__all__ = ["COMMANDS", "main"]

# Each command: (module under shiliao.cli, the command's name there, its one-line help).
# Modules are imported when their command runs, not when ``shiliao --help`` lists them: the
# operations below them pull in PDF, OCR, search and publishing libraries, seconds of imports
# that a listing does not need (click's "lazily loading subcommands" pattern). The one-line
# help here is the command's ``short_help``, so the listing and ``COMMAND --help`` agree.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "build": ("build", "build", "Ingest a collection folder and publish its website."),
    "add": ("add", "add", "Capture web pages and files into an archive as new sources."),
    "search": ("search", "search_command", "Search the passages of an archive (KWIC lines)."),
    "show": ("show", "show", "Show a source: metadata, fixity, status, publication."),
    "cite": ("cite", "cite_command", "Cite a source or bibliography entry of an archive."),
    "terms": ("terms", "terms_group", "The glossary and the archive's vocabulary."),
    "privacy": ("privacy", "privacy_group", "Personal data: what nobody reviewed, decisions."),
    "verify": ("integrity", "verify", "Check fixity, the log and its checkpoints."),
    "verify-file": ("integrity", "verify_file", "Check one downloaded file against its proof."),
    "checkpoint": ("integrity", "checkpoint_command", "Sign a checkpoint of the archive's log."),
    "export": ("cite", "export_command", "Export the public archive: BagIt, WACZ, CSL-JSON..."),
    "import-bib": ("cite", "import_bib", "Merge a Zotero export into the bibliography."),
    "rebuild": (
        "integrity",
        "rebuild_command",
        "Make the database and index again from objects/ and log/.",
    ),
    "repair-log": ("integrity", "repair_log", "Set aside a torn last line of the log."),
    "backup": ("backup", "backup", "Write an encrypted backup (age) of an archive."),
    "restore": ("backup", "restore", "Restore a backup into a new folder and verify it."),
    "serve": ("serve", "serve", "Run the editorial web app for a team (loopback by default)."),
    "users": ("serve", "users_group", "Accounts of the editorial app: add, remove, passwd, list."),
}


class LazyGroup(click.Group):
    """A command group that imports a command's module only when the command is used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """The commands' names, in the order of ``COMMANDS``."""
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Import and return a command; None for an unknown name (click says so)."""
        if cmd_name not in COMMANDS:
            return None
        module, attribute, short_help = COMMANDS[cmd_name]
        command = getattr(importlib.import_module(f"shiliao.cli.{module}"), attribute)
        command.short_help = short_help
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List the commands with their one-line help, importing none of them."""
        with formatter.section("Commands"):
            formatter.write_dl([(name, short) for name, (_, _, short) in COMMANDS.items()])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="shiliao")
@click.option("--debug", is_flag=True, help="Show a traceback on errors.")
def main(debug: bool) -> None:
    """shiliao (史料): turn a folder of primary sources into a preserved, searchable, citable
    archive and a static website."""
