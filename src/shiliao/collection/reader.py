"""Read a collection folder (DESIGN.md, "The input: a collection folder") into plain values.

Layout read::

    COLLECTION/
      shiliao.toml          settings (read by ``shiliao.config``)
      essays/*.md           sections: YAML front matter + Markdown
      glossary.yaml         terms
      bibliography.json     CSL-JSON
      privacy.yaml          the editors' privacy decisions (``collection.privacy``)
      people.yaml           people named in a public role
      annotations.yaml      curators' notes on passages (``collection.annotations``)
      translations/*.md     translations of sources without a file of their own
      sources/**            primary sources; ``x.ext.yaml`` beside a file is its sidecar;
                            ``x.jsonl`` + ``x.jsonl.yaml`` gives one source per line (its
                            ``lines`` gives metadata for one line, by the line's source id);
                            ``x.pdf.en.translation.md`` is a translation of x.pdf
                            (``collection.translations``), no source

Nothing here parses a source's file format (that is ``extract``); this module only finds files,
hashes them, applies sidecars and yields ``SourceInput`` values with stable ids and fingerprints.

A JSON-lines file is read here, in the main process, so it is read line by line with a bounded
buffer: a line longer than ``extract.max_line_bytes`` (shiliao.toml) is skipped without ever
being held whole. A bad line (too long, not UTF-8, not JSON, not an object, a lone surrogate,
no text) fails alone: it is listed in ``Collection.failed`` with its line number, and the other
lines become sources as before. An id under the sidecar's ``lines`` that matches no line (the
line was removed, or its key changed) is listed in ``Collection.problems``.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from shiliao.collection.annotations import ANNOTATIONS_FILE, read_annotations
from shiliao.collection.essays import read_section
from shiliao.collection.glossary import read_glossary
from shiliao.collection.privacy import DECISIONS_FILE, PEOPLE_FILE, read_decisions, read_people
from shiliao.collection.sidecar import (
    LineMapping,
    apply_line_mapping,
    check_metadata,
    date_problem,
    load_sidecar,
    override_line,
    parse_line_mapping,
    with_reliability,
)
from shiliao.collection.translations import (
    TRANSLATIONS_FOLDER,
    read_translation,
    translation_beside,
    translation_of_id,
)
from shiliao.config import load_settings
from shiliao.errors import CollectionError, SidecarError
from shiliao.model import Annotation, Decision, Section, SourceInput, Term, Translation

__all__ = [
    "DEFAULT_LINE_MAPPING",
    "Collection",
    "CollectionFile",
    "read_collection",
    "source_id_for",
]

# Bump when the way a source is read or processed changes, so every source is redone once.
PROCESSING_VERSION = "4"

_SIDECAR_SUFFIXES = (".yaml", ".yml")
# Any name that says it is a translation (x.txt.en.translation.md, ...translation.markdown).
_TRANSLATION_NAME = re.compile(r"\.translation(?:\.[^.]*)?\Z", re.IGNORECASE)
_SOURCE_ID = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?")
DEFAULT_LINE_MAPPING = LineMapping(
    each_line={"title": "{title}", "url": "{url}", "date": "{date}"}, defaults={}
)
"""How a JSON-lines file without a sidecar is read (its text: ``text``, else ``content``)."""
# An over-long line is skipped in pieces of this many bytes.
_SKIP_BYTES = 1 << 20
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class CollectionFile:
    """A file of the collection that the archive keeps as an original.

    Attributes:
        path: relative to the collection folder, POSIX separators, NFC.
        abspath: where it is now.
        sha256: digest of its bytes, lowercase hex.
        size: length in bytes.
    """

    path: str
    abspath: Path
    sha256: str
    size: int


@dataclass
class Collection:
    """Everything read from a collection folder.

    Attributes:
        root: the folder.
        files: every file kept as an original (sources, sidecars, essays, glossary,
            bibliography), sorted by path.
        sources: the sources, in collection order (files by path, lines in order).
        sections: the essays, sorted by path.
        terms: the glossary, in file order.
        bibliography: the CSL-JSON items as parsed JSON (validated by ``cite``).
        bibliography_path: relative path of the bibliography, or None.
        decisions: the editors' privacy decisions (``privacy.yaml``), in file order.
        people: the names of people in a public role (``people.yaml``).
        annotations: the curators' notes on passages (``annotations.yaml``), in file order.
        translations: the translations of sources, by path.
        problems: messages about files that were skipped, each naming the path.
        failed: ``{"path", "line", "reason"}`` for each line of a JSON-lines file that could
            not be made a source (``reason`` begins ``"line N: "``); also in ``problems``.
    """

    root: Path
    files: list[CollectionFile] = field(default_factory=list)
    sources: list[SourceInput] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    terms: list[Term] = field(default_factory=list)
    bibliography: list[dict[str, Any]] = field(default_factory=list)
    bibliography_path: str | None = None
    decisions: list[Decision] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    annotations: list[Annotation] = field(default_factory=list)
    translations: list[Translation] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if slug and ascii_text == text:
        return slug
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
    return f"{slug}-{digest}" if slug else digest


def source_id_for(path: str, key: str | None = None) -> str:
    """Make a stable, URL-safe source id (``[a-z0-9-]``).

    Args:
        path: the file's path relative to ``sources/``.
        key: for a source that is one line of a JSON-lines file, the key that identifies the
            line (its ``id`` template, else its URL, else ``"line:N"``).

    Returns:
        For a file, a slug of its path without the extension (with 8 hex digits of the path's
        SHA-256 added when the name is not plain ASCII); for a line, the slug of the file's stem
        and 10 hex digits of the key's SHA-256, so that ids survive lines being reordered.
    """
    stem = path.rsplit(".", 1)[0] if "." in path.rsplit("/", 1)[-1] else path
    if key is None:
        return _slug(stem)
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:10]
    return f"{_slug(stem.rsplit('/', 1)[-1])}-{digest}"


def _hash_file(path: Path) -> tuple[str, int]:
    with path.open("rb") as handle:
        digest = hashlib.file_digest(handle, "sha256")
        return digest.hexdigest(), handle.tell()


def _fingerprint(*parts: Any) -> str:
    blob = json.dumps([PROCESSING_VERSION, *parts], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _rel(path: Path, root: Path) -> str:
    return unicodedata.normalize("NFC", path.relative_to(root).as_posix())


def _is_sidecar(path: Path) -> bool:
    return path.suffix.lower() in _SIDECAR_SUFFIXES and path.with_suffix("").is_file()


def _sidecar_of(path: Path, sidecars: dict[str, list[Path]]) -> Path | None:
    """The sidecar of ``path`` (``x.pdf.yaml``, ``x.pdf.YML``: the suffix in any case).

    Raises:
        SidecarError: the file has two sidecars (``x.pdf.yaml`` and ``x.pdf.yml``).
    """
    found = sidecars.get(str(path).lower(), [])
    if len(found) > 1:
        raise SidecarError(
            str(found[1]),
            f"{path.name} has two sidecars ({found[0].name}, {found[1].name}); keep one",
        )
    return found[0] if found else None


class _BadLine(Exception):
    """Why one line of a JSON-lines file is no source (the message, without the line number)."""


def _read_lines(handle: BinaryIO, max_line_bytes: int) -> Iterator[tuple[int, bytes | None]]:
    """Each line of a binary file as ``(number, bytes)``: 1-based, without its line end.

    At most ``max_line_bytes + 1`` bytes are held at once: a line longer than ``max_line_bytes``
    (a ``\\r`` before its newline counted) is read past in pieces and given as None.
    """
    number = 0
    while raw := handle.readline(max_line_bytes + 1):
        number += 1
        if raw.endswith(b"\n") or len(raw) <= max_line_bytes:
            yield number, raw.rstrip(b"\r\n")
            continue
        while raw and not raw.endswith(b"\n"):
            raw = handle.readline(_SKIP_BYTES)
        yield number, None


def _lone_surrogate(value: Any) -> str | None:
    """The first lone surrogate in a parsed JSON value, as its escape (``\\ud800``), or None.

    JSON may escape one alone, but it is no character: UTF-8 cannot hold it, so the database
    and every file written would fail on it.
    """
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"\\u{ord(exc.object[exc.start]):04x}"
    return None


def _line_record(record_bytes: bytes, number: int) -> dict[str, Any]:
    """The JSON object one line holds; ``_BadLine`` when it holds none."""
    if number == 1 and record_bytes.startswith(_BOM):
        record_bytes = record_bytes[len(_BOM) :]
    try:
        # Decoded here, strictly: json.loads on bytes would guess UTF-16 from NUL bytes and let
        # UTF-8-encoded surrogates through.
        line = record_bytes.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _BadLine(f"not UTF-8 text ({exc.reason} at byte {exc.start + 1})") from exc
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise _BadLine(f"not valid JSON: {exc.msg} at column {exc.colno}") from exc
    except RecursionError as exc:
        raise _BadLine("not readable: JSON nested too deeply") from exc
    except ValueError as exc:  # a number of more than 4,300 digits
        raise _BadLine(f"not readable: {exc}") from exc
    if not isinstance(record, dict):
        raise _BadLine("a line must be a JSON object")
    return record


def _jsonl_sources(
    file: CollectionFile,
    rel_to_sources: str,
    mapping: LineMapping,
    shared: str,
    max_line_bytes: int,
    failed: list[dict[str, Any]],
    problems: list[str],
) -> Iterator[SourceInput]:
    """The sources of a JSON-lines file, one per good line; each bad line appended to
    ``failed`` as ``{"path", "line", "reason"}``, and each line's date that is not EDTF to
    ``problems`` (the line's source is left undated), and so is each id of the sidecar's
    ``lines`` that no line has."""
    keys_seen: set[str] = set()
    unmatched = set(mapping.lines)
    with file.abspath.open("rb") as handle:
        for number, record_bytes in _read_lines(handle, max_line_bytes):
            try:
                if record_bytes is None:
                    raise _BadLine(
                        f"longer than {max_line_bytes} bytes (extract.max_line_bytes); skipped"
                    )
                if not record_bytes.strip():
                    continue
                source = _line_source(
                    file, rel_to_sources, mapping, shared, number, record_bytes, keys_seen
                )
                if (problem := date_problem(source.metadata.get("date"))) is not None:
                    # One line's date does not fail the file, nor date its source.
                    problems.append(f"{file.path}: line {number}: {problem}; left undated")
                    del source.metadata["date"]
                try:
                    source.metadata = with_reliability(source.metadata)
                except ValueError as exc:
                    # Likewise its reliability: the source is kept, not assessed.
                    problems.append(f"{file.path}: line {number}: {exc}; left unassessed")
                    del source.metadata["reliability"]
            except _BadLine as exc:
                failed.append(
                    {"path": file.path, "line": number, "reason": f"line {number}: {exc}"}
                )
                continue
            unmatched.discard(source.id)
            yield source
    for source_id in sorted(unmatched):
        # Left silent, an edit of a line whose key changed would be lost without a word.
        problems.append(
            f"{file.path}: its sidecar's lines: {source_id!r} is the id of no line; "
            "give the entry the line's new id or remove it"
        )


def _line_source(
    file: CollectionFile,
    rel_to_sources: str,
    mapping: LineMapping,
    shared: str,
    number: int,
    record_bytes: bytes,
    keys_seen: set[str],
) -> SourceInput:
    """The source one line of a JSON-lines file gives; ``_BadLine`` when it gives none."""
    record = _line_record(record_bytes, number)
    try:
        metadata, text = apply_line_mapping(mapping, record, file.path, number)
    except SidecarError as exc:
        raise _BadLine(str(exc).removeprefix(f"{file.path}: line {number}: ")) from exc
    except RecursionError as exc:  # a template or lookup naming a deeply nested value
        raise _BadLine("not readable: JSON nested too deeply") from exc
    if text is None:
        text = record.get("text") if isinstance(record.get("text"), str) else None
        text = text if text is not None else record.get("content")
        if not isinstance(text, str):
            raise _BadLine("no text field; map one in the sidecar (each_line: text: FIELD)")
    key = metadata.pop("id", None) or metadata.get("url") or f"line:{number}"
    surrogate = _lone_surrogate([key, metadata, text])
    if surrogate:
        raise _BadLine(f"holds a lone surrogate ({surrogate}), half of a \\u pair; no character")
    if key in keys_seen:
        key = f"{key}#line:{number}"
    keys_seen.add(key)
    record_sha = hashlib.sha256(record_bytes).hexdigest()
    source_id = source_id_for(rel_to_sources, key)
    # After the key is taken: the sidecar's entry for the line is found by the line's id, so a
    # url it gives cannot change that id.
    metadata = override_line(mapping, metadata, source_id)
    return SourceInput(
        id=source_id,
        path=file.path,
        line=number,
        record_sha256=record_sha,
        metadata=metadata,
        text=text,
        fingerprint=_fingerprint(record_sha, metadata, shared),
    )


def _text(path: Path, where: str) -> str:
    """A collection file's text: UTF-8, with or without a byte-order mark.

    Raises:
        CollectionError: in another encoding (a GBK or UTF-16 file saved by a Windows editor),
            naming the file and the first byte that is not UTF-8.
    """
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CollectionError(
            f"{where}: not UTF-8 text (byte {exc.start + 1}: {exc.reason}); save it as UTF-8"
        ) from exc


def read_collection(root: Path, *, only: frozenset[str] | None = None) -> Collection:
    """Read a collection folder.

    Args:
        root: the folder; it must contain ``sources/``.
        only: read only these source files (paths relative to the folder, as
            ``SourceInput.path``) with their sidecars, and nothing else of the folder (no
            essays, glossary, bibliography, decisions, translations; ids are not checked
            against other files): to look up a few sources' records without hashing the whole
            folder (the editorial app's saves). None reads everything.

    Returns:
        A ``Collection``. Files that cannot be used are listed in ``problems``, and lines of
        JSON-lines files that cannot be used in ``failed`` too; a malformed sidecar, glossary,
        essay or bibliography stops the read with an error instead, because going on would
        silently drop what it describes.

    Raises:
        CollectionError: the folder or ``sources/`` is missing, or the glossary, an essay, the
            bibliography, ``privacy.yaml``, ``people.yaml``, ``annotations.yaml`` or a
            translation's front matter or numbering is malformed.
        SidecarError: a sidecar is malformed.
        ConfigError: ``shiliao.toml`` is malformed (its ``extract.max_line_bytes`` is read).
    """
    root = Path(root)
    sources_dir = root / "sources"
    if not root.is_dir():
        raise CollectionError(f"{root}: no such folder")
    if not sources_dir.is_dir():
        raise CollectionError(f"{root}: a collection needs a sources/ folder")
    max_line_bytes = int(load_settings(root).table("extract")["max_line_bytes"])
    collection = Collection(root=root)

    def keep(path: Path) -> CollectionFile:
        sha, size = _hash_file(path)
        file = CollectionFile(path=_rel(path, root), abspath=path, sha256=sha, size=size)
        collection.files.append(file)
        return file

    everything = sorted(sources_dir.rglob("*"))
    translated: list[tuple[CollectionFile, str, str]] = []
    # Sidecars by the path of the file they describe, lower case: x.pdf.YAML is x.pdf's too.
    sidecars: dict[str, list[Path]] = {}
    for path in everything:
        if path.suffix.lower() in _SIDECAR_SUFFIXES:
            sidecars.setdefault(str(path.with_suffix("")).lower(), []).append(path)
    for path in everything:
        if path.is_symlink():
            collection.problems.append(f"{_rel(path, root)}: symbolic link not followed")
            continue
        if not path.is_file() or any(part.startswith(".") for part in path.relative_to(root).parts):
            continue
        if only is not None and _rel(path, root) not in only:
            continue
        if (beside := translation_beside(path.name)) is not None:
            # A translation is kept, never a source: published as one, it would show the
            # text of a team source's translation beside the public sources.
            file = keep(path)
            if path.with_name(beside[0]).is_file():
                translated.append((file, _rel(path.with_name(beside[0]), root), beside[1]))
            else:
                # notice.en.translation.md beside notice.txt: the name lacks the file's suffix.
                ending = path.name[len(beside[0]) :]
                meant = sorted(
                    other.name + ending
                    for other in path.parent.iterdir()
                    if other.name.startswith(beside[0] + ".")
                    and translation_beside(other.name) is None
                    and other.suffix.lower() not in _SIDECAR_SUFFIXES
                )
                hint = (
                    f"; a translation is named after the whole name of its file: {meant[0]}"
                    if meant
                    else "; rename it with the file or remove it"
                )
                collection.problems.append(
                    f"{file.path}: a translation without its file ({beside[0]}){hint}"
                )
            continue
        if _TRANSLATION_NAME.search(path.name):
            # Named as a translation but not as one of a file (a language tag like en_GB, a
            # .markdown ending): kept, never a source, which would publish a team source's
            # translation as public.
            keep(path)
            collection.problems.append(
                f"{_rel(path, root)}: not read as a translation: name it after its file and a "
                "BCP 47 language tag, e.g. notice.txt.en.translation.md"
            )
            continue
        if _is_sidecar(path):
            continue
        if path.suffix.lower() in _SIDECAR_SUFFIXES and "." in path.stem:
            # x.pdf.yaml without x.pdf: a sidecar whose file was renamed or removed. It is no
            # source (published, it would show what it says, access: team included).
            keep(path)
            collection.problems.append(
                f"{_rel(path, root)}: a sidecar without its file ({path.stem}); rename it with "
                "the file or remove it"
            )
            continue
        file = keep(path)
        rel_to_sources = _rel(path, sources_dir)
        sidecar_path = _sidecar_of(path, sidecars)
        sidecar: dict[str, Any] = {}
        sidecar_sha = None
        if sidecar_path is not None:
            sidecar_file = keep(sidecar_path)
            sidecar_sha = sidecar_file.sha256
            sidecar = load_sidecar(_text(sidecar_path, sidecar_file.path), sidecar_file.path)
        if path.suffix.lower() == ".jsonl":
            mapping = parse_line_mapping(sidecar, file.path) if sidecar else DEFAULT_LINE_MAPPING
            failed: list[dict[str, Any]] = []
            undated: list[str] = []
            # What every line of the file shares, not the sidecar's bytes: a line's own entry
            # under lines: is in its metadata, so editing one line's entry (as the editorial
            # app does) processes that line again, not all of them.
            shared = _fingerprint(mapping.each_line, mapping.defaults)
            collection.sources.extend(
                _jsonl_sources(
                    file, rel_to_sources, mapping, shared, max_line_bytes, failed, undated
                )
            )
            collection.failed += failed
            collection.problems += [f"{row['path']}: {row['reason']}" for row in failed]
            collection.problems += undated
        else:
            if sidecar:
                check_metadata(sidecar, sidecar_file.path)
                sidecar = with_reliability(sidecar)
            source_id = source_id_for(rel_to_sources)
            if "id" in sidecar:
                source_id = str(sidecar.pop("id"))
                if not _SOURCE_ID.fullmatch(source_id):
                    raise SidecarError(
                        sidecar_file.path, f"id {source_id!r} must be lowercase a-z, 0-9 and '-'"
                    )
            collection.sources.append(
                SourceInput(
                    id=source_id,
                    path=file.path,
                    line=None,
                    record_sha256=file.sha256,
                    metadata=sidecar,
                    text=None,
                    fingerprint=_fingerprint(file.sha256, sidecar, sidecar_sha),
                )
            )

    seen: dict[str, str] = {}
    for source in collection.sources:
        if source.id in seen:
            raise CollectionError(
                f"{source.path}: source id {source.id!r} is also the id of {seen[source.id]}; "
                "give one of them an 'id' in its sidecar"
            )
        seen[source.id] = source.path + (f":{source.line}" if source.line else "")
    if only is not None:
        return collection
    _read_translations(collection, root, translated, keep)

    settings_file = root / "shiliao.toml"
    if settings_file.is_file():
        keep(settings_file)

    essays = root / "essays"
    if essays.is_dir():
        for path in sorted(essays.glob("*.md")):
            file = keep(path)
            collection.sections.append(read_section(path, file.path, file.sha256))

    glossary = root / "glossary.yaml"
    if glossary.is_file():
        file = keep(glossary)
        collection.terms = read_glossary(_text(glossary, file.path), file.path)

    bibliography = root / "bibliography.json"
    if bibliography.is_file():
        file = keep(bibliography)
        try:
            # utf-8-sig: Windows editors begin UTF-8 with a byte-order mark (import-bib too).
            items = json.loads(bibliography.read_text(encoding="utf-8-sig"))
            surrogate = _lone_surrogate(items)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise CollectionError(f"{file.path}: not valid JSON: {exc}") from exc
        except (RecursionError, ValueError) as exc:  # nested too deeply; a 4,300-digit number
            raise CollectionError(f"{file.path}: cannot be read: {exc}") from exc
        if not isinstance(items, list):
            raise CollectionError(f"{file.path}: CSL-JSON must be a list of items")
        if surrogate:
            raise CollectionError(
                f"{file.path}: holds a lone surrogate ({surrogate}), half of a \\u pair; "
                "write the character itself"
            )
        collection.bibliography = items
        collection.bibliography_path = file.path

    decisions, people = root / DECISIONS_FILE, root / PEOPLE_FILE
    if decisions.is_file():
        file = keep(decisions)
        collection.decisions = read_decisions(_text(decisions, file.path), file.path)
    if people.is_file():
        file = keep(people)
        collection.people = read_people(_text(people, file.path), file.path)

    annotations = root / ANNOTATIONS_FILE
    if annotations.is_file():
        file = keep(annotations)
        collection.annotations = read_annotations(_text(annotations, file.path), file.path)

    collection.files.sort(key=lambda f: f.path)
    return collection


def _read_translations(
    collection: Collection,
    root: Path,
    beside: list[tuple[CollectionFile, str, str]],
    keep: Callable[[Path], CollectionFile],
) -> None:
    """Read the translations beside source files and in ``translations/`` into
    ``collection.translations``; one whose source is unknown is a problem.

    Raises:
        CollectionError: a translation's front matter or numbering is malformed.
    """
    by_path = {s.path: s.id for s in collection.sources if s.line is None}
    found: list[tuple[CollectionFile, str, str]] = []
    for file, source_path, language in beside:
        if source_path in by_path:
            found.append((file, by_path[source_path], language))
        else:
            collection.problems.append(
                f"{file.path}: {source_path} is not one source (a JSON-lines file or a "
                f"container); put the translation in {TRANSLATIONS_FOLDER}/<source id>.{language}.md"
            )
    folder = root / TRANSLATIONS_FOLDER
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            if not path.is_file() or path.name.startswith("."):
                continue
            file = keep(path)
            named = translation_of_id(path.name)
            if named is None:
                collection.problems.append(
                    f"{file.path}: not a translation's name; write <source id>.<language>.md "
                    "(e.g. gwr-2016.en.md)"
                )
                continue
            found.append((file, named[0], named[1]))
    for file, source_id, language in found:
        collection.translations.append(
            read_translation(_text(file.abspath, file.path), file.path, source_id, language)
        )
    collection.translations.sort(key=lambda t: t.path)
