"""The site's own static search index: exact substring search with no server.

Pagefind was tried first and dropped: its Chinese segmentation returned pages that do not contain
the word searched. This index gives the same answers as ``search.index`` (a passage matches when
every query unit is a substring of its normalized text), from plain files that any static host
serves and that ``assets/search.js`` loads on demand.

Every file is a script, ``shiliaoSearchData("<name>",<JSON>);`` where ``<name>`` is its path
without ``.js`` (``meta``, ``t/0a``, ``x/12``) and ``<JSON>`` its data: ``search.js`` adds each
as a ``<script>`` element and takes the data from the call. Browsers refuse ``fetch`` and XHR
from a page opened from disk (``file://``), but load a script from the page's own folder
(Chromium's ``script-src 'self'`` matches it too), so search works from a copy of the site
opened as files as well as from a web server. JSON is a subset of JavaScript and the data is
JSON-encoded, so no text of a source can end the call early.

Layout under ``search/data/``::

    meta.js         {"format", "passages", "shards", "width", "chunks": [first passage of each
                    chunk], "sources": [[id, title, title_lang, language, date, url, first
                    passage, type, [collection, ...]], ...]}
    expand.js       {"pinyin": {key: [term, ...]}, "english": {key: [term, ...]}}: the
                    glossary's keys (``search.expand.ExpansionTable``), so the script expands
                    pinyin and English queries exactly as the CLI does
    t2s.js          {"幹": "干", ...}: ``zh.normalize.t2s_table()``, so the script normalizes
                    exactly as Python does (per code point: NFKC, lower case, this table)
    fold.js         {"labels": ``zh.fold.fold_table()``, "choices": ``zh.fold.query_choices()``}:
                    with ``t2s.js``, the script folds a query exactly as ``zh.fold.fold_query``
                    does, and a passage as ``zh.fold.fold`` does with the passage's overrides
    t/00.js..ff.js  postings: one string of ``<token> <postings>`` pairs, sorted, separated by
                    single spaces (a token never holds whitespace, and a space needs no escape
                    in JSON where a tab or a line break takes two bytes)
    x/<n>.js        chunk ``n`` of passages: ``[[paragraph, original text], ...]``, with a third
                    item ``{position: label}`` (``zh.fold.overrides``) where the passage has
                    labels that its phrases decide (头发 → 头髮); a row that is an
                    annotation's note or a translated paragraph (``IndexedSource.notes``) has
                    that third item (maybe ``{}``) and a fourth, ``{"kind": "annotation" or
                    "translation", "lang": its BCP 47 tag}``, and the paragraph of the
                    passage it is on

Passages are numbered 0..N-1 in collection order (a source's passages are consecutive, in
reading order), so a passage's source is found from the sources' first numbers.

Tokens: every code point of the passage's folded text (``zh.fold.fold``) and
every pair of adjacent code points, except whitespace (``str.isspace``), which is never a token
nor inside one. A token's shard is its FNV-1a hash (32 bits, over its code points, not its
bytes) modulo the shard count, which ``search.js`` computes the same way.

Postings are the sorted passage numbers of the passages that contain the token, delta-coded
(first number, then each gap minus one) as variable-length integers of 5 bits per character,
least significant group first; a character of the alphabet at index 32-63 means more follows.
Frequent tokens, which hold most postings, cost one character per passage.

Queries (``search.js``): a position of a unit that stands for several labels
(``zh.fold.unit_choices``: 发 for 發 and 髮) looks up each; a unit of one code point is looked up
as single characters, a unit of two as pairs; both answers are exact. A longer unit (or one with
whitespace) intersects, pair position by pair position, the union of the postings of its pairs,
then keeps the candidates whose folded text really contains it (``zh.fold.unit_pattern``), which
needs only the chunks that hold candidates. A query expanded through the glossary has
groups of alternative units: the alternatives of a group are ORed, groups are ANDed. Facets
(collection, type, year, language) are counted, and filters applied, from the sources' rows.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from shiliao.model import Passage
from shiliao.zh.fold import fold, fold_table, overrides, query_choices
from shiliao.zh.normalize import t2s_table

__all__ = [
    "SHARDS",
    "IndexedSource",
    "SearchIndexStats",
    "encode_postings",
    "passage_tokens",
    "read_data_script",
    "token_shard",
    "write_search_index",
]

# 2: tokens of zh.fold's text; fold.json; passages' overrides. 3: every file a script (file://).
FORMAT = 3
# The global function each data script calls (search.js defines it).
DATA_CALLBACK = "shiliaoSearchData"
SHARDS = 256
# A chunk closes once its passages' text reaches this many UTF-8 bytes: small enough that a
# query verifying a few candidates fetches little, large enough that there are few files.
CHUNK_TARGET_BYTES = 4 * 1024
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"
# Matches exactly the characters for which str.isspace() is true.
_WHITESPACE = re.compile(
    "[\t\n\x0b\x0c\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
)
# Rows that are not the source's text: an annotation's note, a translated paragraph.
_NOTE_ROWS = frozenset({"annotation", "translation"})
_FNV_OFFSET = 0x811C9DC5
_FNV_PRIME = 0x01000193


@dataclass(frozen=True)
class IndexedSource:
    """One source as the search page shows it, with its passages.

    Attributes:
        id: the source's id.
        title: its title, shown in results.
        title_lang: the ``lang`` for the title (``lang.text_lang``), or None.
        language: the source's BCP 47 tag, the fallback ``lang`` of its snippets.
        date: EDTF date or None.
        url: its page, root-relative (``SiteUrls.source``).
        passages: its passages in reading order.
        type: its CSL type, for the search page's facets.
        collections: the collections it belongs to, for the facets.
        notes: rows found by search beside its passages: its annotations' notes and its
            translated paragraphs, as passages whose ``paragraph`` is the passage they are
            on (a result opens that passage), ``method`` ``"annotation"`` or
            ``"translation"`` and ``language`` their own; indexed after its passages.
    """

    id: str
    title: str
    title_lang: str | None
    language: str
    date: str | None
    url: str
    passages: Sequence[Passage]
    type: str = ""
    collections: tuple[str, ...] = ()
    notes: Sequence[Passage] = ()


@dataclass(frozen=True)
class SearchIndexStats:
    """What the index holds and what it costs.

    Attributes:
        passages: passages indexed.
        tokens: distinct tokens (characters and pairs).
        postings: (token, passage) pairs stored.
        text_bytes: UTF-8 bytes of the passages' original text (the corpus).
        postings_bytes: bytes of the token shards.
        store_bytes: bytes of the passage chunks (the text, for verifying and snippets).
        other_bytes: bytes of ``meta.js``, ``t2s.js``, ``fold.js`` and ``expand.js``.
        files: files written.
    """

    passages: int
    tokens: int
    postings: int
    text_bytes: int
    postings_bytes: int
    store_bytes: int
    other_bytes: int
    files: int

    @property
    def total_bytes(self) -> int:
        """Every byte of ``search/data``."""
        return self.postings_bytes + self.store_bytes + self.other_bytes

    @property
    def ratio(self) -> float:
        """``total_bytes / text_bytes`` (0.0 for an empty corpus)."""
        return self.total_bytes / self.text_bytes if self.text_bytes else 0.0


def token_shard(token: str, shards: int = SHARDS) -> int:
    """The shard of a token: FNV-1a (32-bit) over its code points, modulo ``shards``."""
    value = _FNV_OFFSET
    for char in token:
        value = ((value ^ ord(char)) * _FNV_PRIME) & 0xFFFFFFFF
    return value % shards


def passage_tokens(normalized: str) -> set[str]:
    """The tokens of a folded text: its non-whitespace code points and adjacent pairs of them.

    Args:
        normalized: ``zh.fold.fold`` of a passage.

    Returns:
        Strings of one or two code points, none containing whitespace.
    """
    if not _WHITESPACE.search(normalized):
        # The common case, done with set and zip in C: no token needs cutting at whitespace.
        tokens = set(normalized)
        tokens.update(map(str.__add__, normalized, normalized[1:]))
        return tokens
    tokens = set()
    previous = ""
    for char in normalized:
        if char.isspace():
            previous = ""
            continue
        tokens.add(char)
        if previous:
            tokens.add(previous + char)
        previous = char
    return tokens


def encode_postings(numbers: Sequence[int]) -> str:
    """Encode sorted, distinct passage numbers (see the module docstring).

    Args:
        numbers: ascending non-negative integers.

    Returns:
        A string over ``ALPHABET``; ``[0, 1, 2]`` gives ``"000"``, ``[40]`` gives ``"e1"``.

    Raises:
        ValueError: the numbers are not ascending and distinct.
    """
    out: list[str] = []
    previous = -1
    for number in numbers:
        gap = number - previous - 1
        if gap < 0:
            raise ValueError(f"postings must ascend: {number} after {previous}")
        previous = number
        while gap >= 32:
            out.append(ALPHABET[32 + (gap & 31)])
            gap >>= 5
        out.append(ALPHABET[gap])
    return "".join(out)


def _write(path: Path, text: str) -> int:
    data = text.encode("utf-8")
    path.write_bytes(data)
    return len(data)


def _json(value: object) -> str:
    # ensure_ascii=False keeps Chinese at 3 bytes a character instead of 6; U+2028 and U+2029,
    # raw in a JSON string, are allowed in a JavaScript string since ES2019.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _script(out: Path, name: str, value: object) -> int:
    """Write ``out/<name>.js``, the call that hands ``value`` to search.js; its size in bytes."""
    return _write(out / f"{name}.js", f"{DATA_CALLBACK}({_json(name)},{_json(value)});\n")


def read_data_script(path: Path) -> tuple[str, object]:
    """Read one file of the index: its name and its data (the inverse of what the build writes).

    Args:
        path: a ``.js`` file under ``search/data``.

    Returns:
        ``(name, value)``: the name it registers (``"t/0a"``) and the data.

    Raises:
        ValueError: the file is not one call of ``shiliaoSearchData`` with a name and JSON.
    """
    text = path.read_text(encoding="utf-8")
    prefix, suffix = f"{DATA_CALLBACK}(", ");\n"
    if not (text.startswith(prefix) and text.endswith(suffix)):
        raise ValueError(f"{path}: not a search data script")
    decoder = json.JSONDecoder()
    body = text[len(prefix) : -len(suffix)]
    name, end = decoder.raw_decode(body)
    if not isinstance(name, str) or body[end : end + 1] != ",":
        raise ValueError(f"{path}: not a search data script")
    value, end = decoder.raw_decode(body, end + 1)
    if end != len(body):
        raise ValueError(f"{path}: not a search data script")
    return name, value


def write_search_index(
    out: Path,
    sources: Sequence[IndexedSource],
    kwic_width: int,
    expansions: Mapping[str, Mapping[str, list[str]]] | None = None,
) -> SearchIndexStats:
    """Write the static index of every passage of ``sources`` into the folder ``out``.

    Args:
        out: the ``search/data`` folder of the site being built (created; it should be empty).
        sources: the sources in collection order, with their passages.
        kwic_width: code points of context on each side of a match in result snippets.
        expansions: the glossary's pinyin and English keys (``ExpansionTable.to_json``),
            written as ``expand.json`` for the script to expand queries as the CLI does; None
            writes an empty table.

    Returns:
        The index's ``SearchIndexStats``.

    Raises:
        OSError: the folder cannot be written.
    """
    (out / "t").mkdir(parents=True, exist_ok=True)
    (out / "x").mkdir(parents=True, exist_ok=True)
    postings: dict[str, list[int]] = defaultdict(list)
    source_rows: list[list[object]] = []
    chunk_starts: list[int] = []
    chunk: list[list[object]] = []
    chunk_bytes = 0
    number = 0
    text_bytes = store_bytes = files = 0

    def close_chunk() -> None:
        nonlocal chunk, chunk_bytes, store_bytes, files
        if chunk:
            store_bytes += _script(out, f"x/{len(chunk_starts) - 1}", chunk)
            files += 1
        chunk, chunk_bytes = [], 0

    for source in sources:
        source_rows.append(
            [
                source.id,
                source.title,
                source.title_lang,
                source.language,
                source.date,
                source.url,
                number,
                source.type,
                list(source.collections),
            ]
        )
        for passage in (*source.passages, *source.notes):
            for token in passage_tokens(fold(passage.text)):
                postings[token].append(number)
            if not chunk:
                chunk_starts.append(number)
            labels = overrides(passage.text)
            row: list[object] = [passage.paragraph, passage.text]
            if labels or passage.method in _NOTE_ROWS:
                row.append({str(at): label for at, label in labels.items()})
            if passage.method in _NOTE_ROWS:
                # What the row is, for the result to say so and give the text its language.
                row.append({"kind": passage.method, "lang": passage.language or ""})
            chunk.append(row)
            size = len(passage.text.encode("utf-8"))
            text_bytes += size
            chunk_bytes += size
            number += 1
            if chunk_bytes >= CHUNK_TARGET_BYTES:
                close_chunk()
    close_chunk()

    shards: list[list[str]] = [[] for _ in range(SHARDS)]
    count = 0
    for token in sorted(postings):
        numbers = postings[token]
        count += len(numbers)
        shards[token_shard(token)].append(f"{token} {encode_postings(numbers)}")
    postings_bytes = 0
    for shard, pairs in enumerate(shards):
        postings_bytes += _script(out, f"t/{shard:02x}", " ".join(pairs))
        files += 1

    meta = {
        "format": FORMAT,
        "passages": number,
        "shards": SHARDS,
        "width": kwic_width,
        "chunks": chunk_starts,
        "sources": source_rows,
    }
    other_bytes = _script(out, "meta", meta)
    other_bytes += _script(out, "t2s", dict(sorted(t2s_table().items())))
    fold_tables = {"labels": dict(sorted(fold_table().items())), "choices": query_choices()}
    other_bytes += _script(out, "fold", fold_tables)
    table = expansions or {"pinyin": {}, "english": {}}
    other_bytes += _script(out, "expand", table)
    return SearchIndexStats(
        passages=number,
        tokens=len(postings),
        postings=count,
        text_bytes=text_bytes,
        postings_bytes=postings_bytes,
        store_bytes=store_bytes,
        other_bytes=other_bytes,
        files=files + 4,
    )
