"""The archive's objects as plain, typed values, with no I/O.

Terms follow DESIGN.md: a *source* is one primary source; a *file* is original bytes named by
their SHA-256; a *passage* is a unit of extracted text; a *term* is a glossary entry; a *section*
is a curated essay. Dates are EDTF strings (``"2016"``, ``"1921-07"``, ``"2019-03-05"``); languages
are BCP 47 tags (``"zh-Hans"``, ``"zh-Hant"``, ``"ug-Arab"``, ``"en"``). Character offsets are
half-open, in Unicode code points, into a page's text.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ACCESS_LEVELS",
    "DECISIONS",
    "FINDING_KINDS",
    "Access",
    "Annotation",
    "Creator",
    "Decision",
    "Extraction",
    "FileRecord",
    "Finding",
    "Page",
    "Passage",
    "Publication",
    "Section",
    "Source",
    "SourceInput",
    "Term",
    "TextLayer",
    "Translation",
]


@dataclass(frozen=True)
class FileRecord:
    """An original file as stored.

    Attributes:
        sha256: digest of the bytes, 64 lowercase hex characters.
        size: length in bytes.
        media_type: IANA media type decided from the bytes and the name, e.g. ``"text/html"``.
        original_name: the file name it had in the collection (NFC), for provenance.
    """

    sha256: str
    size: int
    media_type: str
    original_name: str


@dataclass(frozen=True)
class Creator:
    """A person or body responsible for a source.

    Attributes:
        name: the name as the source writes it (original script).
        role: CSL-style role: ``"author"``, ``"publisher"``, ``"editor"``...
        name_en: a romanized or English form, when known.
    """

    name: str
    role: str = "author"
    name_en: str | None = None


@dataclass
class SourceInput:
    """A source as read from a collection folder, before it is stored.

    Attributes:
        id: stable identifier, URL-safe (``[a-z0-9-]``), unique in the archive.
        path: the file's path relative to the collection folder, POSIX separators.
        line: 1-based line number for a source that is one line of a JSON-lines file, else None.
        record_sha256: digest of exactly the bytes this source came from: the whole file, or
            the line (without its newline) for a JSON-lines source.
        metadata: title, date, type, language, url, creators, collections... as mapped by the
            sidecar (see ``collection.sidecar``).
        text: the text for a source whose text is given by its record (JSON lines); None when
            the text must be extracted from the file.
        fingerprint: digest of everything that decides how the source is processed (record
            bytes, sidecar, pipeline version); unchanged fingerprint means nothing to redo.
    """

    id: str
    path: str
    line: int | None
    record_sha256: str
    metadata: dict[str, Any]
    text: str | None
    fingerprint: str


@dataclass(frozen=True)
class Page:
    """The text of one page (PDF) or of the whole document (other formats: page 1).

    Attributes:
        number: 1-based page number.
        text: the page's text as extracted, NFC, paragraphs separated by ``"\\n"``.
        method: how this page's text was obtained when it differs from its extraction's
            method (``"ocr"`` for a scanned page of a PDF with a text layer), else None.
        language: BCP 47 tag of the page's text (``"mul"`` when mixed), None when it has no
            letters.
    """

    number: int
    text: str
    method: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class Passage:
    """One paragraph of extracted text.

    Attributes:
        source_id: the source it belongs to.
        page: 1-based page number.
        paragraph: 1-based paragraph number within the source (not the page), in reading order.
        char_start: offset of the first character in the page text (code points).
        char_end: offset one past the last character (code points).
        text: the original text, ``page.text[char_start:char_end]`` with the line breaks
            inside the paragraph (and the whitespace around them) taken out; what is shown.
        method: how the text was obtained: ``"record"``, ``"text"``, ``"markdown"``, ``"html"``,
            ``"pdf-text-layer"``, ``"ocr"`` (machine-read: show it marked as such), ``"docx"``.
        id: the database's id for a stored passage (also its id in the search index), else None.
        language: BCP 47 tag of the passage's text (``"mul"`` when mixed), else None.
        confidence: for text read by OCR, the lowest engine confidence (0.0 to 1.0) among the
            OCR lines that make up the passage: its weakest line, which a reader must be
            warned of (see ``passages.attach_ocr_confidence``); None for text not read by OCR,
            or OCR text no line could be traced to.
    """

    source_id: str
    page: int
    paragraph: int
    char_start: int
    char_end: int
    text: str
    method: str
    id: int | None = None
    language: str | None = None
    confidence: float | None = None


@dataclass
class Extraction:
    """What an extractor found in one file.

    Attributes:
        pages: the text per page, in order; at least one page for a readable file.
        method: the extraction method, as in ``Passage.method``.
        metadata: what the file says of itself: ``title``, ``date`` (EDTF), ``creators``,
            ``publisher``, ``encoding``... only keys that were found.
        language: BCP 47 tag of the whole text (``"mul"`` when mixed), None without letters.
        documents: the documents a container file holds, each its own source (a web archive's
            HTML responses, with ``url`` and ``warc_date`` in their metadata); empty for a
            file that is one document. A container's own ``pages`` may be empty.
    """

    pages: list[Page]
    method: str
    metadata: dict[str, Any] = field(default_factory=dict)
    language: str | None = None
    documents: list[Extraction] = field(default_factory=list)


@dataclass(frozen=True)
class TextLayer:
    """A reading of a page that is kept but not shown: a PDF text layer of glyph codes whose
    page is shown as OCR read it.

    Attributes:
        source_id: the source it belongs to.
        page: 1-based page number.
        method: how it was read (``"pdf-text-layer"``), as in ``Passage.method``.
        text: the reading as the extractor gave it (a PDF's characters in PDFium's order,
            control characters included, lone surrogates as U+FFFD).
        reasons: why it is not shown, one sentence each.
    """

    source_id: str
    page: int
    method: str
    text: str
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Source:
    """A stored source, as the database holds it.

    Attributes:
        id: stable identifier.
        title: title in the original language.
        date: EDTF date, or None when the record has none.
        type: CSL type (``"report"``, ``"speech"``, ``"webpage"``...).
        language: BCP 47 tag.
        metadata: every other field (url, publisher, creators, collections, rights...).
        file_sha256: digest of the original file the source came from.
        line: 1-based line in that file for a JSON-lines source, else None.
        record_sha256: digest of the exact bytes of the record.
        path: path of the original in the collection folder.
        status: ``"extracted"`` or ``"extraction_failed"``.
        error: why extraction failed, else None.
        date_source: where ``date`` was read, None when undated: ``"sidecar"``, or what the
            file says (``"label:发布时间"``, ``"signature line"``, ``"meta:pubdate"``,
            ``"url path"``, ``"front matter"``, ``"date-time line, year from context: url
            path 2019-04"``...; see ``extract.dates``).
    """

    id: str
    title: str
    date: str | None
    type: str
    language: str
    metadata: dict[str, Any]
    file_sha256: str
    line: int | None
    record_sha256: str
    path: str
    status: str
    error: str | None = None
    date_source: str | None = None


@dataclass(frozen=True)
class Term:
    """A glossary entry.

    Attributes:
        term: the term in Simplified Chinese (the entry's key).
        pinyin: Hanyu Pinyin with tone marks, as the glossary gives it.
        english: English renderings, preferred first.
        traditional: the Traditional form, or None where it is the same.
        category: campaign, slogan, formula, institution, practice, place, office-holder, concept.
        parts: for a formula, the items it stands for (Chinese).
        parts_en: the same items in English where the Chinese is not attested.
        note: a short definition.
        see: related terms.
        uyghur: ``{"latin": ..., "arabic": ...}`` for places, else None.
        auto_filled: names of the fields filled in automatically because the glossary gave
            none (``"traditional"``, ``"pinyin"``: see ``zh.entries``); empty for an entry
            exactly as written.
    """

    term: str
    pinyin: str
    english: tuple[str, ...]
    traditional: str | None = None
    category: str | None = None
    parts: tuple[str, ...] = ()
    parts_en: tuple[str, ...] = ()
    note: str | None = None
    see: tuple[str, ...] = ()
    uyghur: dict[str, str] | None = None
    auto_filled: tuple[str, ...] = ()


@dataclass(frozen=True)
class Section:
    """A curated essay from ``essays/``.

    Attributes:
        id: the file's stem, URL-safe.
        path: path relative to the collection folder.
        front_matter: the YAML front matter as a mapping (title, subtitle, collection...).
        body: the Markdown body, without the front matter.
        body_line: 1-based line number of the body's first line in the file (for warnings).
        sha256: digest of the file's bytes.
    """

    id: str
    path: str
    front_matter: dict[str, Any]
    body: str
    body_line: int
    sha256: str


ACCESS_LEVELS = ("public", "redacted", "metadata", "team")
"""The access levels, from the least to the most restrictive (DESIGN.md, "Access and privacy"):

- ``public``: published in full, with the redactions an editor decided;
- ``redacted``: published with its redactions applied; the original file is never offered,
  only a public copy derived from it;
- ``metadata``: a catalogue record and citation only: no text, no file, no passage in any
  public index (copyrighted theses and articles);
- ``team``: never in a public output.

``embargo`` is not a level of its own: an ``Access`` with ``until`` is ``team`` until that day,
then its ``then`` level.
"""


@dataclass(frozen=True)
class Access:
    """The access level a sidecar, a folder rule or a collection rule gives.

    Attributes:
        level: one of ``ACCESS_LEVELS``.
        until: for an embargo, the first day (ISO 8601 ``YYYY-MM-DD``, UTC) on which ``level``
            applies; before it the source is ``team``. None for no embargo.
    """

    level: str
    until: str | None = None

    def at(self, today: datetime.date) -> str:
        """The level in force on ``today``: ``team`` during an embargo, else ``level``."""
        if self.until is not None and today < datetime.date.fromisoformat(self.until):
            return "team"
        return self.level

    def describe(self) -> str:
        """How a person writes it: ``"metadata"``, ``"embargo until 2030-01-01, then public"``."""
        if self.until is None:
            return self.level
        return f"embargo until {self.until}, then {self.level}"

    @classmethod
    def parse(cls, value: Any) -> Access:
        """Read an access value as a sidecar or ``shiliao.toml`` writes it.

        Args:
            value: a level name (``"public"``, ``"redacted"``, ``"metadata"``, ``"team"``), or
                a mapping ``{"embargo": DATE, "then": LEVEL}`` (DATE ``YYYY-MM-DD``, a
                ``datetime.date`` too).

        Returns:
            The ``Access``.

        Raises:
            ValueError: anything else, with a message that names what is accepted (callers
                turn it into a ``SidecarError`` or ``ConfigError`` naming the file).
        """
        if isinstance(value, str) and value in ACCESS_LEVELS:
            return cls(value)
        if isinstance(value, dict):
            unknown = set(value) - {"embargo", "then"}
            if unknown:
                raise ValueError(
                    f"unknown key {sorted(unknown)[0]!r} in an embargo (write "
                    "{embargo: YYYY-MM-DD, then: LEVEL})"
                )
            until, then = value.get("embargo"), value.get("then")
            if isinstance(until, datetime.date):
                until = until.isoformat()
            try:
                datetime.date.fromisoformat(str(until))
            except ValueError:
                raise ValueError(
                    f"embargo {until!r} is not a date; write embargo: YYYY-MM-DD"
                ) from None
            if then not in ACCESS_LEVELS or then == "team":
                raise ValueError(
                    "an embargo names the level it ends in: then: public, redacted or metadata"
                )
            return cls(str(then), str(until))
        raise ValueError(
            f"unknown access level {value!r}; use public, redacted, metadata, team, or "
            "{embargo: YYYY-MM-DD, then: LEVEL}"
        )


FINDING_KINDS = ("resident_id", "phone", "email", "licence_plate", "address", "name")
"""The kinds of personal data detected (``privacy.detect``)."""


@dataclass(frozen=True)
class Finding:
    """Personal data detected in a source, as stored for review.

    Attributes:
        key: stable identifier (``f-`` and 12 hex digits) from the source, the place, the
            kind, the text and its context, so that a decision about it survives a rebuild.
        source_id: the source it was found in.
        field: where: ``"text"`` (a passage), ``"title"``, ``"path"`` or
            ``"metadata.<key>"`` (``metadata.creators[0].name`` inside a list).
        char_start: offset of its first character in that text (code points).
        char_end: offset one past its last character.
        kind: one of ``FINDING_KINDS``.
        text: what was found, as written.
        role: ``"private"`` (a private individual's data) or ``"public"`` (a person in a
            public role: an official with their office, a byline), as the text's context says.
        reason: what decided it (``"checksum"``, ``"after 亲戚"``, ``"before 书记"``...).
        context: the text around it, up to 20 characters each side.
        paragraph: for a passage, its paragraph number; else None.
        passage_id: for a passage, its database id; else None.
    """

    key: str
    source_id: str
    field: str
    char_start: int
    char_end: int
    kind: str
    text: str
    role: str
    reason: str
    context: str
    paragraph: int | None = None
    passage_id: int | None = None


DECISIONS = ("redact", "public", "not-personal", "checked")
"""What an editor decides (``privacy.yaml``): ``redact`` a string or finding everywhere it
occurs (in the scope given), keep it as a ``public`` role, say it is ``not-personal`` data at
all, or say a whole source was ``checked`` (its findings not decided otherwise are fine, and an
original that could not be read for personal data may be offered)."""


@dataclass(frozen=True)
class Decision:
    """One entry of the collection's ``privacy.yaml``.

    Attributes:
        decision: one of ``DECISIONS``.
        text: the string decided about (a name, a number), matched in every form a reader
            takes as the same (``privacy.fold``); None for a decision about a finding or a
            source.
        finding: the key of the one finding decided about (``Finding.key``), or None.
        source: the source the decision is limited to, or None for everywhere; for
            ``checked``, the source checked.
        kind: for ``text``, the kind of data it is (``name``, ``phone``...; it picks the
            placeholder), None when unknown.
        note: why, for the team.
        by: who decided.
        date: when (``YYYY-MM-DD``).
        region: for a ``redact`` of part of a picture or a PDF page of ``source`` (a face, a
            name tag): ``(left, top, right, bottom)`` as fractions (0.0 to 1.0) of the
            picture's width and height; painted over in its public copy. None otherwise.
        page: the page (PDF) or frame (picture) of ``region``, from 1.
        line: its line in ``privacy.yaml``, for messages.
    """

    decision: str
    text: str | None = None
    finding: str | None = None
    source: str | None = None
    kind: str | None = None
    note: str | None = None
    by: str | None = None
    date: str | None = None
    region: tuple[float, float, float, float] | None = None
    page: int = 1
    line: int = 0


@dataclass(frozen=True)
class Publication:
    """How a source appears in the public projection, for its page to say so.

    Attributes:
        level: the level it is published at: ``"public"``, ``"redacted"`` or ``"metadata"``.
        reasons: why it is not published in full, one line each ("2 personal data findings
            not yet reviewed", "access level metadata (set in its sidecar)"); empty when it is.
        withheld: kind -> how many spans of its text, title and metadata were replaced by a
            placeholder (``{"name": 2}``), never which.
        file: what of its file is offered: ``"original"``, ``"copy"`` (a public copy derived
            from it, see ``copy_note``) or None (nothing).
        copy_note: for a copy, how it was made; when no file is offered, why.
    """

    level: str
    reasons: tuple[str, ...] = ()
    withheld: dict[str, int] = field(default_factory=dict)
    file: str | None = None
    copy_note: str | None = None


@dataclass(frozen=True)
class Annotation:
    """A curator's note on one passage (``annotations.yaml``, ``collection.annotations``).

    Attributes:
        source: the id of the source annotated.
        paragraph: the passage's number (``Passage.paragraph``).
        note: the note, plain text.
        quote: words of the passage to highlight, or None.
        tags: the note's tags.
        terms: glossary terms it links to.
        sources: ids of other sources it links to.
        access: ``"team"`` for a note only the team site shows, else None.
        line: the entry's line in ``annotations.yaml`` (0 when unknown).
    """

    source: str
    paragraph: int
    note: str
    quote: str | None = None
    tags: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    access: str | None = None
    line: int = 0


@dataclass(frozen=True)
class Translation:
    """A human translation of a source, aligned paragraph by paragraph with its passages
    (``collection.translations``).

    Attributes:
        source: the id of the source translated.
        language: the translation's BCP 47 tag (``"en"``).
        path: the translation's file, relative to the collection.
        paragraphs: ``(passage number, text)`` in order, numbers ascending and distinct.
        title: its title (front matter), or None.
        translator: who translated it (front matter), or None.
        note: a note on the translation (front matter), or None.
        withheld: the numbers of the translated paragraphs not published because something
            of their original passage is withheld (set by the public projection).
    """

    source: str
    language: str
    path: str
    paragraphs: tuple[tuple[int, str], ...]
    title: str | None = None
    translator: str | None = None
    note: str | None = None
    withheld: tuple[int, ...] = ()
