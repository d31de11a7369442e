"""The last step of every extraction: clean the derived text and tag its languages.

Cleaning (reliability.md I-nul-surrogate): text from files may hold U+0000 (PostgreSQL rejects
it, and one such row fails a whole batch), other C0 control characters, and lone surrogates (a
PDF's broken ToUnicode map; they cannot be encoded as UTF-8). The original bytes are kept as
they are; the derived page text loses NUL and the controls other than tab and newline, and
each lone surrogate becomes U+FFFD. What was changed is counted in the metadata, so a reader
can tell the text from the original.

Placeholder titles. Word, WPS, PowerPoint, Dreamweaver, InDesign and scanners fill a file's
title with what they have: ``Microsoft Word - 通知.doc``, ``Document1``, ``无标题文档``,
``Untitled-1``, a file's name or path. An archivist would not cite these as titles; such a
title is kept as ``placeholder_title`` and the source is named otherwise (its sidecar, its
file name).
"""

from __future__ import annotations

import re
from dataclasses import replace

from shiliao.extract.language import detect_language
from shiliao.model import Extraction

__all__ = ["finish_extraction", "is_placeholder_title", "visible_controls"]

_CONTROL = re.compile(r"[\x01-\x08\x0b-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
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
        "control": n, "surrogate": n}`` (non-zero counts only) when anything changed;
        ``Page.language`` and ``Extraction.language`` set where the extractor left them None
        (see ``language.detect_language``); a placeholder ``title`` moved to
        ``placeholder_title``, with a warning (see the module docstring); the same for each
        of its ``documents``.
    """
    counts = {"nul": 0, "control": 0, "surrogate": 0}
    pages = []
    for page in extraction.pages:
        text = page.text
        counts["nul"] += text.count("\x00")
        text = text.replace("\x00", "")
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


_PLACEHOLDER = re.compile(
    r"(?:untitled(?:[\s_-]*\d+)?(?:\s+document)?|no\s+title|title|none|null|n/?a|unknown"
    r"|document\s*\d*|doc\d+|book\s*\d*|presentation\s*\d*|powerpoint\s+presentation"
    r"|slide\s*\d+|page\s*\d+|new\s+document"
    r"|无标题(?:文档|文件)?|無標題(?:文件)?|未命名(?:文档|文件)?\s*\d*|无题|無題|标题|標題"
    r"|新建\S{0,8}文档\s*\d*|文档\s*\d*|文件\s*\d+|工作簿\s*\d*|演示文稿\s*\d*|幻灯片\s*\d+"
    r"|powerpoint\s*演示文稿"
    r"|microsoft\s+(?:office\s+)?(?:word|excel|powerpoint)(?:\s*-.*)?|wps\s+(?:文字|表格|演示).*"
    r"|.+\.(?:docx?|dotx?|xlsx?|pptx?|wps|et|dps|rtf|txt|pdf|html?|tmp|indd|ai|psd"
    r"|jpe?g|tiff?|png|bmp|xps|ps|eps|ceb|caj)"
    r"|(?:[a-z]:)?[\\/].*|.*\\.*"
    r"|[\W\d_]*)",
    re.IGNORECASE,
)


def is_placeholder_title(title: str) -> bool:
    """Whether a title a file gives is an application's placeholder, a file name or path, or
    holds no letter (see the module docstring).

    Args:
        title: the title as the extractor read it.

    Returns:
        True for ``"Untitled"``, ``"Document1"``, ``"Microsoft Word - x.doc"``, ``"无标题文档"``,
        ``"scan0001.pdf"``, ``"C:\\\\temp\\\\a"``, ``"1"``...; False for anything else.
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
