"""Every path of the static site, built in one place so that links and files cannot drift apart.

Paths are POSIX, relative to the site's root, and name files, never folders
(``sources/<id>/index.html``, not ``sources/<id>/``): a site opened from ``file://`` gets no
directory index, so a link to a folder would show a file listing instead of the page. Pages
link to each other with ``relative``, so the site works from any sub-path of any static host.
The same ``SiteUrls`` decides where ``site.py`` writes each page, which is what keeps a link and
its target the same string (as datasette's ``url_builder.Urls`` does for its routes).
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import unicodedata
from collections.abc import Iterable
from urllib.parse import quote

from shiliao.errors import PublishError
from shiliao.model import Term

__all__ = ["MANIFEST", "SiteUrls", "relative", "root_prefix", "term_slugs"]

# The build manifest at the site's root (see site.site_is_current).
MANIFEST = ".shiliao-site.json"

# A path segment that needs no escaping in a URL and is a plain name on every file system.
_SAFE_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")
_SLUG_JUNK = re.compile(r"[^a-z0-9]+")


def _segment(value: str, what: str) -> str:
    if not _SAFE_SEGMENT.fullmatch(value):
        raise PublishError(
            f"{what} {value!r} cannot be a path on the site: it must be letters, digits, "
            "'.', '_' or '-', starting with a letter or digit"
        )
    return value


def term_slugs(terms: Iterable[Term]) -> dict[str, str]:
    """Give every glossary term a URL slug made from its pinyin.

    Tone marks are dropped (NFKD, then only ASCII kept: ``ǚ`` gives ``u``), the result is lower
    case with runs of anything else turned into one ``-``: ``Mínzú Tuánjié`` gives
    ``minzu-tuanjie``. A second term with the same slug gets ``-2``, a third ``-3``, in
    glossary order, so a slug is stable as long as the glossary's order is. A term whose pinyin
    gives nothing gets ``term-<n>`` (``n`` its 1-based place in the glossary).

    Args:
        terms: the glossary, in its order.

    Returns:
        Map term (Simplified) -> slug, ``[a-z0-9-]``, unique.
    """
    slugs: dict[str, str] = {}
    taken: set[str] = set()
    for number, term in enumerate(terms, start=1):
        if term.term in slugs:
            continue
        ascii_text = unicodedata.normalize("NFKD", term.pinyin or "").encode("ascii", "ignore")
        base = _SLUG_JUNK.sub("-", ascii_text.decode().lower()).strip("-") or f"term-{number}"
        slug, suffix = base, 1
        while slug in taken:
            suffix += 1
            slug = f"{base}-{suffix}"
        taken.add(slug)
        slugs[term.term] = slug
    return slugs


def relative(from_page: str, target: str) -> str:
    """The relative URL of ``target`` as seen from the page ``from_page``.

    Args:
        from_page: the linking page, root-relative (``sources/abc/index.html``).
        target: the page or file linked to, root-relative, optionally with ``#fragment``.

    Returns:
        A relative URL (``../../terms/jieqin/index.html#x``); a fragment alone (``#p3``) when
        ``target`` is on ``from_page`` itself.
    """
    path, hash_mark, fragment = target.partition("#")
    if path == from_page and hash_mark:
        return f"#{fragment}"
    link = posixpath.relpath(path, posixpath.dirname(from_page) or ".")
    return f"{link}{hash_mark}{fragment}"


def root_prefix(from_page: str) -> str:
    """The relative URL of the site's root folder as seen from ``from_page``.

    Returns:
        ``"./"`` for a page at the root, ``"../"`` for ``search/index.html``,
        ``"../../"`` for ``sources/abc/index.html``; a root-relative path appended to it makes
        a link (what the site's scripts do with the paths in the search index).
    """
    return "../" * from_page.count("/") or "./"


class SiteUrls:
    """The root-relative path of every page and file of a site.

    Args:
        term_slug: map term (Simplified) -> slug, from ``term_slugs``.

    Raises:
        PublishError: (from the methods) an id that cannot be a path segment; source and
            section ids are ``[a-z0-9-]`` by construction, so this means a damaged archive.
    """

    home = "index.html"
    # The browse page of every source (its URL predates the name "browse"; kept so links hold).
    collection = "sources/index.html"
    browse_data = "sources/browse-data.js"
    collections = "collections/index.html"
    sections = "sections/index.html"
    terms = "terms/index.html"
    formulas = "formulas/index.html"
    about = "about/index.html"
    search = "search/index.html"
    manifest = MANIFEST

    def __init__(self, term_slug: dict[str, str]) -> None:
        self._term_slug = dict(term_slug)

    def source(self, source_id: str) -> str:
        """A source's page."""
        return f"sources/{_segment(source_id, 'source id')}/index.html"

    def source_file(self, source_id: str, name: str) -> str:
        """A file written beside a source's page (``cite.bib``, ``proof.json``...)."""
        return f"sources/{_segment(source_id, 'source id')}/{_segment(name, 'file name')}"

    @staticmethod
    def evidence(name: str) -> str:
        """The archive's published log checkpoint and public key (``checkpoint.txt``,
        ``key.vkey``)."""
        return f"evidence/{_segment(name, 'evidence file')}"

    def passage(self, source_id: str, paragraph: int) -> str:
        """A passage on its source's page (``#p<paragraph>``)."""
        return f"{self.source(source_id)}#{self.passage_anchor(paragraph)}"

    @staticmethod
    def passage_anchor(paragraph: int) -> str:
        """The ``id`` of a passage's element on its source's page."""
        return f"p{int(paragraph)}"

    @staticmethod
    def collection_page(collection_id: str) -> str:
        """A collection's page (``collections/<id>/index.html``).

        A collection id comes from sources' metadata, so any text may be one: an id that is a
        safe path segment is used as it is; any other (spaces, Han) becomes its ASCII letters
        and digits, or ``collection``, then ``-`` and the first 8 hex digits of the SHA-256 of
        its UTF-8, so that two ids never share a page.
        """
        # "index.html" would be a folder where the collections' index is a file.
        if _SAFE_SEGMENT.fullmatch(collection_id) and collection_id != "index.html":
            return f"collections/{collection_id}/index.html"
        ascii_text = unicodedata.normalize("NFKD", collection_id).encode("ascii", "ignore")
        base = _SLUG_JUNK.sub("-", ascii_text.decode().lower()).strip("-")[:60] or "collection"
        digest = hashlib.sha256(collection_id.encode("utf-8")).hexdigest()[:8]
        return f"collections/{base}-{digest}/index.html"

    def section(self, section_id: str) -> str:
        """A section's page."""
        return f"sections/{_segment(section_id, 'section id')}/index.html"

    def term(self, term: str) -> str | None:
        """A glossary term's page, or None for a string that is not a term."""
        slug = self._term_slug.get(term)
        return None if slug is None else f"terms/{slug}/index.html"

    def search_for(self, query: str) -> str:
        """The search page with a query filled in (``search/index.html?q=...``)."""
        return f"{self.search}?q={quote(query, safe='')}"

    @staticmethod
    def asset(name: str) -> str:
        """A shipped stylesheet or script (``assets/site.css``)."""
        return f"assets/{_segment(name, 'asset')}"

    @staticmethod
    def search_data(name: str) -> str:
        """A file of the static search index (``search/data/meta.js``, ``search/data/t/0a.js``)."""
        return "search/data/" + "/".join(_segment(part, "index file") for part in name.split("/"))

    @staticmethod
    def original(sha256: str, file_name: str) -> str:
        """A copy of an original file, under its digest (``files/<sha256>/<file_name>``)."""
        return f"files/{_segment(sha256, 'digest')}/{_segment(file_name, 'file name')}"
