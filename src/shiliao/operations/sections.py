"""Essays (sections) read, saved and previewed from the app, as files of ``essays/`` that a
curator could have written by hand (``collection.essays`` reads them; ``docs/essays.md`` says
what they may hold).

A saved essay is checked first: it must read as the collection's reader reads an essay (UTF-8,
front matter a YAML mapping), or nothing is written. A save names the version of the file it
edits (the SHA-256 of its bytes when the editor read it), so that a save made meanwhile is
never overwritten unseen (``EditConflict``). Writes are atomic and under the folder's edit
lock (``collection.writing``).

The preview is the body as the site renders it (``publish.section.render_section``, raw HTML
off: anything that looks like a tag is shown as text), with the collection's glossary and
bibliography; what needs the archive (links by id to sources, figures, citations of archived
sources) is shown unlinked, as the site shows an id it does not have.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from shiliao.cite.csl import load_bibliography
from shiliao.collection.essays import read_section
from shiliao.collection.glossary import read_glossary
from shiliao.collection.writing import editing, replace_text
from shiliao.config import load_settings
from shiliao.errors import CitationError, CollectionError, ConfigError, EditConflict, EditError
from shiliao.model import Section, Term
from shiliao.publish.section import render_section
from shiliao.publish.urls import SiteUrls, relative, term_slugs

__all__ = [
    "ESSAYS_FOLDER",
    "EssayEntry",
    "EssayText",
    "list_essays",
    "preview_essay",
    "read_essay",
    "save_essay",
]

ESSAYS_FOLDER = "essays"
# A new essay's id names its file (essays/<id>.md) and its page (sections/<id>/index.html).
_SECTION_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,99}")
_NOT_ID = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class EssayText:
    """One essay's file as it is.

    Attributes:
        section_id: the section's id (its file's name without ``.md``, made URL-safe).
        path: the file, relative to the collection folder (``essays/jieqin.md``).
        text: its text (UTF-8 decoded, without a byte-order mark).
        version: the SHA-256 of its bytes, 64 lowercase hex: the token to save against.
    """

    section_id: str
    path: str
    text: str
    version: str


@dataclass(frozen=True)
class EssayEntry:
    """One essay in the list of ``list_essays``.

    Attributes:
        section_id: the section's id.
        path: the file, relative to the collection folder.
        title: the front matter's ``title``, or None.
        version: the SHA-256 of the file's bytes, 64 lowercase hex.
        problem: why the build would stop on this essay (not UTF-8, front matter not a YAML
            mapping), or None.
    """

    section_id: str
    path: str
    title: str | None
    version: str
    problem: str | None


def _section_id(stem: str) -> str:
    # The id collection.essays.read_section gives a file of this stem.
    return _NOT_ID.sub("-", stem.lower()).strip("-") or "section"


def _essay_files(collection_dir: Path) -> dict[str, Path]:
    """The essays' files by section id (the first file in name order, for two of one id)."""
    files: dict[str, Path] = {}
    folder = collection_dir / ESSAYS_FOLDER
    if folder.is_dir():
        for path in sorted(folder.glob("*.md")):
            files.setdefault(_section_id(path.stem), path)
    return files


def _essay_text(section_id: str, path: Path, collection_dir: Path) -> EssayText:
    """Raises ``EditError`` for a file that is not UTF-8."""
    data = path.read_bytes()
    rel = path.relative_to(collection_dir).as_posix()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise EditError(
            f"{rel}: not UTF-8 text (byte {exc.start + 1}); save it as UTF-8 by hand first"
        ) from exc
    return EssayText(section_id, rel, text, hashlib.sha256(data).hexdigest())


def _checked_id(section_id: str) -> str:
    if not isinstance(section_id, str) or not _SECTION_ID.fullmatch(section_id):
        raise EditError(
            f"section id {section_id!r} must be lowercase a-z, 0-9 and '-', starting with a "
            "letter or digit, at most 100 characters"
        )
    return section_id


def _parsed(text: str, section_id: str) -> Section:
    """``text`` read as the collection's reader reads ``essays/<section_id>.md``.

    Raises:
        EditError: the text holds a lone surrogate (no UTF-8), or its front matter is not a
            YAML mapping (the reader's message).
    """
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise EditError(
            f"the essay holds a lone surrogate (\\u{ord(text[exc.start]):04x}) at character "
            f"{exc.start + 1}; write the character itself"
        ) from exc
    rel = f"{ESSAYS_FOLDER}/{section_id}.md"
    # read_section reads a file and takes the id from its name: a file of that name, outside
    # the collection, so that nothing unchecked ever stands in essays/.
    with tempfile.TemporaryDirectory(prefix="shiliao-essay-") as folder:
        path = Path(folder) / f"{section_id}.md"
        path.write_bytes(data)
        try:
            return read_section(path, rel, hashlib.sha256(data).hexdigest())
        except CollectionError as exc:
            raise EditError(str(exc)) from exc


def list_essays(collection_dir: Path) -> list[EssayEntry]:
    """The essays of ``essays/*.md``, in name order, each with its title or its problem.

    Raises:
        OSError: a file cannot be read.
    """
    entries = []
    folder = collection_dir / ESSAYS_FOLDER
    for path in sorted(folder.glob("*.md")) if folder.is_dir() else []:
        section_id = _section_id(path.stem)
        data = path.read_bytes()
        rel = path.relative_to(collection_dir).as_posix()
        version = hashlib.sha256(data).hexdigest()
        title, problem = None, None
        try:
            front = read_section(path, rel, version).front_matter
            title = str(front["title"]) if front.get("title") else None
        except CollectionError as exc:
            problem = str(exc)
        entries.append(EssayEntry(section_id, rel, title, version, problem))
    return entries


