"""``shiliao privacy``: the privacy review (``scan``) and the editors' decisions (``decide``)."""

from __future__ import annotations

import json
from contextlib import nullcontext
from pathlib import Path

import click

from shiliao.archive import open_archive
from shiliao.cli.console import SafeConsole, ShiliaoCommand
from shiliao.model import DECISIONS, FINDING_KINDS
from shiliao.operations.review import decide, scan


@click.group("privacy")
def privacy_group() -> None:
    """Personal data in the archive: what nobody has reviewed, and the editors' decisions.

    Every build finds resident ID numbers, phone numbers, e-mail addresses, licence plates,
    street addresses and personal names in every source. A private finding nobody decided
    keeps its source off the public site but for a catalogue record (the collection's
    [privacy] unreviewed = "withhold"); decisions go into the collection's privacy.yaml.
    """


@privacy_group.command("scan", cls=ShiliaoCommand)
@click.argument("archive_dir", metavar="ARCHIVE", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--all",
    "include_decided",
    is_flag=True,
    help="Also list decided findings, public roles, and the findings of team sources and "
    "sources under embargo.",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help='Print {"unreviewed": [...], "decided": [...], "sources"}: each finding with key, '
    "source_id, field, paragraph, char_start, char_end, kind, text, role, reason, context.",
)
def privacy_scan(archive_dir: Path, include_decided: bool, as_json: bool) -> None:
    """List the personal data findings nobody has decided, as the last build left them.

    Each line gives the finding's key (for `shiliao privacy decide --finding`), its source,
    where in it, the kind, the text in its context and why it was taken for personal data.
    This is for the team's eyes: it prints the personal data it lists.
    """
    with open_archive(archive_dir) as archive:
        result = scan(archive, include_decided=include_decided)
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
        return
    out = SafeConsole(highlight=False, soft_wrap=True)
    for title, findings in (("unreviewed", result.unreviewed), ("decided", result.decided)):
        if title == "decided" and not include_decided:
            continue
        out.print(f"{len(findings)} {title} finding(s):", markup=False)
        for finding in findings:
            where = f"¶{finding.paragraph}" if finding.paragraph else finding.field
            context = " ".join(finding.context.split())
            out.print(
                f"  {finding.key}  {finding.source_id} {where}  {finding.kind} "
                f"[{finding.text}]  ({finding.reason})  …{context}…",
                markup=False,
            )
    if result.unreviewed:
        out.print(
            f"{result.sources} source(s) wait for review; decide with `shiliao privacy decide "
            "COLLECTION redact|public|not-personal --finding KEY` (or --text), then build.",
            markup=False,
        )


@privacy_group.command("decide", cls=ShiliaoCommand)
@click.argument(
    "collection_dir",
    metavar="COLLECTION",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
)
@click.argument("decision", type=click.Choice(DECISIONS))
@click.option("--text", help="The text decided about, everywhere it occurs (in any script).")
@click.option("--finding", help="The key of one finding (from `shiliao privacy scan`).")
@click.option(
    "--source",
    "source_id",
    help="Limit the decision to this source; for `checked`, the source an editor read.",
)
@click.option(
    "--kind", type=click.Choice(FINDING_KINDS), help="What the text is (picks the placeholder)."
)
@click.option("--note", help="Why, for the team.")
@click.option("--by", help="Who decides (default: your user name).")
@click.option(
    "--archive",
    "archive_dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="The archive: checks a finding's key, and logs the decision (the text as an HMAC).",
)
def privacy_decide(
    collection_dir: Path,
    decision: str,
    text: str | None,
    finding: str | None,
    source_id: str | None,
    kind: str | None,
    note: str | None,
    by: str | None,
    archive_dir: Path | None,
) -> None:
    """Record a decision in COLLECTION/privacy.yaml; the next build applies it.

    redact: withhold the text (or the finding's text) from every public output, its parts
    too (a given name, each part of a transliterated name). public: a person in a public
    role. not-personal: not personal data. checked: an editor read the whole --source.
    """
    opened = open_archive(archive_dir, writer="privacy decide") if archive_dir else nullcontext()
    with opened as archive:
        made, path = decide(
            collection_dir,
            decision,
            text=text,
            finding=finding,
            source=source_id,
            kind=kind,
            note=note,
            by=by,
            archive=archive,
        )
    what = made.finding or (f"source {made.source}" if made.decision == "checked" else "the text")
    click.echo(f"{made.decision}: {what}, written to {path}; run `shiliao build` to apply it")
