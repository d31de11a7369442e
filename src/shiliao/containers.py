"""Container files of a collection opened into sources of their own: a web archive's pages, a
ZIP's or TAR's files.

A documentation team brings web archives (WARC, WACZ) made by crawlers and ZIP or TAR files of
scans; the evidence is each page and each file inside, not the container. ``ContainerOpener``
replaces each container among a collection's sources by one member source per HTML page
(``extract.warc``: with its URL and capture time) or per file (``extract.unpack``: no name from
the archive ever used as a path, links refused, bombs stopped), in the container's place in
collection order. The container itself stays the original that is kept (one OCFL object): a
member source's ``path`` is the container's, and its ``member`` metadata says which page or
file inside it is meant.

Member ids are stable: the container's path and the member's key (the file's name inside the
archive; a page's URL and capture time) make the id as a JSON-lines line's key does
(``collection.source_id_for``), so a rebuilt or reordered container keeps its ids. What a
container held is remembered (``ContainerState``, saved by the ingest in the catalog's build
state) so that an unchanged container is not opened again. A container that cannot be opened
(damaged, a bomb, a timeout) stays one source and its failure is that source's extraction
failure; members that are skipped (links, unsafe names, encrypted) are reported with reasons.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from shiliao.collection import CollectionFile, source_id_for
from shiliao.collection.reader import PROCESSING_VERSION
from shiliao.errors import ExtractError
from shiliao.extract.media import SNIFF_BYTES, sniff_media_type
from shiliao.extract.pool import Limits
from shiliao.extract.runner import extract_file
from shiliao.extract.unpack import ARCHIVE_MEDIA_TYPES, unpack_in_worker
from shiliao.model import Extraction, SourceInput

__all__ = [
    "CONTAINER_MEDIA_TYPES",
    "WEB_ARCHIVE_MEDIA_TYPES",
    "ContainerOpener",
    "ContainerState",
    "OpenedSources",
]

WEB_ARCHIVE_MEDIA_TYPES = frozenset({"application/warc", "application/wacz"})
"""Media types of web archives, whose HTML pages are opened into sources."""
CONTAINER_MEDIA_TYPES = ARCHIVE_MEDIA_TYPES | WEB_ARCHIVE_MEDIA_TYPES
"""Media types (as ``extract.sniff_media_type`` names them) of files opened into members."""

# What a container's sidecar says of the container alone; every other key (type, language,
# collections, rights, creators...) is said of each member too.
_CONTAINER_ONLY_KEYS = frozenset(
    {"id", "title", "date", "url", "final_url", "captured", "also_named"}
)


@dataclass
class ContainerState:
    """What opening one container found, kept between builds.

    Attributes:
        fingerprint: the container source's fingerprint when it was opened.
        members: the member sources, in container order, as ``SourceInput`` fields.
        skipped: ``{"path", "member", "reason"}`` for each member that was not taken out
            (``path``: the container's collection path).
        notes: problems a curator should see, one line each (a web archive cut off, a
            container with nothing to read).
    """

    fingerprint: str
    members: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @classmethod
    def from_data(cls, data: Any) -> ContainerState | None:
        """The state saved as ``asdict(state)``, or None for anything else (no state saved)."""
        if not isinstance(data, dict) or not isinstance(data.get("fingerprint"), str):
            return None
        return cls(
            data["fingerprint"],
            list(data.get("members", [])),
            list(data.get("skipped", [])),
            list(data.get("notes", [])),
        )


@dataclass
class OpenedSources:
    """A collection's sources with its containers opened.

    Attributes:
        sources: every source in collection order, each container replaced by its members
            (a container that could not be opened, or holds nothing to read, stays itself).
        prepared: source id -> the extraction (or extraction failure) already made while
            opening: a web archive's pages, and the failure of a container that could not be
            opened. The ingest uses these instead of extracting the file again.
        member_files: source id -> ``(file, media type)`` of a member taken out of a ZIP or
            TAR, to be extracted as collection files are (under the same limits).
        opened: container source id -> its new state, to be saved once its members are
            stored; containers left as they were are not in it.
        states: container source id -> its state, for every container of the collection
            (opened now or earlier).
        from_state: collection path -> the container source whose members were taken from
            its saved state (not opened now).
    """

    sources: list[SourceInput] = field(default_factory=list)
    prepared: dict[str, Extraction | ExtractError] = field(default_factory=dict)
    member_files: dict[str, tuple[Path, str]] = field(default_factory=dict)
    opened: dict[str, ContainerState] = field(default_factory=dict)
    states: dict[str, ContainerState] = field(default_factory=dict)
    from_state: dict[str, SourceInput] = field(default_factory=dict)

    def notes(self) -> list[str]:
        """Every container's notes (``ContainerState.notes``), one line each."""
        return [note for state in self.states.values() for note in state.notes]

    def skipped(self) -> list[dict[str, str]]:
        """``{"path", "member", "reason"}`` for each skipped member of every container."""
        return [
            {"path": row["path"], "member": row["member"], "reason": row["reason"]}
            for state in self.states.values()
            for row in state.skipped
        ]


class ContainerOpener:
    """Opens the containers among a collection's (or an ``add``'s) sources, under limits.

    Args:
        files: collection path -> its file.
        media_types: collection path -> the media type sniffed from its bytes.
        staging: an existing folder to unpack ZIP and TAR files under (the caller removes it).
        limits: the limits each container is opened under (time and memory per container).
        max_unpacked_bytes: the most bytes a ZIP or TAR may unpack to, counted as decompressed.
        max_members: the most files a ZIP or TAR may hold, nested archives' included.
    """

    def __init__(
        self,
        files: Mapping[str, CollectionFile],
        media_types: Mapping[str, str],
        staging: Path,
        limits: Limits,
        *,
        max_unpacked_bytes: int = 8 * 1024**3,
        max_members: int = 10_000,
    ) -> None:
        self.files = files
        self.media_types = media_types
        self.staging = staging
        self.limits = limits
        self.max_unpacked_bytes = max_unpacked_bytes
        self.max_members = max_members

    def open(
        self, sources: Sequence[SourceInput], saved_state: Callable[[str], Any]
    ) -> OpenedSources:
        """Replace each container among ``sources`` by its members.

        A container is opened only when it is new or changed (its fingerprint differs from
        its saved state's, or no state was saved: an archive made before containers were
        opened); otherwise its members are taken from the saved state, and ``prepare`` opens
        it again only if one of them must be extracted. A container that could not be opened,
        or held nothing, stays one source.

        Args:
            sources: the sources, in collection order.
            saved_state: container source id -> the JSON value saved for it, or None.

        Returns:
            An ``OpenedSources``.
        """
        opened = OpenedSources()
        for item in sources:
            if item.text is not None or self.media_types.get(item.path) not in (
                CONTAINER_MEDIA_TYPES
            ):
                opened.sources.append(item)
                continue
            state = ContainerState.from_data(saved_state(item.id))
            if state is not None and state.fingerprint == item.fingerprint:
                opened.states[item.id] = state
                opened.from_state[item.path] = item
                opened.sources += [SourceInput(**fields) for fields in state.members] or [item]
                continue
            state = ContainerState(item.fingerprint)
            members = self._open(item, state, opened)
            state.members = [asdict(m) for m in members]
            opened.opened[item.id] = state
            opened.states[item.id] = state
            opened.sources += members or [item]
        return opened

    def prepare(self, opened: OpenedSources, todo: Iterable[SourceInput]) -> None:
        """Open again the containers, taken from their saved state, that hold a source of
        ``todo`` (a member that became a source again: its duplicate left the collection),
        so that each can be extracted."""
        again = {
            item.path
            for item in todo
            if item.path in opened.from_state
            and item.id not in opened.prepared
            and item.id not in opened.member_files
        }
        todo = list(todo)
        for path in sorted(again):
            container = opened.from_state[path]
            self._open(container, ContainerState(container.fingerprint), opened)
            failure = opened.prepared.get(container.id)
            for item in todo:
                if item.path == path and item.id not in opened.member_files:
                    opened.prepared.setdefault(
                        item.id,
                        failure
                        if isinstance(failure, ExtractError)
                        else ExtractError(f"{path}: no longer holds {item.metadata.get('member')}"),
                    )

    def _open(
        self, item: SourceInput, state: ContainerState, opened: OpenedSources
    ) -> list[SourceInput]:
        media_type = self.media_types[item.path]
        try:
            if media_type in WEB_ARCHIVE_MEDIA_TYPES:
                extraction = _read_web_archive(
                    self.files[item.path].abspath, media_type, self.limits
                )
                members = _pages(item, extraction, "", state, opened)
                if not members:
                    # A web archive without HTML pages stays one source, with what was found.
                    state.notes.append(f"{item.path}: holds no HTML page")
                    opened.prepared[item.id] = extraction
                return members
            return _files(
                item,
                self.files[item.path],
                media_type,
                self.staging,
                self.limits,
                (self.max_members, self.max_unpacked_bytes),
                state,
                opened,
            )
        except ExtractError as exc:
            # Remembered too: a container that cannot be opened is not tried again until its
            # bytes or description change.
            opened.prepared[item.id] = exc
            return []


def _read_web_archive(path: Path, media_type: str, limits: Limits) -> Extraction:
    return extract_file(
        path,
        media_type,
        timeout_s=limits.timeout_s,
        max_memory_bytes=limits.max_memory_bytes,
        max_output_bytes=limits.max_output_bytes,
    )


def _pages(
    item: SourceInput,
    extraction: Extraction,
    within: str,
    state: ContainerState,
    opened: OpenedSources,
) -> list[SourceInput]:
    """The HTML pages of a web archive as sources: the container ``item`` itself, or the web
    archive named ``within`` inside it (a WARC in a ZIP)."""
    truncated = extraction.metadata.get("truncated")
    if truncated:
        where = f"{item.path}/{within}" if within else item.path
        state.notes.append(
            f"{where}: the web archive is cut off ({truncated.get('reason')}); what followed "
            f"byte {truncated.get('last_good_offset')} is lost"
        )
    inherited = _inherited(item.metadata)
    members: list[SourceInput] = []
    keys: set[str] = set()
    for document in extraction.documents:
        url = str(document.metadata.get("url") or "")
        captured = document.metadata.get("warc_date")
        key = _unique(f"{within}#{url} {captured or ''}".strip(), keys)
        metadata = {
            "type": "webpage",
            **inherited,
            "member": within or url,
            "url": url,
            **({"captured": captured} if captured else {}),
        }
        names = [f"{n}/{within}" if within else f"{n} {url}" for n in _other_names(item)]
        if names:
            metadata["also_named"] = names
        member = _member(item, key, str(document.metadata.get("payload_sha256") or ""), metadata)
        opened.prepared[member.id] = document
        members.append(member)
    return members


def _files(
    item: SourceInput,
    file: CollectionFile,
    media_type: str,
    staging: Path,
    limits: Limits,
    sizes: tuple[int, int],
    state: ContainerState,
    opened: OpenedSources,
) -> list[SourceInput]:
    """The files of a ZIP or TAR as sources; a web archive among them gives its pages."""
    max_members, max_unpacked_bytes = sizes
    unpacked = unpack_in_worker(
        file.abspath,
        staging,
        media_type=media_type,
        max_members=max_members,
        max_total_bytes=max_unpacked_bytes,
        timeout_s=limits.timeout_s,
        max_memory_bytes=limits.max_memory_bytes,
    )
    state.skipped = [
        {"path": item.path, "member": s.name, "reason": s.reason} for s in unpacked.skipped
    ]
    inherited = _inherited(item.metadata)
    members: list[SourceInput] = []
    keys: set[str] = set()
    for unpacked_member in unpacked.members:
        with unpacked_member.path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
            handle.seek(0)
            sha256 = hashlib.file_digest(handle, "sha256").hexdigest()
        member_type = sniff_media_type(head, unpacked_member.name)
        name = unpacked_member.name
        # A web archive inside gives its pages; one that cannot be read, or holds none, stays
        # one member with what its reading found.
        read: Extraction | ExtractError | None = None
        if member_type in WEB_ARCHIVE_MEDIA_TYPES:
            try:
                read = _read_web_archive(unpacked_member.path, member_type, limits)
            except ExtractError as exc:
                read = exc
            else:
                pages = _pages(item, read, name, state, opened)
                if pages:
                    members += pages
                    continue
        metadata = {**inherited, "member": name}
        names = [f"{n}/{name}" for n in _other_names(item)]
        if names:
            metadata["also_named"] = names
        member = _member(item, _unique(name, keys), sha256, metadata)
        opened.member_files[member.id] = (unpacked_member.path, member_type)
        if read is not None:
            opened.prepared[member.id] = read
        members.append(member)
    if not members:
        state.notes.append(f"{item.path}: holds no file that could be taken out")
        opened.prepared[item.id] = Extraction(
            pages=[],
            method="archive",
            metadata={"archive_members": 0, "archive_skipped": len(state.skipped)},
        )
    return members


def _other_names(item: SourceInput) -> list[str]:
    """The container's other names (copies with the same bytes, ``also_named``)."""
    return [str(n) for n in item.metadata.get("also_named", [])]


def _inherited(metadata: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in metadata.items() if k not in _CONTAINER_ONLY_KEYS}


def _unique(key: str, seen: set[str]) -> str:
    """``key``, or ``key#2``, ``key#3``... when an earlier member of the container has it."""
    candidate, number = key, 1
    while candidate in seen:
        number += 1
        candidate = f"{key}#{number}"
    seen.add(candidate)
    return candidate


def _member(item: SourceInput, key: str, sha256: str, metadata: dict[str, Any]) -> SourceInput:
    relative = item.path.removeprefix("sources/")
    # Not the container's fingerprint: a member whose bytes and description are unchanged
    # is not processed again when other members of its container change.
    fingerprint = hashlib.sha256(
        json.dumps(
            [PROCESSING_VERSION, item.metadata, key, sha256], ensure_ascii=False, sort_keys=True
        ).encode("utf-8")
    ).hexdigest()
    return SourceInput(
        # The key holds the container's whole path: a.zip and b/a.zip may hold the same name.
        id=source_id_for(relative, f"{relative}\n{key}"),
        path=item.path,
        line=None,
        record_sha256=sha256,
        metadata=metadata,
        text=None,
        fingerprint=fingerprint,
    )
