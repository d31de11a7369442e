"""The public projection: the one view of an archive that anything public is made from.

Every public output (the website's pages, its search index and shards, snippets, KWIC lines,
term pages, statistics, collocates, formula examples, browse pages and facet counts, home-page
counts, "cite this" files, downloads, and the default exports) reads this projection and
nothing else. It is a database of the archive's own schema (``store.Catalog``), in
``ARCHIVE/public/``, that holds only what may be published:

- a ``team`` source (and one under embargo) is not in it at all, so no count, facet, shard or
  statistic can show it;
- a ``metadata`` source (and, under ``unreviewed = "withhold"``, a source with personal data
  nobody reviewed) is a catalogue record: title and metadata, no passage, no file;
- a ``redacted`` source, and any source with something withheld, has every withheld span of
  its text, title, path and metadata replaced by a placeholder (``privacy.redact``); its
  original is never offered, only a public copy derived from it (``privacy.derive``);
- a ``public`` source with nothing withheld offers its original when every byte of it was
  read for personal data (plain text, Markdown, JSON lines) or an editor ``checked`` it, and
  when every other source made from the same file may offer it too (a JSON-lines file with a
  ``team`` line does not); otherwise it offers a public copy: a picture without its metadata,
  a PDF's pages as pictures, or its text;
- personal-data findings, decisions and the ``access`` of sidecars are never copied;
- the curators' annotations and translations of a source are copied only when its text is
  published: an annotation marked ``access: team`` never, a quote only when the published
  passage still holds it, a link only to a published source; a translated paragraph whose
  original passage had anything withheld is dropped (an English name cannot be matched to
  the Chinese one withheld), and so is every one of a source with a name withheld, even one
  an editor checked (the check covers the source, not the team's translation of it or notes
  on it), where notes and tags in other letters than Han are withheld too; withheld strings
  are replaced in what remains, tags included, and only glossary terms are linked; a note or
  translated paragraph with personal data no editor decided is left out (warned);
- the team's own writing (sections, bibliography, glossary, notes, translations) has the text
  of every ``redact`` decision replaced, one made for a single source included.

The projection is built anew when anything it depends on changed (the archive's content, the
privacy decisions and rules, an embargo that ended: its ``inputs`` state, kept out of ``content_version``), in a staging folder
swapped in by renames, and its ``content_version`` changes only when what it holds does, so a
change to a ``team`` source leaves the public site as it was, byte for byte.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import re
import shutil
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from shiliao import __version__
from shiliao.errors import DiskFull, StoreError
from shiliao.model import Annotation, Passage, Publication, Source, Term, Translation
from shiliao.privacy.derive import IMAGE_TYPES, PublicCopy, derive_in_worker, text_copy
from shiliao.privacy.detect import DETECTOR_VERSION, detect
from shiliao.privacy.names import name_parts
from shiliao.privacy.public import (
    DERIVATIVES_FOLDER,
    PROJECTION_FOLDER,
    PrivacyInputs,
    ProjectionReport,
)
from shiliao.privacy.redact import Withholding, placeholder, redact_text
from shiliao.privacy.review import fold_key, guess_kind, public_persons, review_findings
from shiliao.store import BlobStore, Catalog
from shiliao.store.folders import replace_folder
from shiliao.zh.glossary import GlossaryMatcher

__all__ = ["project"]

_FORMAT = "1"
# Formats whose every byte is read as the source's text: their original may be offered as it
# is (when it was decoded cleanly). Any other original also holds what was not read for
# personal data (a web page's navigation and comments, a PDF's pictures and properties, a
# Word file's properties, a JSON-lines line's other fields, a container's other files, a
# Markdown file's front matter), and is offered only once an editor has checked its source.
_READ_WHOLE = frozenset({"text/plain"})
# Metadata the archive keeps for the team and never publishes: the access a sidecar gives,
# and the other names a file has in the collection (a team duplicate's name among them).
_UNPUBLISHED_KEYS = frozenset({"access", "file_access", "file_collections", "also_named"})
# Metadata a team writes freely, in any language.
_FREE_TEXT_KEYS = frozenset(
    {"title_en", "description", "note", "tags", "subjects", "place", "extra", "publisher_en"}
)
_HAN = re.compile(r"[\u3400-\u9fff]")
_CHUNK_BYTES = 1 << 20


@dataclass
class _Projected:
    """One source as it will be published."""

    source: Source
    passages: list[Passage]
    publication: Publication
    candidate: bool = False  # may offer its original, if every source of the file may
    original_sha256: str = ""
    original_id: str = ""  # its id in the archive (the public one may be a stand-in)
    redacted_strings: dict[int, list[str]] = field(default_factory=dict)
    regions: list[list[float]] = field(default_factory=list)
    # What its team-written notes and translations must withhold too.
    withholding: Withholding | None = None
    latin_withheld: bool = False  # a name is withheld: Latin free text could name the person
    # A name is withheld, checked or not: an editor's check covers the source, never the
    # team's translation of it or notes on it, which may spell the name in Latin letters.
    names_withheld: bool = False
    withheld_strings: list[tuple[str, str]] = field(default_factory=list)
    withheld_paragraphs: set[int] = field(default_factory=set)


Copier = Callable[[Path, dict[str, Any], Path], PublicCopy]


def _digest(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _redact_value(value: Any, withholding: Withholding, counts: Counter[str], key: str = "") -> Any:
    """A metadata value with what ``withholding`` finds replaced by placeholders: strings,
    numbers (YAML reads a phone number written bare as one) and mapping keys alike."""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        text = str(value)
        shown = unquote(text) if key == "url" or "%" in text else text
        spans = withholding.spans(shown)
        if not spans:
            return value
        redacted, found = redact_text(shown, spans)
        counts.update(found)
        return redacted
    if isinstance(value, Mapping):
        return {
            _redact_value(str(k), withholding, counts): _redact_value(
                v, withholding, counts, str(k)
            )
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_redact_value(v, withholding, counts, key) for v in value]
    return value


def _holds_a_name(
    source: Source, passages: Sequence[Passage], withheld: Sequence[tuple[str, str]]
) -> bool:
    """Whether a name among ``withheld`` occurs in the source: its title, metadata or text."""
    names = [(text, kind) for text, kind in withheld if kind == "name"]
    if not names:
        return False
    finder = Withholding(names)
    texts = [source.title, *_strings(source.metadata), *(p.text for p in passages)]
    return any(finder.spans(text) for text in texts)


def _redacted_term(term: Term, withholding: Withholding, counts: Counter[str]) -> Term:
    """A glossary entry with what ``withholding`` finds replaced in every field, its tuples
    kept tuples."""
    changed: dict[str, Any] = {}
    for name, value in asdict(term).items():
        shown = _redact_value(value, withholding, counts)
        changed[name] = tuple(shown) if isinstance(value, tuple) else shown
    return replace(term, **changed)


def _latin_only(value: Any, placeholder_text: str, counts: Counter[str]) -> Any:
    """A value with every string that holds a letter of another script than Han replaced: what
    an English, romanized or Uyghur text may say of a private person cannot be matched to the
    names withheld, even inside a Chinese sentence ("访问 Turhun Amatjan")."""
    if isinstance(value, str):
        # NFKC first: circled or full-width letters (ⒶⓎⒼⓊⓁⒾ) are letters to search, too.
        if any(c.isalpha() and not _HAN.fullmatch(c) for c in unicodedata.normalize("NFKC", value)):
            counts["other"] += 1
            return placeholder_text
        return value
    if isinstance(value, Mapping):
        return {k: _latin_only(v, placeholder_text, counts) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_latin_only(v, placeholder_text, counts) for v in value]
    return value


def project(
    catalog: Catalog,
    originals: BlobStore,
    archive_root: Path,
    inputs: PrivacyInputs,
    today: datetime.date,
    *,
    secret: bytes = b"",
    copier: Copier | None = None,
    fault: Callable[[str], None] | None = None,
) -> ProjectionReport:
    """Make the archive's public projection in ``ARCHIVE/public/`` (when it is not current).

    Args:
        catalog: the archive's database (read; public copies made now are recorded in it).
        originals: the archive's originals (read, to make public copies).
        archive_root: the archive folder.
        inputs: the privacy decisions, public persons and rules.
        today: the day embargoes are judged on.
        secret: the archive's privacy key: the stand-in id of a source whose id holds
            withheld text is an HMAC under it.
        copier: makes the public copy of an image or PDF (``derive.derive_in_worker`` with
            the archive's limits when None); tests pass their own.
        fault: called with a label before each write step (``"write:public/shiliao.db"``,
            ``"rename:public"``, ``"remove:public (old)"``); for crash and disk-full tests.

    Returns:
        A ``ProjectionReport``.

    Raises:
        StoreError: the projection cannot be written (the previous one is left as it was).
        DiskFull: the archive's disk is full (the previous projection is left as it was).
    """
    archive_root = Path(archive_root)
    target = archive_root / PROJECTION_FOLDER
    _remove_leftovers(archive_root / ".staging")
    sources = catalog.sources()
    levels = {s.id: inputs.rules.level_of(s, today) for s in sources}
    inputs_digest = _digest(
        [
            _FORMAT,
            __version__,
            DETECTOR_VERSION,
            catalog.content_version(),
            inputs.to_json(),
            sorted((k, v[0]) for k, v in levels.items()),
        ]
    )
    if (target / "shiliao.db").is_file():
        with Catalog(target / "shiliao.db", references=False) as existing:
            if existing.get_state("inputs") == inputs_digest:
                return ProjectionReport(
                    path=target,
                    content_version=existing.content_version(),
                    built=False,
                    **(existing.get_state("report") or {}),
                )
    builder = _Builder(catalog, originals, archive_root, inputs, levels, copier, secret)
    try:
        return builder.write(target, inputs_digest, fault or (lambda label: None))
    except OSError as exc:
        if DiskFull.cause_of(exc):
            raise DiskFull(
                str(archive_root), f"the public projection {PROJECTION_FOLDER}/"
            ) from exc
        raise StoreError(f"cannot write the public projection in {target}: {exc}") from exc


class _Builder:
    """One projection: the review, each source as published, the files offered."""

    def __init__(
        self,
        catalog: Catalog,
        originals: BlobStore,
        archive_root: Path,
        inputs: PrivacyInputs,
        levels: Mapping[str, tuple[str, list[str]]],
        copier: Copier | None,
        secret: bytes,
    ) -> None:
        self.catalog = catalog
        self.secret = secret
        self.originals = originals
        self.derivatives = archive_root / DERIVATIVES_FOLDER
        self.staging = archive_root / ".staging"
        self.inputs = inputs
        self.levels = levels
        self.copier = copier or _default_copier
        self.sources = catalog.sources()
        terms = catalog.terms()
        self.review = review_findings(
            self.sources,
            catalog.findings(),
            inputs.decisions,
            public_persons(inputs.people, terms),
            redact_unreviewed=inputs.rules.unreviewed == "redact",
        )
        self.report = ProjectionReport(
            path=archive_root / PROJECTION_FOLDER, content_version="", built=True
        )
        self.matched: set[str] = set()
        # Public copies made, by digest. Two sources with the same public text share one copy,
        # so a copy is named by its digest, never by a source (whose id might be a stand-in).
        self.copies: dict[str, PublicCopy] = {}
        # Offered files: digest -> "original" or "copy".
        self.offered: dict[str, str] = {}

    def _project(self, source: Source) -> _Projected | None:
        level, reasons = self.levels[source.id]
        if level == "team":
            return None
        review = self.review.sources[source.id]
        reasons = list(reasons)
        withhold = self.inputs.rules.unreviewed == "withhold"
        if review.unreviewed and withhold and level in ("public", "redacted"):
            level = "metadata"
            reasons.append(
                "its text is withheld until an editor has reviewed the personal data it may hold"
            )
            self.report.withheld_sources.append(source.id)
        elif (
            source.metadata.get("extracted_needs_review")
            and not review.checked
            and level in ("public", "redacted")
        ):
            # A text decoded with doubt (UTF-16 read as GB18030) was not really read for
            # personal data, and its garbled form can be decoded back.
            level = "metadata"
            reasons.append(
                "its text could not be decoded with certainty; it is published once an editor "
                "has checked it"
            )
        self.report.unreviewed += len(review.unreviewed)
        # What nobody reviewed is withheld from the record a reader sees, whatever the rule:
        # under "withhold" the source is a catalogue record, and the record must not show
        # what kept it one.
        unreviewed = [(f.text, f.kind) for f in review.unreviewed]
        unreviewed += [
            (p, "name") for f in review.unreviewed if f.kind == "name" for p in name_parts(f.text)
        ]
        withheld = [*review.redact, *unreviewed]
        withholding = Withholding(withheld)
        counts: Counter[str] = Counter()
        shown = {k: v for k, v in source.metadata.items() if k not in _UNPUBLISHED_KEYS}
        # A decision about a name applies to every source; only a name this source holds makes
        # its romanized and translated text suspect.
        stored = self.catalog.passages(source.id)
        names_found = _holds_a_name(source, stored, withheld)
        latin_withheld = not review.checked and names_found
        if latin_withheld:
            # An English title or a romanized note may name the person whose name is withheld
            # in Chinese (Turhun Amatjan for 吐尔洪·艾买提江): no rule can match the two.
            shown = {
                k: _latin_only(v, placeholder("other", False), counts)
                if k in _FREE_TEXT_KEYS
                else v
                for k, v in shown.items()
            }
            if isinstance(shown.get("reliability"), Mapping) and "note" in shown["reliability"]:
                # The assessment's note is free text; its code is no one's name.
                note = _latin_only(
                    shown["reliability"]["note"], placeholder("other", False), counts
                )
                shown["reliability"] = {**shown["reliability"], "note": note}
        record: Counter[str] = Counter()
        projected = replace(
            source,
            title=_redact_value(source.title, withholding, record),
            path=_redact_value(source.path, withholding, record),
            error=_redact_value(source.error, withholding, record),
            metadata=_redact_value(shown, withholding, record),
        )
        derived_from = [source.id, source.path, str(source.metadata.get("member") or "")]
        if any(withholding.spans(text) for text in derived_from) or (
            record and source.line is not None
        ):
            # A source's id is made from its file's name (and a member's name), or from a
            # field of its JSON-lines record (its url or id), as a slug and a digest: when
            # that holds withheld text, so may the id (visit-13900001001), and its digest
            # could confirm a guess. The public gets a stand-in nobody can work back from
            # without the key.
            projected = replace(
                projected,
                id="withheld-"
                + hmac.new(self.secret, source.id.encode(), "sha256").hexdigest()[:12],
            )
        counts.update(record)
        public_id = projected.id
        passages: list[Passage] = []
        strings: dict[int, list[str]] = {}
        withheld_paragraphs: set[int] = set()
        if level in ("public", "redacted"):
            for passage in stored:
                spans = withholding.spans(passage.text)
                text, found = redact_text(passage.text, spans)
                counts.update(found)
                if spans:
                    strings.setdefault(passage.page, []).extend(
                        passage.text[s.start : s.end] for s in spans
                    )
                    withheld_paragraphs.add(passage.paragraph)
                passages.append(
                    replace(
                        passage,
                        id=None,
                        source_id=public_id,
                        text=text,
                        char_end=passage.char_start + len(text),
                    )
                )
        else:
            # Not published, but a decision found only here is not one that matches nothing.
            for passage in stored:
                withholding.matched(passage.text)
        self.matched |= withholding.seen
        if review.regions and level in ("public", "redacted"):
            counts["region"] += len(review.regions)
        if counts and level == "public":
            level = "redacted"
        publication = Publication(level=level, reasons=tuple(reasons), withheld=dict(counts))
        item = _Projected(
            projected,
            passages,
            publication,
            original_sha256=source.file_sha256,
            original_id=source.id,
        )
        item.redacted_strings = strings
        item.regions = review.regions
        item.withholding = withholding
        item.latin_withheld = latin_withheld
        item.names_withheld = names_found
        item.withheld_strings = withheld
        item.withheld_paragraphs = withheld_paragraphs
        self._choose_file(item, review.checked)
        return item

    def _choose_file(self, item: _Projected, checked: bool) -> None:
        """What of the source's file is offered: decided here, except originals, which wait
        until every source of the file is known (``_offer_originals``)."""
        source, publication = item.source, item.publication
        if publication.level == "metadata":
            item.publication = replace(publication, copy_note="a catalogue record only")
            return
        if source.status != "extracted" and not checked:
            item.publication = replace(
                publication,
                copy_note="its file could not be read for personal data; it is offered once "
                "an editor has checked it",
            )
            return
        record = self.catalog.file(item.original_sha256) or {}
        media_type = str(record.get("media_type") or "").split(";")[0]
        if item.regions and (media_type not in IMAGE_TYPES and media_type != "application/pdf"):
            self.report.warnings.append(
                f"{source.id}: a region to paint over is decided, but the source is not a "
                "picture or a PDF; its text is published as decided"
            )
        if media_type in IMAGE_TYPES:
            self._image_copy(item, media_type)
        elif publication.level == "public" and (checked or self._read_whole(source, media_type)):
            item.candidate = True
        elif media_type == "application/pdf" and "member" not in source.metadata and checked:
            self._pdf_copy(item)
        elif publication.level == "public":
            self._text_copy(
                item,
                "the text shown on this page; the original also holds what was not read for "
                "personal data (a page's navigation, comments and scripts, a document's "
                "properties, the other files of a container) and is offered once an editor "
                "has checked it",
            )
        else:
            self._text_copy(item, "the text shown on this page, placeholders in place")

    @staticmethod
    def _read_whole(source: Source, media_type: str) -> bool:
        """Whether every byte of the source's file was read as its text: plain text decoded
        with no doubt (no replacement characters, no encoding to review)."""
        flags = ("extracted_needs_review", "extracted_replacement_ratio")
        return media_type in _READ_WHOLE and not any(source.metadata.get(flag) for flag in flags)

    def _text_copy(self, item: _Projected, what: str) -> None:
        if not item.passages:
            item.publication = replace(item.publication, copy_note="no text to offer")
            return
        copy = text_copy(self.derivatives, [p.text for p in item.passages], f"{what} (plain text)")
        self._offer(item, copy)

    def _image_copy(self, item: _Projected, media_type: str) -> None:
        if any(item.redacted_strings.values()):
            item.publication = replace(
                item.publication,
                copy_note="the picture is not offered: it shows text that is withheld (its "
                "published text is above)",
            )
            return
        if "member" in item.source.metadata:
            item.publication = replace(
                item.publication, copy_note="the picture is kept inside a container file"
            )
            return
        self._derived(item, {"kind": "image", "regions": item.regions})

    def _pdf_copy(self, item: _Projected) -> None:
        strings = {str(page): sorted(set(texts)) for page, texts in item.redacted_strings.items()}
        self._derived(item, {"kind": "pdf", "strings": strings, "regions": item.regions})

    def _derived(self, item: _Projected, job: dict[str, Any]) -> None:
        sha256 = item.original_sha256
        spec = _digest(job)
        known = self.catalog.derivative(sha256, spec)
        if known is not None and (
            known["sha256"] is None
            or (self.derivatives / known["sha256"][:2] / known["sha256"]).is_file()
        ):
            copy = PublicCopy(known["sha256"], known["media_type"], known["size"], known["note"])
        else:
            self.staging.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryDirectory(dir=self.staging, prefix="derive-") as scratch:
                original = Path(scratch) / "original"
                with self.originals.open(sha256) as source, original.open("wb") as out:
                    shutil.copyfileobj(source, out, _CHUNK_BYTES)
                copy = self.copier(original, job, self.derivatives)
            with self.catalog.transaction():
                self.catalog.record_derivative(
                    sha256, spec, copy.sha256, copy.media_type, copy.size, copy.note
                )
        if copy.sha256 is None:
            self.report.warnings.append(f"{item.source.id}: {copy.note}")
        self._offer(item, copy)

    def _offer(self, item: _Projected, copy: PublicCopy) -> None:
        if copy.sha256 is None:
            item.publication = replace(item.publication, copy_note=copy.note)
            return
        item.publication = replace(item.publication, file="copy", copy_note=copy.note)
        item.source = replace(item.source, file_sha256=copy.sha256)
        self.copies[copy.sha256] = copy

    def _offer_originals(self, items: Sequence[_Projected]) -> None:
        """Offer an original only when every source made from it, in the whole archive, may
        offer it: a file that also holds a team line or a withheld page gives each of its
        published sources a text copy instead."""
        candidates = {item.original_id for item in items if item.candidate}
        by_file: dict[str, list[Source]] = {}
        for source in self.sources:
            by_file.setdefault(source.file_sha256, []).append(source)
        for item in items:
            if not item.candidate:
                continue
            if all(s.id in candidates for s in by_file[item.original_sha256]):
                item.publication = replace(item.publication, file="original")
                self.offered[item.original_sha256] = "original"
            else:
                self._text_copy(
                    item,
                    "the text shown on this page; its file also holds sources that are not public",
                )

    def write(
        self, target: Path, inputs_digest: str, fault: Callable[[str], None]
    ) -> ProjectionReport:
        """Project every source, choose the files, write the database into ``target``, then
        swap it in (``store.folders.replace_folder``: readers see the old projection or the
        new one); ``fault`` is called before each write step."""
        items = []
        levels: Counter[str] = Counter()
        for source in self.sources:
            item = self._project(source)
            if item is None:
                levels["team"] += 1
                continue
            items.append(item)
        self._offer_originals(items)
        for sha256 in self.copies:
            self.offered.setdefault(sha256, "copy")
        placeholders: Counter[str] = Counter()
        for item in items:
            levels[item.publication.level] += 1
            placeholders.update(item.publication.withheld)
            if item.publication.file is None:
                item.source = replace(item.source, file_sha256="")
            if item.publication.file != "original":
                # The digest of bytes that are not offered is not published either: it could
                # confirm a guess at a withheld original.
                item.source = replace(item.source, record_sha256="")
        self.report.levels = dict(sorted(levels.items()))
        self.report.placeholders = dict(sorted(placeholders.items()))
        self.editorial = self._editorial()
        self._stale_decisions()
        self._unused_rules()
        self.staging.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(dir=self.staging, prefix="public-"))
        try:
            fault("write:public/shiliao.db")
            with Catalog(building / "shiliao.db", references=False) as public:
                self._fill(public, items, inputs_digest)
                self.report.content_version = public.content_version()
            _swap(building, target, self.staging, fault)
        except BaseException:
            shutil.rmtree(building, ignore_errors=True)
            raise
        return self.report

    def _redacted_everywhere(self) -> list[tuple[str, str]]:
        """``(text, kind)`` of every ``redact`` decision with a text, whatever source it names,
        and the parts of each name: what the team's own writing never shows."""
        redactions = [
            (d.text, d.kind or guess_kind(d.text))
            for d in self.inputs.decisions
            if d.decision == "redact" and d.text
        ]
        return redactions + [
            (part, "name")
            for text, kind in redactions
            if kind == "name"
            for part in name_parts(text)
        ]

    def _editorial(self) -> tuple[list[Any], list[dict[str, Any]], list[Term]]:
        """The sections, the bibliography and the glossary as published: what the team wrote,
        with the text of every ``redact`` decision replaced (one made for a single source too:
        a name decided for one source is not written out in the team's own pages); each
        section or entry that holds personal data no editor decided is named in a warning (it
        is published as written)."""
        withholding = Withholding(self._redacted_everywhere())
        decided = {fold_key(d.text) for d in self.inputs.decisions if d.text}
        public = public_persons(self.inputs.people, self.catalog.terms())
        counts: Counter[str] = Counter()
        sections = []
        for section in self.catalog.sections():
            sections.append(
                replace(
                    section,
                    body=_redact_value(section.body, withholding, counts),
                    front_matter=_redact_value(section.front_matter, withholding, counts),
                )
            )
            self._warn_undecided(section.path, section.body, decided | public)
        bibliography = []
        for item in self.catalog.bibliography():
            bibliography.append(_redact_value(item, withholding, counts))
            where = f"bibliography.json: {item.get('id')}"
            self._warn_undecided(where, " ".join(_strings(item)), decided | public)
        terms = [_redacted_term(term, withholding, counts) for term in self.catalog.terms()]
        self.matched |= withholding.seen
        return sections, bibliography, terms

    def _warn_undecided(self, where: str, text: str, decided: set[str]) -> None:
        kinds = sorted(
            {
                d.kind
                for d in detect(text)
                if d.role == "private" and fold_key(d.text) not in decided
            }
        )
        if kinds:
            self.report.warnings.append(
                f"{where}: personal data no editor has decided ({', '.join(kinds)}) is "
                "published as written; `shiliao privacy decide COLLECTION redact|public "
                "--text ...` decides it"
            )

    def _unused_rules(self) -> None:
        """Warn of each folder or collection rule no source falls under: a misspelt folder
        (sources/Team for sources/team) must not leave its sources public unnoticed."""
        rules = self.inputs.rules
        paths = [s.path for s in self.sources]
        collections = set()
        for source in self.sources:
            for key in ("collection", "collections"):
                value = source.metadata.get(key)
                collections.update(str(v) for v in (value if isinstance(value, list) else [value]))
        for folder in sorted(rules.folders):
            if not any(path.startswith(folder + "/") for path in paths):
                self.report.warnings.append(
                    f"shiliao.toml [privacy.folders] {folder!r}: no source is in this folder "
                    "(folders are written as in the collection, case included)"
                )
        for name in sorted(set(rules.collections) - collections):
            self.report.warnings.append(
                f"shiliao.toml [privacy.collections] {name!r}: no source is in this collection"
            )

    def _stale_decisions(self) -> None:
        """Warn of each decision that matches nothing: its text may have changed."""
        keys = {f.key for f in self.catalog.findings()}
        ids = {s.id for s in self.sources}
        for number, decision in enumerate(self.inputs.decisions):
            if number in self.review.used:
                continue
            if decision.text and Withholding.key(decision.text) in self.matched:
                continue
            if decision.finding and decision.finding in keys:
                continue
            where = f"privacy.yaml:{decision.line}" if decision.line else "privacy.yaml"
            if decision.source and decision.source not in ids:
                self.report.warnings.append(
                    f"{where}: the {decision.decision} decision names source "
                    f"{decision.source!r}, which is not in the archive"
                )
            elif decision.decision != "checked":
                self.report.warnings.append(
                    f"{where}: the {decision.decision} decision matches nothing: the text may "
                    "have changed; check it with `shiliao privacy scan`"
                )

    def _fill(self, public: Catalog, items: Sequence[_Projected], inputs_digest: str) -> None:
        sections, bibliography, terms = self.editorial
        matcher = GlossaryMatcher(terms)
        publications = {}
        with public.transaction():
            public.replace_terms(terms)
            public.replace_sections(sections)
            public.replace_bibliography(bibliography)
            for position, item in enumerate(items):
                source = item.source
                publication = asdict(item.publication)
                publications[source.id] = publication
                fingerprint = _digest(
                    [asdict(source), [p.text for p in item.passages], publication]
                )
                ids = public.save_source(source, fingerprint, position, item.passages)
                public.replace_term_mentions(
                    ids,
                    [
                        (m.term, passage_id, m.char_start, m.char_end)
                        for passage_id, passage in zip(ids, item.passages, strict=True)
                        for m in matcher.find(passage.text)
                    ],
                )
            annotations, translations = self._notes(items)
            public.replace_annotations(annotations)
            public.replace_translations(translations)
            for sha256, kind in sorted(self.offered.items()):
                if kind == "original":
                    record = self.catalog.file(sha256) or {}
                    public.record_file(
                        sha256,
                        int(record.get("size") or 0),
                        str(record.get("media_type") or "application/octet-stream"),
                        str(record.get("original_name") or sha256),
                    )
                else:
                    copy = self.copies[sha256]
                    extension = {
                        "image/png": ".png",
                        "image/jpeg": ".jpg",
                        "application/pdf": ".pdf",
                    }.get(str(copy.media_type), ".txt")
                    public.record_file(
                        sha256, int(copy.size or 0), str(copy.media_type), f"{sha256}{extension}"
                    )
            public.set_state("public_files", dict(sorted(self.offered.items())))
            public.set_state("publications", publications)
            public.set_state("publications_digest", _digest(publications))
            public.set_state("terms_digest", _digest([asdict(t) for t in terms]))
            public.set_state("sections_digest", _digest([asdict(s) for s in sections]))
            public.set_state("bibliography_digest", _digest(bibliography))
            public.set_state("annotations_digest", _digest([asdict(a) for a in annotations]))
            public.set_state("translations_digest", _digest([asdict(t) for t in translations]))
            public.set_state("inputs", inputs_digest)
            report = self.report
            public.set_state(
                "report",
                {
                    "levels": report.levels,
                    "withheld_sources": report.withheld_sources,
                    "unreviewed": report.unreviewed,
                    "placeholders": report.placeholders,
                    "warnings": report.warnings,
                },
            )

    def _notes(self, items: Sequence[_Projected]) -> tuple[list[Annotation], list[Translation]]:
        """The annotations and translations as published (see the module docstring): of the
        sources whose text is published, under their public ids, with the source's withheld
        strings and every ``redact`` decision's text replaced (a name decided for one source
        is withheld from the team's writing about any source), and without a note, translated
        paragraph or front-matter value that holds personal data no editor decided (warned)."""
        with_text = {item.original_id: item for item in items if item.passages}
        public_ids = {item.original_id: item.source.id for item in items}
        other = placeholder("other", False)
        glossary = {term.term for term in self.catalog.terms()}
        everywhere = self._redacted_everywhere()
        decided = {fold_key(d.text) for d in self.inputs.decisions if d.text}
        decided |= public_persons(self.inputs.people, self.catalog.terms())

        def undecided(*texts: str) -> list[str]:
            return sorted(
                {
                    d.kind
                    for text in texts
                    for d in detect(text)
                    if d.role == "private" and fold_key(d.text) not in decided
                }
            )

        annotations = []
        for note in self.catalog.annotations():
            item = with_text.get(note.source)
            if item is None or note.access == "team":
                continue
            text = next((p.text for p in item.passages if p.paragraph == note.paragraph), None)
            if text is None:
                continue
            withholding = Withholding([*item.withheld_strings, *everywhere])
            counts: Counter[str] = Counter()
            shown = str(_redact_value(note.note, withholding, counts))
            if item.names_withheld:
                shown = str(_latin_only(shown, other, counts))
                if shown == other:
                    # A note in Latin letters on a source with a withheld name (an editor's
                    # check covers the source, not the notes on it): nothing of it is shown.
                    continue
            quote = note.quote
            if quote is not None:
                found: Counter[str] = Counter()
                quote = str(_redact_value(quote, withholding, found))
                # The published passage must still hold it: a quote of a withheld name is gone.
                quote = quote if quote in text and not found else None
            # Tags are short Latin words as a rule: kept only where Latin text may be.
            tags = (
                ()
                if item.names_withheld
                else tuple(str(_redact_value(t, withholding, counts)) for t in note.tags)
            )
            kinds = undecided(shown, quote or "", *tags)
            if kinds:
                self.report.warnings.append(
                    f"annotations.yaml:{note.line}: personal data no editor has decided "
                    f"({', '.join(kinds)}); the note is not published until `shiliao privacy "
                    "decide` decides it"
                )
                continue
            annotations.append(
                replace(
                    note,
                    source=item.source.id,
                    note=shown,
                    quote=quote,
                    tags=tags,
                    # Only the glossary's terms: any other text here is nobody's term.
                    terms=tuple(t for t in note.terms if t in glossary),
                    sources=tuple(public_ids[s] for s in note.sources if s in public_ids),
                    line=0,
                )
            )
        translations = []
        for translation in self.catalog.translations():
            item = with_text.get(translation.source)
            if item is None:
                continue
            numbers = {p.paragraph for p in item.passages}
            withholding = Withholding([*item.withheld_strings, *everywhere])
            counts = Counter()
            kept: list[tuple[int, str]] = []
            dropped: list[int] = []
            flagged: set[str] = set()
            for number, text in translation.paragraphs:
                # A source with a withheld name: any English paragraph may spell the name out,
                # as its title may, wherever the name stood in the original.
                if number in item.withheld_paragraphs or item.names_withheld:
                    dropped.append(number)
                    continue
                if number not in numbers:
                    continue
                shown = str(_redact_value(text, withholding, counts))
                if kinds := undecided(shown):
                    flagged.update(kinds)
                    dropped.append(number)
                    continue
                kept.append((number, shown))
            # What the team wrote about it: free text, gone where Latin text may name someone.
            about: dict[str, str | None] = {}
            for key, value in (
                ("title", translation.title),
                ("translator", translation.translator),
                ("note", translation.note),
            ):
                shown = None if value is None else str(_redact_value(value, withholding, counts))
                if shown is not None and (item.names_withheld or undecided(shown)):
                    flagged.update(undecided(shown))
                    shown = None
                about[key] = shown
            if flagged:
                self.report.warnings.append(
                    f"{translation.path}: personal data no editor has decided "
                    f"({', '.join(sorted(flagged))}); the paragraphs that hold it are not "
                    "published until `shiliao privacy decide` decides it"
                )
            translations.append(
                replace(
                    translation,
                    source=item.source.id,
                    path="",
                    paragraphs=tuple(kept),
                    withheld=tuple(dropped),
                    **about,
                )
            )
        return annotations, translations


def _default_copier(original: Path, job: dict[str, Any], folder: Path) -> PublicCopy:
    return derive_in_worker(original, job, folder)


def _swap(building: Path, target: Path, staging: Path, fault: Callable[[str], None]) -> None:
    """Put the new projection in place of the old (``store.folders.replace_folder``)."""

    def aside() -> Path:
        old = Path(tempfile.mkdtemp(dir=staging, prefix="public-old-"))
        old.rmdir()
        return old

    replace_folder(building, target, aside, fault, "public")


def _remove_leftovers(staging: Path) -> None:
    """Delete what a killed projection left in the staging folder: a projection half built
    (``public-*``), an old one set aside (``public-old-*``), a scratch folder (``derive-*``).
    The caller holds the archive's writer lock, so no other projection is using them."""
    for prefix in ("public-", "derive-"):
        for folder in staging.glob(f"{prefix}*"):
            if folder.is_dir():
                shutil.rmtree(folder, ignore_errors=True)
