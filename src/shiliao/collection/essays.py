"""Sections: Markdown essays with YAML front matter (``---`` fenced), as Jekyll and Pandoc write them."""

from __future__ import annotations

import re
from pathlib import Path

from shiliao.collection.yamlfile import YamlProblem, load_yaml
from shiliao.errors import CollectionError
from shiliao.model import Section

__all__ = ["read_section"]

_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*\r?\n", re.S)


def read_section(path: Path, rel: str, sha256: str) -> Section:
    """Read one essay.

    Args:
        path: the file.
        rel: its path relative to the collection folder (for messages and provenance).
        sha256: digest of its bytes.

    Returns:
        A ``Section`` whose id is the file's stem made URL-safe, with the front matter as a
        mapping (empty without one) and ``body_line`` the 1-based line where the body starts.

    Raises:
        CollectionError: the file is not UTF-8, or its front matter is not a YAML mapping
            (read strictly: ``collection.yamlfile``).
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CollectionError(f"{rel}: an essay must be UTF-8: {exc}") from exc
    front: dict = {}
    body = text
    body_line = 1
    match = _FRONT.match(text)
    if match:
        try:
            front = load_yaml(match.group(1)) or {}
        except YamlProblem as exc:
            raise CollectionError(f"{rel}: front matter: {exc}") from exc
        if not isinstance(front, dict):
            raise CollectionError(f"{rel}: front matter must be a mapping")
        body = text[match.end() :]
        body_line = text[: match.end()].count("\n") + 1
    section_id = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-") or "section"
    return Section(
        id=section_id, path=rel, front_matter=front, body=body, body_line=body_line, sha256=sha256
    )
