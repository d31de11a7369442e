"""What a source page shows beside its text: the curators' annotations, a translation side by
side, the reliability assessment, and the rows they add to the site's search index.

Everything here reads the catalog the site is built from (the public projection for the public
site, where what may not be published is already gone: ``privacy.projection``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from shiliao.collection.reliability import (
    INFORMATION_CREDIBILITY,
    SOURCE_RELIABILITY,
    reliability_code,
)
from shiliao.model import Annotation, Passage, Translation
from shiliao.publish.lang import passage_markup
from shiliao.zh.glossary import Mention

__all__ = [
    "ShownNote",
    "is_diagnostic",
    "note_rows",
    "quoted_markup",
    "reliability_parts",
    "shown_notes",
]

# Extraction's diagnostics: for curators (`shiliao show --json`, the team site), not readers.
_DIAGNOSTIC_PREFIXES = ("extracted_",)
_DIAGNOSTIC_KEYS = frozenset({"language_declared"})


def is_diagnostic(key: str) -> bool:
    """Whether a metadata key records how the text was extracted (``extracted_encoding``,
    ``extracted_replacement_ratio``...), which a public source page leaves out."""
    return key in _DIAGNOSTIC_KEYS or key.startswith(_DIAGNOSTIC_PREFIXES)


@dataclass(frozen=True)
class ShownNote:
    """An annotation as its passage shows it.

    Attributes:
        note: the note's text.
        tags: its tags.
        terms: ``(term, URL of its page or None)``.
        sources: ``(title, URL of the source's page)`` for the linked sources the site has.
        team: whether only the team site shows it.
    """

    note: str
    tags: tuple[str, ...]
    terms: tuple[tuple[str, str | None], ...]
    sources: tuple[tuple[str, str], ...]
    team: bool


def shown_notes(
    annotations: Sequence[Annotation],
    term_url: Callable[[str], str | None],
    source_link: Callable[[str], tuple[str, str] | None],
) -> dict[int, list[ShownNote]]:
    """A source's annotations by the passage number they are on.

    Args:
        annotations: the source's annotations, in file order.
        term_url: the relative URL of a term's page, None for a term without one.
        source_link: ``(title, relative URL)`` of a source of the site, None for an id the
            site does not have (the link is left out).
    """
    found: dict[int, list[ShownNote]] = {}
    for note in annotations:
        found.setdefault(note.paragraph, []).append(
            ShownNote(
                note=note.note,
                tags=note.tags,
                terms=tuple((term, term_url(term)) for term in note.terms),
                sources=tuple(link for s in note.sources if (link := source_link(s)) is not None),
                team=note.access == "team",
            )
        )
    return found


def quoted_markup(
    text: str,
    mentions: Sequence[Mention],
    term_url: Callable[[str], str | None],
    lang: str | None,
    quotes: Sequence[str],
) -> Markup:
    """``publish.lang.passage_markup`` with the first occurrence of each quote of an
    annotation in ``<mark>``; a term that straddles a quote's edge is left unlinked."""
    spans: list[tuple[int, int]] = []
    for quote in quotes:
        at = text.find(quote)
        if at >= 0 and not any(at < end and start < at + len(quote) for start, end in spans):
            spans.append((at, at + len(quote)))
    if not spans:
        return passage_markup(text, mentions, term_url, lang)
    spans.sort()
    parts: list[Markup] = []
    cuts = [0]
    for start, end in spans:
        cuts += [start, end]
    cuts.append(len(text))
    for number in range(len(cuts) - 1):
        start, end = cuts[number], cuts[number + 1]
        inside = [
            Mention(m.char_start - start, m.char_end - start, m.term)
            for m in mentions
            if start <= m.char_start and m.char_end <= end
        ]
        piece = passage_markup(text[start:end], inside, term_url, lang)
        # Odd pieces are the quotes.
        parts.append(Markup("<mark>{}</mark>").format(piece) if number % 2 else piece)
    return Markup("").join(parts)


def reliability_parts(value: Any) -> tuple[str, str, str, str | None] | None:
    """``(code, source reliability, information credibility, note)`` of a source's
    ``metadata["reliability"]`` (``collection.reliability``), the meanings in English (the
    interface's words, translated by ``ui``); None when it has none."""
    code = reliability_code(value)
    if code is None:
        return None
    note = value.get("note") if isinstance(value, Mapping) else None
    return (
        code,
        SOURCE_RELIABILITY[value["source"]],
        INFORMATION_CREDIBILITY[value["information"]],
        str(note) if note else None,
    )


def note_rows(
    source_id: str,
    passages: Sequence[Passage],
    annotations: Sequence[Annotation],
    translations: Sequence[Translation],
) -> list[Passage]:
    """The rows a source's annotations and translations add to the site's search index
    (``searchindex.IndexedSource.notes``): each note (with its tags) and each translated
    paragraph, numbered as the passage it is on, so that a result opens that passage."""
    numbers = {p.paragraph: p for p in passages}
    rows = []
    for note in annotations:
        passage = numbers.get(note.paragraph)
        if passage is not None:
            text = " ".join([note.note, *note.tags])
            rows.append(_row(source_id, passage, text, "annotation", None))
    for translation in translations:
        for number, text in translation.paragraphs:
            passage = numbers.get(number)
            if passage is not None:
                rows.append(_row(source_id, passage, text, "translation", translation.language))
    return rows


def _row(source_id: str, passage: Passage, text: str, kind: str, lang: str | None) -> Passage:
    return Passage(
        source_id=source_id,
        page=passage.page,
        paragraph=passage.paragraph,
        char_start=0,
        char_end=len(text),
        text=text,
        method=kind,
        language=lang,
    )
