"""The last step of every extraction: clean the derived text and tag its languages.

Cleaning (reliability.md I-nul-surrogate): text from files may hold U+0000 (PostgreSQL rejects
it, and one such row fails a whole batch), other C0 control characters, and lone surrogates (a
PDF's broken ToUnicode map; they cannot be encoded as UTF-8). The original bytes are kept as
they are; the derived page text loses NUL and the controls other than tab and newline, and
each lone surrogate becomes U+FFFD. What was changed is counted in the metadata, so a reader
can tell the text from the original.

Placeholder titles. Word, WPS, PowerPoint, Dreamweaver, InDesign and scanners fill a file's
title with what they have: ``Microsoft Word - 通知.doc``, ``Document1``, ``无标题文档``,
``Untitled-1``, the default names of new files (``新建 Microsoft Word 文档``, ``WPS文字``,
``Sheet1``, ``幻灯片1``, copies marked ``(2)`` or ``- 副本``), the file names of cameras and
scanners (``IMG_0001``, ``Scan0001``, ``微信图片_20200101``), a file's name or path. An archivist would not cite these as titles; such a
title is kept as ``placeholder_title`` and the source is named otherwise (its sidecar, its
file name).
"""

from __future__ import annotations

import re
from dataclasses import replace

from shiliao.extract.language import detect_language
from shiliao.extract.plausibility import implausible_reasons
from shiliao.model import Extraction

__all__ = ["finish_extraction", "is_placeholder_title", "text_doubts", "visible_controls"]

