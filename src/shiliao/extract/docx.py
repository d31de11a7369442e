"""Word documents (DOCX, Office Open XML): paragraphs and tables in order, with python-docx.

python-docx (MIT) parses the package's XML with lxml, ``resolve_entities=False``. A DOCX is a
ZIP of XML parts that anyone can write by hand, so before python-docx sees it:

- the ZIP's members are counted and their sizes added up (``MAX_PARTS``,
  ``MAX_UNCOMPRESSED_BYTES``); Python's ``zipfile`` never returns more bytes of a member than
  its header declares, so the declared sizes bound what parsing will read;
- no XML part may declare a DTD. Open Packaging Conventions (ECMA-376 Part 2) forbid DTDs in
  package XML, and a DTD is what external entities (XXE: reading local files or URLs) and
  entity expansion bombs ("billion laughs") need (reliability.md I-xxe).

The core properties give ``title``. The date is read from the text as plain text's is (a
signature line, a dateline...; ``dates.find_text_date``), else it is the day of
``dcterms:created``, which a document made from an old template carries over. The creator and
last-modified-by fields are not copied: like a PDF's Author, they often name a clerk.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from typing import Any

from shiliao.errors import ExtractError, ExtractionLimit
from shiliao.extract.dates import edtf_date, find_text_date
from shiliao.extract.decode import normalize_text
from shiliao.model import Extraction, Page

__all__ = ["MAX_PARTS", "MAX_UNCOMPRESSED_BYTES", "extract_docx"]

MAX_PARTS = 10_000
"""The most ZIP members a DOCX may have."""

MAX_UNCOMPRESSED_BYTES = 512 * 1024**2
"""The most bytes a DOCX's members may declare in all; a long report with images has tens of
megabytes."""

# The first markup that is not a comment, processing instruction or XML declaration: a DTD
# (refused) or the root element.
_DTD_OR_ROOT = re.compile(rb"<!DOCTYPE|<!ENTITY|<[A-Za-z_]", re.IGNORECASE)
_PROLOGUE_SCAN_BYTES = 1024 * 1024


def extract_docx(data: bytes, name: str) -> Extraction:
    """Extract the body text of a Word document.

    Args:
        data: the file's bytes.
        name: the file's name, used in error messages.

    Returns:
        One page (a DOCX has no fixed pages) holding the body in document order: each
        paragraph a line, each table row a line with its cells separated by tabs; NFC,
        method ``"docx"``. Metadata when found: ``title``; ``date`` (EDTF) with
        ``date_source``: as ``dates.find_text_date`` reads the text, else the day of
        ``dcterms:created`` (``"docx:dcterms:created"``).

    Raises:
        ExtractionLimit: more than ``MAX_PARTS`` members, or more than
            ``MAX_UNCOMPRESSED_BYTES`` declared.
        ExtractError: not a ZIP or not a Word document, or an XML part declares a DTD.
    """
    # Imported here: python-docx imports its whole object model, which other formats skip.
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from lxml.etree import XMLSyntaxError

    _check_package(data, name)
    try:
        document = docx.Document(io.BytesIO(data))
        lines = []
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                lines += [_row_text(row) for row in block.rows]
            else:
                lines.append(block.text)
        properties = document.core_properties
        title, created = properties.title, properties.created
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile, XMLSyntaxError) as exc:
        raise ExtractError(f"{name}: not a readable Word document ({exc})") from exc
    metadata: dict[str, str] = {}
    if title and title.strip():
        metadata["title"] = normalize_text(title.strip())
    text = normalize_text("\n".join(line for line in lines if line.strip()))
    found = find_text_date(text)
    if found is not None:
        metadata |= {"date": found.date, "date_source": found.source}
    elif created is not None:
        date = edtf_date(created.year, created.month, created.day)
        if date is not None:
            metadata |= {"date": date, "date_source": "docx:dcterms:created"}
    return Extraction(pages=[Page(1, text)], method="docx", metadata=metadata)


def _check_package(data: bytes, name: str) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            members = package.infolist()
            if len(members) > MAX_PARTS:
                raise ExtractionLimit(f"{name}: {len(members)} ZIP members, limit {MAX_PARTS}")
            declared = sum(member.file_size for member in members)
            if declared > MAX_UNCOMPRESSED_BYTES:
                raise ExtractionLimit(
                    f"{name}: members declare {declared} bytes uncompressed, "
                    f"limit {MAX_UNCOMPRESSED_BYTES}"
                )
            for member in members:
                if member.filename.endswith((".xml", ".rels")) and _declares_dtd(package, member):
                    raise ExtractError(
                        f"{name}: {member.filename} declares a DTD, which Office documents "
                        "never do (external entities or an entity bomb); refused"
                    )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError) as exc:
        raise ExtractError(f"{name}: not a readable Word document ({exc})") from exc
    except (zlib.error, EOFError, ValueError, RuntimeError, OSError) as exc:
        # What zipfile raises on a damaged member: bad deflate data (zlib.error; OSError from
        # the LZMA and bzip2 decoders), an offset before the file's start (ValueError:
        # negative seek), a name that is not UTF-8 (ValueError), an encrypted member
        # (RuntimeError).
        raise ExtractError(f"{name}: a damaged Word document ({exc})") from exc


def _declares_dtd(package: zipfile.ZipFile, member: zipfile.ZipInfo) -> bool:
    with package.open(member) as part:
        head = part.read(_PROLOGUE_SCAN_BYTES)
    found = _DTD_OR_ROOT.search(head)
    return found is not None and found.group().upper() in (b"<!DOCTYPE", b"<!ENTITY")


def _row_text(row: Any) -> str:
    cells: list[Any] = []
    for cell in row.cells:
        # python-docx returns a merged cell once per grid column it spans, each time a new
        # object around the same <w:tc> element.
        if not cells or cell._tc is not cells[-1]._tc:
            cells.append(cell)
    return "\t".join(" ".join(cell.text.split("\n")) for cell in cells)
