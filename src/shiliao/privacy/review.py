"""The review: what the editors decided about each finding, and what nobody has decided yet.

A finding (``model.Finding``) is decided by, in this order:

1. a decision about it alone (``finding: KEY`` in ``privacy.yaml``);
2. a decision about its text limited to its source, then one about its text everywhere
   (texts compared folded: script, width, name separators);
3. a ``checked`` decision for its source (an editor read the source: what they did not decide
   otherwise is fine);
4. the people in a public role the archive knows (``people.yaml``, glossary terms of category
   ``person``, the source's own creators): their names are ``public``;
5. its context: a name with an office (书记王明) or a byline is ``public``.

What is left, a private finding nobody decided, is *unreviewed*. A ``redact`` decision about a
text withholds that text wherever it occurs in its scope, found by the detectors or not, and a
redacted name's parts too (its given name, each part of a transliterated name), since a source
that names 阿依古丽·买买提 goes on to call her 阿依古丽. Redaction wins: a text some decision
withholds is withheld even where another finding of it was kept.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from shiliao.model import Decision, Finding, Source, Term
from shiliao.privacy.detect import detect
from shiliao.privacy.fold import NAME_DOT, fold
from shiliao.privacy.names import looks_like_name, name_parts

__all__ = [
    "Review",
    "SourceReview",
    "fold_key",
    "guess_kind",
    "public_persons",
    "review_findings",
]


def guess_kind(text: str) -> str:
    """The kind of data an editor's text decision is about when it names none: what the
    detectors make of the text alone (a phone number, an ID number...), ``name`` for a text
    with the shape of a name, else ``other``."""
    found = detect(text)
    if len(found) == 1 and found[0].start == 0 and found[0].end == len(text.strip()):
        return found[0].kind
    return "name" if looks_like_name(text) else "other"


def fold_key(text: str) -> str:
    """A text as decisions compare it: folded, name separators and spaces left out."""
    return "".join(c for c in fold(text).strip() if c not in f"{NAME_DOT}- \u3000")


def public_persons(people: Iterable[str], terms: Iterable[Term]) -> set[str]:
    """The folded names of the people the archive names in a public role: ``people.yaml`` and
    glossary terms of category ``person`` (their Simplified and Traditional forms)."""
    names = {fold_key(name) for name in people}
    for term in terms:
        if term.category == "person":
            names.add(fold_key(term.term))
            if term.traditional:
                names.add(fold_key(term.traditional))
    return names


def _creators(source: Source) -> set[str]:
    found = set()
    for creator in source.metadata.get("creators") or []:
        name = creator.get("name") if isinstance(creator, dict) else creator
        if isinstance(name, str) and name.strip():
            found.add(fold_key(name))
    return found


@dataclass
class SourceReview:
    """The review of one source.

    Attributes:
        source_id: the source.
        redact: ``(text, kind)`` of everything to withhold from it: decided findings, text
            decisions in its scope, their name parts, and unreviewed findings when the rule
            is ``redact``.
        unreviewed: its private findings nobody decided.
        public: findings decided or known to be public roles, or not personal data.
        checked: whether an editor marked the whole source ``checked``.
        regions: ``[page, left, top, right, bottom]`` of each region of its picture or PDF
            pages to paint over (fractions of the width and height).
    """

    source_id: str
    redact: list[tuple[str, str]] = field(default_factory=list)
    unreviewed: list[Finding] = field(default_factory=list)
    public: list[Finding] = field(default_factory=list)
    checked: bool = False
    regions: list[list[float]] = field(default_factory=list)


@dataclass
class Review:
    """The review of every source.

    Attributes:
        sources: source id -> its ``SourceReview`` (every source given, findings or not).
        used: the decisions that matched a finding or a source (a text decision that matches
            no finding may still match text: the redaction reports that).
    """

    sources: dict[str, SourceReview]
    used: set[int] = field(default_factory=set)


def review_findings(
    sources: Sequence[Source],
    findings: Iterable[Finding],
    decisions: Sequence[Decision],
    public: set[str],
    *,
    redact_unreviewed: bool = False,
) -> Review:
    """Apply the decisions to the findings (the order in the module docstring).

    Args:
        sources: every source of the archive.
        findings: their findings.
        decisions: the collection's decisions, in file order.
        public: folded names of public persons (``public_persons``).
        redact_unreviewed: withhold unreviewed findings too (``unreviewed = "redact"``).

    Returns:
        A ``Review``; ``used`` holds the positions in ``decisions`` that matched something.
    """
    result = Review({s.id: SourceReview(s.id) for s in sources})
    creators = {s.id: _creators(s) for s in sources}
    by_finding = {d.finding: (n, d) for n, d in enumerate(decisions) if d.finding}
    by_text: dict[tuple[str, str | None], tuple[int, Decision]] = {}
    for number, decision in enumerate(decisions):
        if decision.text:
            by_text[(fold_key(decision.text), decision.source)] = (number, decision)
        if decision.decision == "checked" and decision.source in result.sources:
            result.sources[decision.source].checked = True
            result.used.add(number)
        if decision.region is not None and decision.source in result.sources:
            result.sources[decision.source].regions.append([decision.page, *decision.region])
            result.used.add(number)
    findings = list(findings)
    undecided: list[Finding] = []
    for finding in findings:
        entry = result.sources.get(finding.source_id)
        if entry is None:
            continue
        key = fold_key(finding.text)
        decided = (
            by_finding.get(finding.key)
            or by_text.get((key, finding.source_id))
            or by_text.get((key, None))
        )
        if decided is None:
            undecided.append(finding)
            continue
        number, decision = decided
        result.used.add(number)
        if decision.decision == "redact":
            entry.redact.append((finding.text, decision.kind or finding.kind))
        else:
            entry.public.append(finding)
    kinds = {
        d.text: d.kind or guess_kind(d.text) for d in decisions if d.decision == "redact" and d.text
    }
    for decision in decisions:
        if decision.decision != "redact" or not decision.text:
            continue
        scope = [decision.source] if decision.source else list(result.sources)
        for source_id in scope:
            if source_id in result.sources:
                result.sources[source_id].redact.append((decision.text, kinds[decision.text]))
    # A redacted name's parts are redacted too: a finding of one of them is decided.
    withheld = {
        source_id: {fold_key(text) for text, _ in entry.redact}
        | {
            fold_key(part)
            for text, kind in entry.redact
            if kind == "name"
            for part in name_parts(text)
        }
        for source_id, entry in result.sources.items()
    }
    for finding in undecided:
        entry = result.sources[finding.source_id]
        key = fold_key(finding.text)
        if key in withheld[finding.source_id]:
            entry.redact.append((finding.text, finding.kind))
        elif (
            finding.role == "public"
            or key in public
            or key in creators[finding.source_id]
            or entry.checked
        ):
            entry.public.append(finding)
        else:
            entry.unreviewed.append(finding)
            if redact_unreviewed:
                entry.redact.append((finding.text, finding.kind))
    for entry in result.sources.values():
        entry.redact += [
            (part, "name")
            for text, kind in list(entry.redact)
            if kind == "name"
            for part in name_parts(text)
        ]
    return result