def read_essay(collection_dir: Path, section_id: str) -> EssayText:
    """One essay's text and version.

    Raises:
        EditError: no essay has this id, or its file is not UTF-8.
        OSError: the file cannot be read.
    """
    path = _essay_files(collection_dir).get(section_id)
    if path is None:
        raise EditError(f"no essay has the id {section_id!r}")
    return _essay_text(section_id, path, collection_dir)


def save_essay(
    collection_dir: Path, section_id: str, text: str, *, base_version: str | None
) -> EssayText:
    """Save an essay's text, new or edited.

    Line ends are written as ``\\n`` (a browser sends a form's text with ``\\r\\n``), so that
    the file's history in version control shows the lines changed, not every line.

    Args:
        collection_dir: the collection folder.
        section_id: the essay's id; a new essay's file is ``essays/<section_id>.md``.
        text: the whole file: front matter (optional) and Markdown.
        base_version: the ``EssayText.version`` the editor started from, or None for a new
            essay.

    Returns:
        The essay as saved, with its new version.

    Raises:
        EditError: the id is not ``[a-z0-9][a-z0-9-]*`` (100 characters at most), the text
            does not read as an essay (front matter not a YAML mapping, a lone surrogate), or
            the essay to edit is gone; nothing was written.
        EditConflict: for a new essay, one with this id exists; for an edit, the file changed
            since ``base_version``. ``current`` is the ``EssayText`` now, ``version`` its
            version; nothing was written.
        OSError: the file cannot be written.
    """
    _checked_id(section_id)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    _parsed(text, section_id)
    with editing(collection_dir):
        existing = _essay_files(collection_dir).get(section_id)
        if existing is not None:
            current = _essay_text(section_id, existing, collection_dir)
            if base_version is None:
                raise EditConflict(
                    f"an essay with the id {section_id!r} exists ({current.path}); open it to "
                    "edit it, or choose another id",
                    current,
                    current.version,
                )
            if current.version != base_version:
                raise EditConflict(
                    f"{current.path} changed since it was opened; merge the changes and save again",
                    current,
                    current.version,
                )
            path = existing
        elif base_version is not None:
            raise EditError(
                f"the essay {section_id!r} was removed since it was opened; save it as a new one"
            )
        else:
            path = collection_dir / ESSAYS_FOLDER / f"{section_id}.md"
            path.parent.mkdir(exist_ok=True)
        replace_text(path, text)
    return EssayText(
        section_id,
        path.relative_to(collection_dir).as_posix(),
        text,
        hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )


def _collection_context(collection_dir: Path) -> tuple[list[dict], list[Term], str]:
    """The collection's bibliography, glossary and citation style, as the build reads them.

    Raises:
        EditError: ``bibliography.json``, ``glossary.yaml`` or ``shiliao.toml`` cannot be read.
    """
    try:
        style = str(load_settings(collection_dir).table("cite")["style"])
        bibliography_file = collection_dir / "bibliography.json"
        bibliography = (
            load_bibliography(bibliography_file.read_bytes(), "bibliography.json")
            if bibliography_file.is_file()
            else []
        )
        glossary_file = collection_dir / "glossary.yaml"
        terms = (
            read_glossary(glossary_file.read_text(encoding="utf-8-sig"), "glossary.yaml")
            if glossary_file.is_file()
            else []
        )
    except (CitationError, CollectionError, ConfigError, UnicodeDecodeError) as exc:
        raise EditError(f"cannot preview: {exc}") from exc
    return bibliography, terms, style


def preview_essay(
    text: str, collection_dir: Path | None = None, *, section_id: str = "preview"
) -> str:
    """The HTML the site renders for an essay's body, for a preview beside the editor.

    The body goes through ``publish.section.render_section`` as the site's section page
    renders it: CommonMark with raw HTML off (``<script>`` is shown as text, never run),
    citations linked to the reference list and the list appended, Han runs tagged with their
    language and glossary terms linked as the page at ``sections/<section_id>/index.html``
    links them. Without the archive, links by id (``source:``, ``passage:``...), figures and
    citations of archived sources are left unlinked, as the site leaves an id it lacks.

    Args:
        text: the whole essay (front matter and Markdown).
        collection_dir: the collection whose ``bibliography.json``, ``glossary.yaml`` and
            ``[cite] style`` are used; None renders with none (Chicago style).
        section_id: the essay's id (its page's place decides its links' paths).

    Returns:
        An HTML fragment (the body and its reference list, without the title), every text
        of the essay escaped.

    Raises:
        EditError: the id is not a section id, the text does not read as an essay, or the
            collection's bibliography, glossary or settings cannot be read.
    """
    _checked_id(section_id)
    section = _parsed(text.replace("\r\n", "\n").replace("\r", "\n"), section_id)
    bibliography, terms, style = (
        _collection_context(collection_dir) if collection_dir is not None else ([], [], "chicago")
    )
    urls = SiteUrls(term_slugs(terms))
    page = urls.section(section_id)

    def term_url(term: str) -> str:
        target = urls.term(term)
        return relative(page, target) if target else relative(page, urls.terms)

    return str(render_section(section, bibliography, terms, term_url, style=style).html)
