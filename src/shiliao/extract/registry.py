"""Which extractor reads which media type.

Extractors are named by ``"module:function"`` strings, not held as functions: the worker
process that runs a parser imports only the one it needs, and a name crosses the process
boundary where a function object cannot. Importing this module imports no parser.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from types import MappingProxyType

from shiliao.errors import UnsupportedFormat
from shiliao.model import Extraction

__all__ = [
    "EXTRACTORS",
    "Extractor",
    "extractor_for",
    "load_extractor",
    "register_extractor",
    "unregister_extractor",
]

Extractor = Callable[[bytes, str], Extraction]
"""An extractor: ``(data, name) -> Extraction``; raises ``ExtractError`` subclasses only."""

_BUILTIN = {
    "text/plain": "shiliao.extract.text:extract_text",
    "text/markdown": "shiliao.extract.markdown:extract_markdown",
    "text/html": "shiliao.extract.html:extract_html",
    "application/xhtml+xml": "shiliao.extract.html:extract_html",
    "application/pdf": "shiliao.extract.pdf:extract_pdf",
    "image/jpeg": "shiliao.extract.image:extract_image",
    "image/png": "shiliao.extract.image:extract_image",
    "image/tiff": "shiliao.extract.image:extract_image",
    "image/webp": "shiliao.extract.image:extract_image",
    "image/gif": "shiliao.extract.image:extract_image",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (
        "shiliao.extract.docx:extract_docx"
    ),
    "application/warc": "shiliao.extract.warc:extract_warc",
    "application/wacz": "shiliao.extract.warc:extract_wacz",
}
_registry: dict[str, str] = dict(_BUILTIN)

EXTRACTORS: Mapping[str, str] = MappingProxyType(_registry)
"""Media type -> ``"module:function"`` of its extractor; a read-only view of the registry."""


def register_extractor(media_type: str, extractor: str | Extractor) -> None:
    """Make ``extractor`` the one that reads ``media_type``, replacing any other.

    Args:
        media_type: an IANA media type without parameters, e.g. ``"text/html"`` (any case).
        extractor: a ``"module:function"`` string, or a function defined at the top level of
            an importable module (its name is recorded, so the worker process can import it).

    Raises:
        ValueError: the function is not importable by name (a lambda, a nested function, or
            one defined in ``__main__``), or the string is not ``"module:function"``.
    """
    _registry[_key(media_type)] = _target(extractor)


def unregister_extractor(media_type: str) -> None:
    """Drop a registration; a built-in media type gets its built-in extractor back.

    Args:
        media_type: an IANA media type without parameters (any case).
    """
    key = _key(media_type)
    if key in _BUILTIN:
        _registry[key] = _BUILTIN[key]
    else:
        _registry.pop(key, None)


def extractor_for(media_type: str) -> str:
    """Name the extractor registered for a media type.

    Args:
        media_type: an IANA media type; parameters (``"; charset=gbk"``) and case are ignored.

    Returns:
        The extractor's ``"module:function"`` name.

    Raises:
        UnsupportedFormat: no extractor reads this media type.
    """
    target = _registry.get(_key(media_type))
    if target is None:
        raise UnsupportedFormat(f"no extractor reads {media_type!r}")
    return target


def load_extractor(target: str) -> Extractor:
    """Import an extractor by its ``"module:function"`` name.

    Args:
        target: e.g. ``"shiliao.extract.pdf:extract_pdf"``.

    Returns:
        The function.

    Raises:
        ImportError: the module cannot be imported.
        AttributeError: the module has no such function.
    """
    module_name, _, function_name = target.partition(":")
    function: Extractor = getattr(importlib.import_module(module_name), function_name)
    return function


def _key(media_type: str) -> str:
    return media_type.split(";", 1)[0].strip().lower()


def _target(extractor: str | Extractor) -> str:
    if isinstance(extractor, str):
        module_name, colon, function_name = extractor.partition(":")
        if not (module_name and colon and function_name.isidentifier()):
            raise ValueError(f"extractor {extractor!r} is not 'module:function'")
        return extractor
    module_name = getattr(extractor, "__module__", None)
    qualname = getattr(extractor, "__qualname__", "")
    if not module_name or module_name == "__main__" or not qualname.isidentifier():
        raise ValueError(f"{extractor!r} cannot be imported by name in a worker process")
    return f"{module_name}:{qualname}"