_CONTROL = re.compile(r"[\x01-\x08\x0b-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# Methods whose pages the extractor judged already (a PDF's text layer, OCR'd in doubt).
_JUDGED_ELSEWHERE = frozenset({"pdf-text-layer", "ocr"})
_ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Language is told from at most this many characters, taken evenly through a long text.
_SAMPLE_CHARS = 200_000
_SAMPLE_PIECES = 20


def finish_extraction(extraction: Extraction) -> Extraction:
    """Clean the pages' text and set the page, document and sub-document languages.

    Args:
        extraction: an extractor's result.

    Returns:
        A new extraction: each page's text without NUL or C0 controls other than tab and
        newline, lone surrogates as U+FFFD; ``metadata["text_cleaned"]`` ``{"nul": n,
        "control": n, "surrogate": n, "byte_order_mark": n}`` (non-zero counts only) when
        anything changed, U+FEFF inside the text removed with a warning; pages not of a PDF
        text layer or OCR judged by ``text_doubts``, their reasons (``"page N: ..."``) in
        ``text_doubts``, with ``needs_review: True`` and a warning;
        ``Page.language`` and ``Extraction.language`` set where the extractor left them None
        (see ``language.detect_language``); a placeholder ``title`` moved to
        ``placeholder_title``, with a warning (see the module docstring); the same for each
        of its ``documents``.
    """
    counts = {"nul": 0, "control": 0, "surrogate": 0, "byte_order_mark": 0}
    pages = []
    doubts: list[str] = []
    for page in extraction.pages:
        text = page.text
        if (page.method or extraction.method) not in _JUDGED_ELSEWHERE:
            doubts += [f"page {page.number}: {reason}" for reason in text_doubts(text)]
        counts["nul"] += text.count("\x00")
        # A U+FEFF inside the text is the mark of a second file joined to the first.
        counts["byte_order_mark"] += text.count("\ufeff")
        text = text.replace("\x00", "").replace("\ufeff", "")
        text, controls = _CONTROL.subn("", text)
        text, surrogates = _SURROGATE.subn("\ufffd", text)
        counts["control"] += controls
        counts["surrogate"] += surrogates
        language = page.language or detect_language(_sample(text))
        pages.append(replace(page, text=text, language=language))
    metadata = dict(extraction.metadata)
    cleaned = {key: count for key, count in counts.items() if count}
    if cleaned:
        metadata["text_cleaned"] = cleaned
    if counts["byte_order_mark"]:
        metadata["warnings"] = [
            *metadata.get("warnings", []),
            f"{counts['byte_order_mark']} byte-order mark(s) U+FEFF inside the text (files "
            "joined into one?) removed",
        ]
    if doubts:
        metadata["text_doubts"] = doubts
        metadata["needs_review"] = True
        metadata["warnings"] = [
            *metadata.get("warnings", []),
            "the text may be codes, not writing: " + "; ".join(doubts),
        ]
    title = metadata.get("title")
    if isinstance(title, str) and is_placeholder_title(title):
        metadata["placeholder_title"] = metadata.pop("title")
        metadata["warnings"] = [
            *metadata.get("warnings", []),
            "the title the file gives is an application's placeholder or a file name; not "
            "used as the title",
        ]
    whole = "\n".join(_sample(page.text) for page in pages)
    return replace(
        extraction,
        pages=pages,
        metadata=metadata,
        language=extraction.language or detect_language(_sample(whole)),
        documents=[finish_extraction(document) for document in extraction.documents],
    )


# An office program's kind of file, as its default names spell it (Word, WPS, LibreOffice,
# Excel, PowerPoint; English and Chinese).
_KIND = (
    r"(?:document|worksheet|spreadsheet|workbook|presentation|drawing|text(?:\s+document)?"
    r"|rich\s+text(?:\s+document)?|文档|文件|文本文档|工作表|工作簿|演示文稿|表格|演示|文字|幻灯片)"
)
_APPLICATION = (
    r"(?:microsoft\s+)?(?:office\s+)?(?:word|excel|powerpoint|wps|publisher|visio"
    r"|libreoffice|openoffice|writer|calc|impress|docx?|xlsx?|pptx?|rtf)"
)
_PLACEHOLDER = re.compile(
    r"(?:(?:untitled(?:[\s_-]*\d+)?(?:\s+document)?|no\s+title|title|none|null|n/?a|unknown"
    r"|document\s*\d*|doc\d+|book\s*\d*|presentation\s*\d*|sheet\s*\d*|chart\s*\d*"
    r"|slide\s*\d+|page\s*\d+"
    rf"|new(?:\s+{_APPLICATION})?(?:\s+{_KIND})?|{_APPLICATION}(?:\s*{_KIND})?(?:\s*-.*)?"
    rf"|新建\s*(?:{_APPLICATION}\s*)?{_KIND}?|{_KIND}\s*\d*"
    r"|无标题(?:文档|文件)?\s*\d*|無標題(?:文件)?\s*\d*|未命名(?:文档|文件)?\s*\d*|无题|無題"
    r"|标题|標題|图表\s*\d*"
    # Cameras, phones and scanners: IMG_0001, DSC01234, Scan0001, 微信图片_20200101.
    r"|(?:img|image|dsc[nf]?|dcim|pict?|photo|mvimg|pxl|cimg|sam|wp|scan(?:ned)?(?:\s+doc)?"
    r"|screenshot|camscanner|mmexport|扫描件?|扫描全能王|微信图片|屏幕截图|截图)[\s_-]*\d[\d\s_.-]*"
    r"|.+\.(?:docx?|dotx?|xlsx?|pptx?|wps|et|dps|rtf|txt|pdf|html?|tmp|indd|ai|psd"
    r"|jpe?g|tiff?|png|bmp|xps|ps|eps|ceb|caj)"
    r"|(?:[a-z]:)?[\\/].*|.*\\.*"
    r"|[\W\d_]*)"
    # A copy's mark: 新建 Microsoft Word 文档 (2), Document1 - 副本, Book1 copy.
    r"(?:\s*[(（]\d+[)）]|\s*-?\s*(?:副本|copy))*)",
    re.IGNORECASE,
)


def text_doubts(text: str) -> list[str]:
    """Why a text from any source (a file, a JSON-lines record) may not be writing: pdfminer's
    ``(cid:N)`` pasted into a text, a font's codes, mojibake (``plausibility``).

    Args:
        text: the text before cleaning; a long one is judged on an even sample of it.

    Returns:
        The reasons of ``plausibility.implausible_reasons``; empty when it is plausible.
    """
    return implausible_reasons(_sample(text))


def is_placeholder_title(title: str) -> bool:
    """Whether a title a file gives is an application's placeholder, a file name or path, or
    holds no letter (see the module docstring).

    Args:
        title: the title as the extractor read it.

    Returns:
        True for ``"Untitled"``, ``"Document1"``, ``"Microsoft Word - x.doc"``, ``"无标题文档"``,
        ``"新建 Microsoft Word 文档 (2)"``, ``"IMG_0001"``, ``"scan0001.pdf"``,
        ``"C:\\\\temp\\\\a"``, ``"1"``...; False for anything else.
    """
    return _PLACEHOLDER.fullmatch(title.strip()) is not None


def _sample(text: str) -> str:
    if len(text) <= _SAMPLE_CHARS:
        return text
    size = _SAMPLE_CHARS // _SAMPLE_PIECES
    step = len(text) // _SAMPLE_PIECES
    return "".join(text[start : start + size] for start in range(0, len(text), step))


def visible_controls(text: str) -> str:
    """``text`` with every control character shown instead of acting.

    A name or title from a collected file may hold ESC sequences that recolour a terminal or
    set its title, or a line break that forges an extra line of output. C0 controls and DEL
    become their Unicode Control Pictures (U+2400-U+2421: ESC is shown as U+241B), C1 controls
    U+FFFD.

    Args:
        text: any text.

    Returns:
        The text, as long in characters, with no character of Unicode category Cc.
    """
    return _ANY_CONTROL.sub(_picture, text)


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)
    return "\u2421" if code == 0x7F else "\ufffd"
