"""The static website of an archive: home, collection, source pages, sections, glossary, search.

``build_site`` writes every page from the archive's database with Jinja2 templates (autoescape
on everywhere; only ``section.py``'s HTML and ``lang.py``'s escaping helpers are marked safe),
copies the originals for download, and writes the static search index (``searchindex.py``). All
links are relative (``urls.relative``), so the site works from any sub-path of any static host,
and from ``file://``, search included (its index is script files, ``searchindex.py``). Nothing
is loaded from another host, and no page has inline script or style, so the
Content-Security-Policy in every page's ``<meta>`` allows only the site's own files.

The site is built in a temporary folder beside ``out`` and swapped in whole
(``store.folders.replace_folder``: one atomic exchange of the two names on Linux, so a web
server reading ``out`` finds the old site or the new one, never a mix and never nothing), and a
build that fails or is killed leaves the previous site as it was. A ``.shiliao-site.json``
manifest records what was built (``site_is_current``).
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
import re
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlencode

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from shiliao import __version__
from shiliao.collection.translations import is_language_tag
from shiliao.config import Settings
from shiliao.errors import BlobNotFound, DiskFull, PublishError
from shiliao.model import Annotation, Passage, Publication, Source, Term, Translation
from shiliao.publish.about import ReaderCounts, site_description, site_title
from shiliao.publish.analysis import COLLOCATION_MEASURE, TermAnalysis, analyse_terms, formula_rows
from shiliao.publish.browse import (
    FACETS,
    browse,
    count_values,
    information_label,
    reliability_label,
    source_values,
    type_label,
)
from shiliao.publish.citing import archive_items, cite_this, source_csl
from shiliao.publish.collections import SourceCollection, collections_of
from shiliao.publish.figures import FigureMaker
from shiliao.publish.files import download_name
from shiliao.publish.interface import Interface
from shiliao.publish.lang import direction, mark_chinese, text_lang
from shiliao.publish.notes import (
    is_diagnostic,
    note_rows,
    quoted_markup,
    reliability_parts,
    shown_notes,
)
from shiliao.publish.searchindex import IndexedSource, SearchIndexStats, write_search_index
from shiliao.publish.section import EssayLinks, render_section
from shiliao.publish.urls import MANIFEST, SiteUrls, relative, root_prefix, term_slugs
from shiliao.search.expand import ExpansionTable
from shiliao.search.facets import facets_of
from shiliao.store import BlobStore, Catalog
from shiliao.store.folders import replace_folder
from shiliao.zh.glossary import Mention, longest_mentions
from shiliao.zh.pinyin import pinyin_sort_key

__all__ = [
    "SiteEvidence",
    "SiteReport",
    "build_site",
    "check_site_folder",
    "remove_leftovers",
    "site_is_current",
]

Progress = Callable[[str, int, int], None]

_MANIFEST_FORMAT = 1
_COPY_CHUNK_BYTES = 1 << 20
# The policy of every page: the site's own files only; no inline script or style anywhere.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'"
)
_LANGUAGE_NAMES = {
    "zh": "Chinese",
    "zh-Hans": "Chinese (Simplified)",
    "zh-Hant": "Chinese (Traditional)",
    "ug": "Uyghur",
    "ug-Arab": "Uyghur (Arabic script)",
    "ug-Latn": "Uyghur (Latin script)",
    "ug-Cyrl": "Uyghur (Cyrillic script)",
    "kk": "Kazakh",
    "en": "English",
    "und": "undetermined",
}
_METADATA_LABELS = {
    "title_en": "English title",
    "creators": "Creators",
    "publisher": "Publisher",
    "publisher_en": "Publisher (English)",
    "url": "URL",
    "captured": "Captured (web archive)",
    "member": "Inside the file",
    "also_named": "Also in the collection as",
    "collection": "Collections",
    "subjects": "Subjects",
    "tags": "Tags",
    "place": "Place",
    "rights": "Rights",
    "description": "Description",
    "note": "Note",
}
# Only these become links: a javascript: or data: URL in a record must never be clickable.
_WEB_URL = re.compile(r"https?://", re.IGNORECASE)


@dataclass
class SiteReport:
    """What ``build_site`` wrote.

    Attributes:
        path: the site's folder.
        pages: HTML pages written.
        files: originals copied for download.
        warnings: problems a curator should see (unresolved citations of a section, originals
            missing from the store...), one line each.
        search_index: the static search index's sizes.
        seconds: wall-clock time of the build.
    """

    path: Path
    pages: int = 0
    files: int = 0
    warnings: list[str] = field(default_factory=list)
    search_index: SearchIndexStats | None = None
    seconds: float = 0.0


def _read_manifest(out: Path) -> dict[str, Any] | None:
    try:
        value = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _settings_digest(settings: Settings) -> str:
    """Digest of the settings that change what the pages show."""
    shown = {
        "site": settings.table("site"),
        "archive_title": settings.table("archive")["title"],
        "title": site_title(settings),
    }
    text = json.dumps(shown, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def site_is_current(
    out: Path, content_version: str, settings: Settings | None = None, audience: str = "public"
) -> bool:
    """Whether the site in ``out`` was built from this content by this shiliao.

    Args:
        out: the site's folder.
        content_version: the archive's content version, as given to ``build_site``; an empty
            string never counts as current.
        settings: when given, the ``[site]`` settings and the archive's title must also be the
            ones the site was built with (a new title or ``kwic_width`` changes pages although
            the content did not change).
        audience: the site's audience, ``"public"`` or ``"team"``.

    Returns:
        True when ``out/.shiliao-site.json`` records the same non-empty content version, the
        same shiliao version and manifest format (and settings, when given); False otherwise,
        also for a missing or unreadable manifest.
    """
    manifest = _read_manifest(Path(out))
    return (
        bool(content_version)
        and manifest is not None
        and manifest.get("format") == _MANIFEST_FORMAT
        and manifest.get("content_version") == content_version
        and manifest.get("shiliao_version") == __version__
        and manifest.get("audience", "public") == audience
        and (settings is None or manifest.get("settings_digest") == _settings_digest(settings))
    )


@dataclass(frozen=True)
class SiteEvidence:
    """What a reader needs to check an original without trusting the site (``shiliao
    verify-file``).

    Attributes:
        checkpoint: the signed checkpoint of the archive's log (C2SP signed note text).
        vkey: the log key's verifier key (``name+keyid+base64``).
        proofs: original's SHA-256 -> its proof bundle (JSON bytes: the capture's log entry,
            its inclusion proof and the checkpoint; ``log.make_proof_bundle``).
    """

    checkpoint: str
    vkey: str
    proofs: dict[str, bytes]


def build_site(
    catalog: Catalog,
    blobs: BlobStore,
    out: Path,
    settings: Settings,
    progress: Progress | None = None,
    *,
    content_version: str = "",
    evidence: SiteEvidence | None = None,
    publications: Mapping[str, Publication] | None = None,
    audience: str = "public",
    fault: Callable[[str], None] | None = None,
) -> SiteReport:
    """Write the archive's static website into ``out``, replacing the site there atomically.

    A public site is built from the archive's public projection (``privacy.projection``):
    ``catalog`` and ``blobs`` are the projection's, and ``publications`` says how each
    source is published, which its page tells the reader (what was withheld and why, never
    which). A team site (``audience="team"``) is built from the archive itself and says on
    every page that it is internal.

    Args:
        catalog: the archive's database (read only).
        blobs: the archive's originals (read only; any ``BlobStore``, ``FsBlobStore`` today),
            copied to ``files/``.
        out: the site's folder; created when missing. If it exists it must be empty or a site
            this function wrote (it has ``.shiliao-site.json``): any other folder is refused,
            so that a wrong ``--out`` never deletes someone's files.
        settings: ``[site]`` (``title``, ``term_kwic_lines``, ``kwic_width``) and ``[archive]``
            (``title``) are used.
        progress: called as ``progress("site", done, total)`` as pages are written.
        content_version: recorded in the manifest for ``site_is_current``; "" when unknown.
        evidence: the log checkpoint, key and proofs offered on source pages; None leaves
            them out.
        publications: source id -> its ``Publication``; None when every source is
            published in full with its original (an archive with no access levels).
        audience: ``"public"`` or ``"team"``. A folder holding a site of the other audience
            is refused, so that a team site never replaces a public one where it is served.
        fault: called with a label before each write step (``"write:site pages"``,
            ``"write:site/.shiliao-site.json"``, ``"rename:site"``, ``"remove:site (old)"``);
            for crash tests, as ``store.ocfl.OcflStore``'s.

    Returns:
        A ``SiteReport``.

    Raises:
        PublishError: ``out`` is not a site folder, an id cannot be a path, or the site cannot
            be written. Whatever the error (the database's own included), the site that was
            there is left as it was and the temporary folder is removed.
        DiskFull: the disk of ``out``'s folder is full (the previous site is left as it was).
    """
    fault = fault or (lambda label: None)
    started = time.perf_counter()
    out = Path(out).absolute()
    check_site_folder(out, audience)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        remove_leftovers(out)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))
    except OSError as exc:
        raise PublishError(f"cannot write the site beside {out}: {exc}") from exc
    try:
        fault("write:site pages")
        report = _SiteBuilder(
            catalog, blobs, staging, settings, progress, evidence, publications, audience
        ).build()
        fault(f"write:site/{MANIFEST}")
        _write_manifest(
            staging, catalog, report, content_version, _settings_digest(settings), audience
        )
        # mkdtemp makes the folder private (0700); a site is meant to be read by a web server.
        umask = os.umask(0)
        os.umask(umask)
        staging.chmod(0o777 & ~umask)
        _swap(staging, out, fault)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if DiskFull.cause_of(exc):
            raise DiskFull(str(out.parent), f"the website {out.name}/") from exc
        raise PublishError(f"cannot write the site {out}: {exc}") from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    report.path = out
    report.seconds = time.perf_counter() - started
    return report


def check_site_folder(out: Path, audience: str = "public") -> None:
    """Refuse a folder ``build_site`` must not write into, before any work is done.

    Args:
        out: the site's folder (absolute); it may not exist.
        audience: ``"public"`` or ``"team"``.

    Raises:
        PublishError: ``out`` is a file, a non-empty folder that holds no site of shiliao's
            (no ``.shiliao-site.json``), or a site of the other audience.
    """
    if not out.exists():
        return
    if not out.is_dir():
        raise PublishError(f"{out} is a file; give a folder for the website")
    if any(out.iterdir()) and not (out / MANIFEST).is_file():
        raise PublishError(
            f"{out} is not empty and is not a shiliao site (no {MANIFEST}); "
            "give a new or empty folder for the website"
        )
    manifest = _read_manifest(out)
    if manifest is not None and manifest.get("audience", "public") != audience:
        raise PublishError(
            f"{out} holds the {manifest.get('audience', 'public')} site; give another folder "
            f"for the {audience} site"
        )


def remove_leftovers(out: Path) -> None:
    """Delete what builds of the site in ``out`` that were killed left beside it: a folder
    being built (never the site), or the previous site swapped out and not yet deleted. Only
    one build writes at a time (the archive's writer lock), so none of them is in use."""
    if out.parent.is_dir():
        for leftover in _siblings(out, "building") + _siblings(out, "old"):
            shutil.rmtree(leftover, ignore_errors=True)


def _siblings(out: Path, kind: str) -> list[Path]:
    """The temporary folders of kind ``building`` or ``old`` that builds of ``out`` make."""
    prefix = f".{out.name}.{kind}-"
    return [p for p in out.parent.iterdir() if p.name.startswith(prefix) and p.is_dir()]


def _swap(staging: Path, out: Path, fault: Callable[[str], None]) -> None:
    """Put ``staging`` in place of ``out`` (``store.folders.replace_folder``), then delete the
    old site.

    Where the names cannot be exchanged, ``out`` is briefly missing between two renames; a build
    killed there leaves the previous site in ``.<name>.old-*`` beside it (deleted by the next
    successful build).
    """

    def aside() -> Path:
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
        old.rmdir()
        return old

    replace_folder(staging, out, aside, fault, "site")
    # Any old site a killed build left between two renames.
    for previous in _siblings(out, "old"):
        shutil.rmtree(previous, ignore_errors=True)


def _write_manifest(
    root: Path,
    catalog: Catalog,
    report: SiteReport,
    version: str,
    settings_digest: str,
    audience: str,
) -> None:
    manifest = {
        "format": _MANIFEST_FORMAT,
        "audience": audience,
        "content_version": version,
        "shiliao_version": __version__,
        "settings_digest": settings_digest,
        "counts": catalog.counts(),
        "pages": report.pages,
        "files": report.files,
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True)
    (root / MANIFEST).write_text(text + "\n", encoding="utf-8")


# What a reader is told was withheld, by kind: (one, several).
_WITHHELD_WORDS = {
    "name": ("name", "names"),
    "resident_id": ("ID number", "ID numbers"),
    "phone": ("phone number", "phone numbers"),
    "email": ("e-mail address", "e-mail addresses"),
    "licence_plate": ("licence plate", "licence plates"),
    "address": ("address", "addresses"),
    "region": ("region of the picture", "regions of the picture"),
    "other": ("other detail", "other details"),
}


def _withheld_sentence(withheld: Mapping[str, int]) -> str:
    """``"2 names and 1 phone number withheld to protect private individuals."``, or ""."""
    parts = [
        f"{count} {_WITHHELD_WORDS.get(kind, _WITHHELD_WORDS['other'])[count != 1]}"
        for kind, count in sorted(withheld.items(), key=lambda item: (-item[1], item[0]))
        if count
    ]
    if not parts:
        return ""
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"{listed} withheld to protect private individuals."


def _essay_language(front_matter: Mapping[str, Any]) -> str:
    """An essay's BCP 47 tag: its front matter's ``lang`` (or ``language``), else English."""
    tag = front_matter.get("lang") or front_matter.get("language")
    return tag if isinstance(tag, str) and is_language_tag(tag) else "en"


def _language_name(tag: str) -> str:
    return _LANGUAGE_NAMES.get(tag, tag)


def _as_list(value: Any) -> list[Any]:
    if value is None or value == "":
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


class _SiteBuilder:
    """One build: the environment, the URLs and the counters."""

    def __init__(
        self,
        catalog: Catalog,
        blobs: BlobStore,
        root: Path,
        settings: Settings,
        progress: Progress | None,
        evidence: SiteEvidence | None = None,
        publications: Mapping[str, Publication] | None = None,
        audience: str = "public",
    ) -> None:
        self.catalog = catalog
        self.blobs = blobs
        self.evidence = evidence
        self.publications = publications
        self.root = root
        self.progress = progress
        site_settings = settings.table("site")
        cite_settings = settings.table("cite")
        self.cite_style = str(cite_settings["style"])
        self.site_url = str(cite_settings["site_url"])
        self.kwic_lines = int(site_settings["term_kwic_lines"])
        self.kwic_width = int(site_settings["kwic_width"])
        title = site_title(settings)
        self.settings = settings
        self.terms: list[Term] = catalog.terms()
        self.term_by_name = {term.term: term for term in self.terms}
        self.urls = SiteUrls(term_slugs(self.terms))
        self.sources: list[Source] = catalog.sources()
        self.report = SiteReport(path=root)
        self.done = 0
        # Annotations and translations by source id (``_notes_of``).
        self._notes: tuple[dict[str, list[Annotation]], dict[str, list[Translation]]] | None = None
        self._source_by_id: dict[str, Source] = {}
        # home, about, collection, sections index, glossary index, formulas, search, then one
        # page each.
        self.total = 7 + len(self.sources) + len(catalog.sections()) + len(self.terms)
        self.collections, collection_warnings = collections_of(self.sources, catalog.sections())
        self.report.warnings.extend(collection_warnings)
        self.collection_titles = {
            collection.id: collection.title for collection in self.collections
        }
        # The collections' index and a page each.
        self.total += 1 + len(self.collections)
        self.env = Environment(
            loader=PackageLoader("shiliao.publish", "templates"),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters["zh"] = mark_chinese
        self.env.filters["language_name"] = _language_name
        self.interface = Interface(settings.table("archive")["languages"])
        self.env.globals["ui"] = self.interface.ui
        self.env.globals["ui_attr"] = self.interface.ui_attr
        self.env.globals["ui_text"] = self.interface.text
        self.site = {
            "title": title,
            "title_html": mark_chinese(title),
            # Set once the files are copied (``build``): the default counts them.
            "description": "",
            "description_html": Markup(""),
            "version": __version__,
            "csp": CONTENT_SECURITY_POLICY,
            "internal": audience == "team",
            "language": self.interface.default,
            "languages": self.interface.languages,
        }

    # Writing ----------------------------------------------------------------------------------

    def _page(self, template: str, path: str, title: str, **context: Any) -> None:
        full_title = f"{title} · {self.site['title']}" if title != self.site["title"] else title
        html = self.env.get_template(template).render(
            link=lambda target: relative(path, target),
            root=root_prefix(path),
            urls=self.urls,
            site=self.site,
            page_title=full_title,
            page_title_lang=text_lang(full_title),
            **context,
        )
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
        self.report.pages += 1
        self.done += 1
        if self.progress:
            self.progress("site", self.done, self.total)

    def _copy_assets(self) -> None:
        assets = Path(__file__).with_name("assets")
        for name in ("site.css", "browse.js", "search.js", "language.js", "terms.js"):
            target = self.root / self.urls.asset(name)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(assets / name, target)
        self._write(self.urls.asset("interface.js"), self.interface.script().encode("utf-8"))

    def _copy_originals(self) -> dict[str, str | None]:
        """Copy each source's original once; map digest -> its root-relative URL, or None."""
        copied: dict[str, str | None] = {}
        for source in self.sources:
            sha256 = source.file_sha256
            if not sha256 or sha256 in copied:
                continue
            record = self.catalog.file(sha256)
            name = download_name(
                record["original_name"] if record else None,
                sha256,
                record["media_type"] if record else None,
            )
            url = self.urls.original(sha256, name)
            target = self.root / url
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with self.blobs.open(sha256) as original, target.open("wb") as copy:
                    shutil.copyfileobj(original, copy, _COPY_CHUNK_BYTES)
            except BlobNotFound:
                self.report.warnings.append(
                    f"{source.path}: its original (sha256 {sha256}) is missing from the archive; "
                    "run `shiliao verify`"
                )
                target.unlink(missing_ok=True)
                copied[sha256] = None
                continue
            copied[sha256] = url
            self.report.files += 1
        return copied

    def _write(self, path: str, data: bytes) -> None:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)

    def build(self) -> SiteReport:
        self._copy_assets()
        if self.evidence is not None:
            self._write(self.urls.evidence("checkpoint.txt"), self.evidence.checkpoint.encode())
            self._write(self.urls.evidence("key.vkey"), (self.evidence.vkey + "\n").encode())
        downloads = self._copy_originals()
        self.counts = ReaderCounts.of(
            self.sources,
            self.catalog.source_sizes(),
            self.publications,
            self.catalog.counts(),
            self.report.files,
        )
        self.site["description"] = site_description(self.settings, self.counts)
        description = mark_chinese(self.site["description"])
        # The sentence made from the counts is English, whatever the interface shows.
        generated = not str(self.settings.table("site")["description"]).strip()
        self.site["description_html"] = (
            Markup('<span lang="en">{}</span>').format(description) if generated else description
        )
        usage = self.catalog.term_usage()
        indexed: list[IndexedSource] = []
        for source in self.sources:
            passages = self.catalog.passages(source.id)
            self._source_page(source, passages, downloads.get(source.file_sha256))
            annotations, translations = self._notes_of(source.id)
            indexed.append(
                IndexedSource(
                    id=source.id,
                    title=source.title,
                    title_lang=text_lang(source.title, source.language),
                    language=source.language,
                    date=source.date,
                    url=self.urls.source(source.id),
                    passages=passages,
                    type=source.type,
                    collections=facets_of(source).collections,
                    notes=note_rows(source.id, passages, annotations, translations),
                )
            )
        self.report.search_index = write_search_index(
            self.root / Path(self.urls.search_data("meta.js")).parent,
            indexed,
            self.kwic_width,
            expansions=ExpansionTable(self.terms).to_json(),
        )
        self._browse_and_collection_pages()
        sections = self._section_pages()
        analyses = analyse_terms(self.catalog)
        for term in self.terms:
            self._term_page(term, usage.get(term.term, (0, 0)), analyses.get(term.term))
        self._glossary_page(usage)
        self._page(
            "formulas.html",
            self.urls.formulas,
            "Formulas and slogans",
            rows=formula_rows(self.catalog, self.urls),
        )
        self._page("search.html", self.urls.search, "Search")
        self._page(
            "about.html",
            self.urls.about,
            "About",
            counts=self.counts,
            evidence=self.evidence is not None,
        )
        self._page(
            "home.html",
            self.urls.home,
            self.site["title"],
            counts=self.counts,
            sections=sections,
        )
        return self.report

    # Pages ------------------------------------------------------------------------------------

    def _browse_and_collection_pages(self) -> None:
        """The browse page (``sources/index.html``) and its script data, the collections'
        index and each collection's page."""
        values = {source.id: source_values(source) for source in self.sources}
        found = browse(self.sources, values)
        self._write(self.urls.browse_data, found.script().encode("utf-8"))
        self._page(
            "collection.html",
            self.urls.collection,
            "Browse",
            browse=found,
            collections=self.collections,
            **self._facet_labels(),
        )
        self._page(
            "collections.html", self.urls.collections, "Collections", collections=self.collections
        )
        for collection in self.collections:
            self._collection_page(collection, values)

    def _facet_labels(self) -> dict[str, Callable[[str], str | None]]:
        """What the templates name facet values with (English interface text, or None to show
        the value itself; a collection by its title)."""
        titles = self.collection_titles
        return {
            "collection_title": titles.get,
            "language_label": _LANGUAGE_NAMES.get,
            "type_label": type_label,
            "reliability_label": reliability_label,
            "information_label": information_label,
        }

    def _collection_page(
        self, collection: SourceCollection, values: dict[str, dict[str, list[str]]]
    ) -> None:
        counts = count_values(values[source.id] for source in collection.sources)
        counts["collection"].pop(collection.id, None)
        facets = []
        for name, _, legend in FACETS:
            shown = sorted(counts[name].items(), key=lambda i: (-i[1], pinyin_sort_key(i[0])))
            # Each value opens the browse page filtered to this collection and the value; the
            # other collections its sources are in (values of one facet combine with OR on the
            # browse page) open their own pages.
            query = [("collection", collection.id)]
            linked = [
                (
                    v,
                    n,
                    self.urls.collection_page(v)
                    if name == "collection"
                    else f"{self.urls.collection}?{urlencode([*query, (name, v)])}",
                )
                for v, n in shown
            ]
            if linked:
                facets.append((name, "Also in" if name == "collection" else legend, linked))
        self._page(
            "collection_page.html",
            self.urls.collection_page(collection.id),
            collection.title,
            collection=collection,
            facets=facets,
            browse_query=urlencode([("collection", collection.id)]),
            **self._facet_labels(),
        )

    def _notes_of(self, source_id: str) -> tuple[list[Annotation], list[Translation]]:
        """A source's annotations and translations (read once for the whole site)."""
        if self._notes is None:
            self._notes = ({}, {})
            for note in self.catalog.annotations():
                self._notes[0].setdefault(note.source, []).append(note)
            for translation in self.catalog.translations():
                self._notes[1].setdefault(translation.source, []).append(translation)
            self._source_by_id = {s.id: s for s in self.sources}
        return self._notes[0].get(source_id, []), self._notes[1].get(source_id, [])

    def _metadata_rows(self, source: Source) -> list[tuple[str | Markup, Markup]]:
        """The rows of a source page's record: labelled keys first (interface text), then the
        team's own keys; a public page leaves out how the text was extracted
        (``notes.is_diagnostic``), which the team site and ``shiliao show`` keep."""
        metadata = source.metadata
        rows: list[tuple[str | Markup, Markup]] = []
        hint = source.language
        ui = self.interface.ui
        for key, label in _METADATA_LABELS.items():
            value = metadata.get(key)
            if key == "collection":
                value = value or metadata.get("collections")
            if value in (None, "", []):
                continue
            if key == "url" and isinstance(value, str) and _WEB_URL.match(value):
                # Shown percent-decoded (Chinese page names are unreadable encoded); the link
                # keeps the URL exactly as recorded.
                link = Markup('<a class="external" href="{}" rel="noopener noreferrer">{}</a>')
                rows.append((ui(label), link.format(value, mark_chinese(unquote(value), hint))))
            elif key == "creators":
                rows.append((ui(label), self._creators(value, hint)))
            elif key == "collection":
                rows.append((ui(label), self._collection_links(source)))
            else:
                rows.append(
                    (ui(label), Markup(", ").join(mark_chinese(v, hint) for v in _as_list(value)))
                )
        reliability = reliability_parts(metadata.get("reliability"))
        if reliability is not None:
            code, source_meaning, information_meaning, note = reliability
            shown = Markup("<strong>{}</strong> — {}; {}").format(
                code, ui(source_meaning), ui(information_meaning)
            )
            if note:
                shown += Markup('. <span class="reliability-note">{}</span>').format(
                    mark_chinese(note, hint)
                )
            rows.append((ui("Reliability (Admiralty code)"), shown))
        for key in sorted(metadata):
            if key in _METADATA_LABELS or key in ("reliability", "collections"):
                continue
            if not self.site["internal"] and is_diagnostic(key):
                continue
            values = _as_list(metadata[key])
            if values and all(isinstance(v, str | int | float) for v in values):
                rows.append(
                    (
                        key.replace("_", " "),
                        Markup(", ").join(mark_chinese(v, hint) for v in values),
                    )
                )
        return rows

    def _collection_links(self, source: Source) -> Markup:
        """A source's collections (``collection`` and ``collections``), each linked to its
        page, by the title its introduction gives it."""
        path = self.urls.source(source.id)
        titles = self.collection_titles
        shown = []
        for collection_id in facets_of(source).collections:
            title = mark_chinese(titles.get(collection_id, collection_id), source.language)
            if collection_id in titles:
                target = relative(path, self.urls.collection_page(collection_id))
                shown.append(Markup('<a href="{}">{}</a>').format(target, title))
            else:
                shown.append(title)
        return Markup(", ").join(shown)

    @staticmethod
    def _creators(value: Any, hint: str) -> Markup:
        shown = []
        for creator in _as_list(value):
            if isinstance(creator, dict):
                name = mark_chinese(creator.get("name") or creator.get("literal") or "", hint)
                if creator.get("name_en"):
                    name += Markup(" ({})").format(creator["name_en"])
                if creator.get("role"):
                    name += Markup(", {}").format(creator["role"])
                shown.append(name)
            else:
                shown.append(mark_chinese(creator, hint))
        return Markup("; ").join(shown)

    def _source_page(self, source: Source, passages: list[Passage], download: str | None) -> None:
        path = self.urls.source(source.id)
        mentions = self.catalog.passage_mentions(source.id)
        term_counts: Counter[str] = Counter()

        def term_link(term: str) -> str | None:
            target = self.urls.term(term)
            return None if target is None else relative(path, target)

        def source_link(source_id: str) -> tuple[str, str] | None:
            other = self._source_by_id.get(source_id)
            if other is None:
                return None
            return other.title, relative(path, self.urls.source(other.id))

        annotations, translations = self._notes_of(source.id)
        notes = shown_notes(annotations, term_link, source_link)
        quotes: dict[int, list[str]] = {}
        for note in annotations:
            if note.quote:
                quotes.setdefault(note.paragraph, []).append(note.quote)
        translated = [(translation, dict(translation.paragraphs)) for translation in translations]
        shown = []
        for passage in passages:
            lang = passage.language or text_lang(passage.text, source.language) or source.language
            found = longest_mentions(
                Mention(start, end, term) for term, start, end in mentions.get(passage.id or -1, [])
            )
            term_counts.update(m.term for m in found if m.term in self.term_by_name)
            shown.append(
                {
                    "anchor": self.urls.passage_anchor(passage.paragraph),
                    "paragraph": passage.paragraph,
                    "page": passage.page,
                    "ocr": passage.method == "ocr",
                    # Rounded down: a reader is never shown more confidence than the engine gave.
                    "confidence": (
                        None
                        if passage.confidence is None
                        else f"{math.floor(passage.confidence * 100) / 100:.2f}"
                    ),
                    "lang": lang,
                    "dir": direction(lang),
                    "html": quoted_markup(
                        passage.text, found, term_link, lang, quotes.get(passage.paragraph, [])
                    ),
                    "notes": notes.get(passage.paragraph, []),
                    "translations": [
                        {
                            "lang": translation.language,
                            "dir": direction(translation.language),
                            "text": paragraphs.get(passage.paragraph),
                        }
                        for translation, paragraphs in translated
                        if passage.paragraph in paragraphs
                        or passage.paragraph in translation.withheld
                    ],
                }
            )
        record = self.catalog.file(source.file_sha256)
        terms = [
            (self.term_by_name[name], count, self.urls.term(name))
            for name, count in sorted(term_counts.items(), key=lambda item: (-item[1], item[0]))
        ]
        # "Cite this": the three styles, and the record as .bib, .ris and .json beside the page.
        item = source_csl(self.catalog, source, self.site_url)
        cite = cite_this(item, self.cite_style)
        folder = path.rsplit("/", 1)[0]
        for name, text in cite.files.items():
            target = self.root / folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        publication = None if self.publications is None else self.publications.get(source.id)
        offered = "original" if publication is None else publication.file
        proof = None
        if (
            offered == "original"
            and self.evidence is not None
            and source.file_sha256 in self.evidence.proofs
        ):
            bundle = self.evidence.proofs[source.file_sha256]
            proof = {
                "bundle": self.urls.source_file(source.id, "proof.json"),
                "entry": json.loads(json.loads(bundle)["entry"]),
                "checkpoint": self.urls.evidence("checkpoint.txt"),
                "key": self.urls.evidence("key.vkey"),
            }
            self._write(proof["bundle"], bundle)
        self._page(
            "source.html",
            path,
            source.title,
            source=source,
            proof=proof,
            publication=publication,
            offered=offered,
            withheld=_withheld_sentence(publication.withheld) if publication else "",
            metadata=self._metadata_rows(source),
            file=record,
            download=download,
            passages=shown,
            methods=sorted({p.method for p in passages}),
            terms=terms,
            cite=cite,
            cite_folder=folder,
            cite_note=item.get("note"),
            translations=translations,
        )

    def _section_pages(self) -> list[dict[str, Any]]:
        listed = []
        # Sections cite bibliography entries and, by id ([@source-id]), archived sources.
        citable, clashes = archive_items(self.catalog, self.site_url)
        self.report.warnings.extend(clashes)
        sections = self.catalog.sections()
        sources = {source.id: source for source in self.sources}
        passages = functools.cache(self.catalog.passages)
        figures = FigureMaker(self.catalog, self.blobs, self.root, self.publications)
        titles = self.collection_titles
        records = frozenset(str(entry["id"]) for entry in self.catalog.bibliography())
        # The pinyin and English of every term, for the hover or tap of term links anywhere.
        hints = {self.urls.term(t.term): [t.pinyin, "; ".join(t.english)] for t in self.terms}
        data = json.dumps(hints, ensure_ascii=False, sort_keys=True).replace("</", "<\\/")
        self._write(self.urls.asset("terms-data.js"), f"window.shiliaoTerms = {data};\n".encode())
        for section in sections:
            path = self.urls.section(section.id)

            def term_url(term: str, path: str = path) -> str:
                target = self.urls.term(term)
                return relative(path, target) if target else relative(path, self.urls.terms)

            links = EssayLinks(
                urls=self.urls,
                link=functools.partial(relative, path),
                sources=sources,
                passages=passages,
                collections=frozenset(titles),
                sections=frozenset(s.id for s in sections),
                figure=figures,
                records=records,
            )
            rendered = render_section(
                section,
                citable,
                self.terms,
                term_url,
                style=self.cite_style,
                links=links,
                ui=self.interface.ui,
            )
            self.report.warnings.extend(rendered.warnings)
            self._page(
                "section.html",
                path,
                rendered.title,
                section=rendered,
                source_path=section.path,
                collections=[(titles[cid], url) for cid, url in rendered.collections],
                # The essay's own language (its Han runs carry theirs), so that it is not read as
                # the interface's when a reader switches that to Chinese.
                section_lang=_essay_language(section.front_matter),
            )
            listed.append({"url": path, "title": rendered.title, "subtitle": rendered.subtitle})
        self._page("sections.html", self.urls.sections, "Sections", sections=listed)
        return listed

    def _glossary_page(self, usage: dict[str, tuple[int, int]]) -> None:
        entries = [
            (term, self.urls.term(term.term), usage.get(term.term, (0, 0))) for term in self.terms
        ]
        self._page("glossary.html", self.urls.terms, "Glossary", entries=entries)

    def _kwic(self, term: str) -> list[dict[str, Any]]:
        lines = []
        sources: dict[str, Source | None] = {}
        for passage, start, end in self.catalog.term_mentions(term, self.kwic_lines):
            if passage.source_id not in sources:
                sources[passage.source_id] = self.catalog.source(passage.source_id)
            source = sources[passage.source_id]
            if source is None:
                continue
            text = passage.text
            left_start = max(0, start - self.kwic_width)
            right_end = min(len(text), end + self.kwic_width)
            lines.append(
                {
                    "source": source,
                    "url": self.urls.passage(source.id, passage.paragraph),
                    "paragraph": passage.paragraph,
                    "lang": text_lang(text, source.language) or source.language,
                    "left": ("…" if left_start > 0 else "") + text[left_start:start],
                    "match": text[start:end],
                    "right": text[end:right_end] + ("…" if right_end < len(text) else ""),
                }
            )
        return lines

    def _term_page(
        self, term: Term, usage: tuple[int, int], analysis: TermAnalysis | None = None
    ) -> None:
        path = self.urls.term(term.term)
        if path is None:
            raise PublishError(f"glossary term {term.term!r} has no page")

        def linked(names: Sequence[str]) -> list[tuple[str, str | None]]:
            return [(name, self.urls.term(name)) for name in names if name != term.term]

        self._page(
            "term.html",
            path,
            term.term,
            term=term,
            parts=linked(term.parts),
            see=linked(term.see),
            usage=usage,
            kwic=self._kwic(term.term),
            search=self.urls.search_for(term.term),
            kwic_limit=self.kwic_lines,
            analysis=analysis,
            collocation_measure=COLLOCATION_MEASURE,
        )
