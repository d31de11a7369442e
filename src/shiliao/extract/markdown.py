"""Markdown: the markup is the text, kept as written; YAML front matter becomes metadata.

Front matter is the Jekyll/Hugo convention: the file opens with a line ``---``, and the block
runs to the next line that is ``---`` or ``...``. The block is taken as front matter only when
it parses as a YAML mapping; otherwise (two horizontal rules around a paragraph) the text is
left whole, so nothing is lost. Without a date in the front matter, the text is dated from its
own lines as plain text is (``dates.find_text_date``).
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from shiliao.extract.dates import edtf_date, find_text_date
from shiliao.extract.decode import decode_text
from shiliao.model import Extraction, Page

__all__ = ["extract_markdown"]

_FRONT_MATTER = re.compile(r"---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
# EDTF level 0 and 1 dates as written in front matter (2016, 2016-11, 2016-11-22, 1921~,
# 1950?), and a date with a time of day, which is dropped.
_EDTF = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ]\d{1,2}:\d{2}\S*)?)?)?([?~%]?)")


class _FrontMatterLoader(yaml.SafeLoader):
    """SafeLoader that leaves dates as the strings they are written as.

    PyYAML turns ``2019-03-05`` into a ``date`` and raises ``ValueError`` on ``2019-13-01``;
    reading the string ourselves keeps an impossible date from discarding the whole block.
    """


_FrontMatterLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def extract_markdown(data: bytes, name: str) -> Extraction:
    """Extract a Markdown file.

    Args:
        data: the file's bytes, in any encoding ``decode.decode_text`` recognizes.
        name: the file's name; unused, accepted so that every extractor has the same
            signature.

    Returns:
        One page holding the Markdown source after the front matter (newlines ``"\\n"``, NFC),
        method ``"markdown"``, and metadata: the decoding keys (``encoding``,
        ``replacement_ratio``, maybe ``needs_review``), ``title`` from the front matter, and
        ``date`` (EDTF) with ``date_source: "front matter"`` when the front matter's date is a
        year, an EDTF date (``"1921-07"``, ``"1950~"``) or a date with a time of day (the time
        dropped); a date in another form, or an impossible one, is kept as written in
        ``date_raw`` and no other is looked for. Without a front matter date, ``date`` and
        ``date_source`` as for plain text (``text.extract_text``). Never raises on bad bytes
        or bad YAML.

    Raises:
        ExtractionLimit: the file is larger than ``decode.MAX_TEXT_BYTES`` (64 MiB).
    """
    decoded = decode_text(data)
    text = decoded.text
    metadata = decoded.metadata()
    front_matter, body = _split_front_matter(text)
    if front_matter is not None:
        text = body
        metadata |= _front_matter_metadata(front_matter)
    if "date" not in metadata and "date_raw" not in metadata:
        found = find_text_date(text)
        if found is not None:
            metadata |= {"date": found.date, "date_source": found.source}
    return Extraction(pages=[Page(1, text)], method="markdown", metadata=metadata)


def _split_front_matter(text: str) -> tuple[dict[Any, Any] | None, str]:
    match = _FRONT_MATTER.match(text)
    if match is None:
        return None, text
    try:
        parsed = yaml.load(match.group(1) or "", Loader=_FrontMatterLoader)
    except (yaml.YAMLError, ValueError):  # ValueError: an explicit !!timestamp that is no date
        return None, text
    if not isinstance(parsed, dict):
        return None, text
    return parsed, text[match.end() :]


def _front_matter_metadata(front_matter: dict[Any, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    title = front_matter.get("title")
    if title is not None and str(title).strip():
        found["title"] = str(title).strip()
    date = front_matter.get("date")
    if date is None:
        return found
    edtf = _edtf_from_yaml(date)
    if edtf is not None:
        found |= {"date": edtf, "date_source": "front matter"}
    else:
        found["date_raw"] = str(date)
    return found


def _edtf_from_yaml(value: object) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return edtf_date(value)
    if not isinstance(value, str):
        return None
    match = _EDTF.fullmatch(value.strip())
    if match is None:
        return None
    year, month, day, qualifier = match.groups()
    edtf = edtf_date(int(year), int(month) if month else None, int(day) if day else None)
    return edtf + qualifier if edtf is not None else None
