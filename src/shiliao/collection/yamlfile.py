"""Reading the collection's YAML files strictly: a key given twice is an error, not the last
one silently kept (a merge that leaves ``access: team`` and ``access: public`` in one sidecar
must not publish the source), and a value YAML cannot construct (``2019-02-30`` read as a
date) is an error naming the file, not a crash. Aliases (``*name``) are refused: one alias to
itself makes a value without end, and ten nested ten times make 10^10 values out of a few
lines (a "billion laughs"), which every later step (dates as text, fingerprints) would walk.
Nesting deeper than Python's recursion limit is refused too.
"""

from __future__ import annotations

from typing import Any

import yaml

from shiliao.errors import CollectionError

__all__ = ["YamlProblem", "load_entries", "load_list", "load_yaml"]


class YamlProblem(ValueError):
    """What is wrong with a YAML text; the caller names the file (``CollectionError``,
    ``SidecarError``)."""


class _StrictLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing duplicate keys; ``lines`` also records each mapping's
    1-based line under ``__line__``."""

    lines = False

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise YamlProblem(
                f"line {event.start_mark.line + 1}: an alias (*{event.anchor}) is not read; "
                "write the value out"
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, list | dict):
                continue
            if key in seen:
                raise YamlProblem(
                    f"line {key_node.start_mark.line + 1}: the key {key!r} is given twice (first "
                    f"on line {seen[key]}); keep one"
                )
            seen[key] = key_node.start_mark.line + 1
        mapping = super().construct_mapping(node, deep=deep)
        if self.lines:
            mapping["__line__"] = node.start_mark.line + 1
        return mapping


class _LineLoader(_StrictLoader):
    lines = True


def load_yaml(text: str, *, lines: bool = False) -> Any:
    """Parse YAML safely and strictly.

    Args:
        text: the YAML text.
        lines: record each mapping's line under the key ``__line__``.

    Returns:
        The value (None for an empty text).

    Raises:
        YamlProblem: the text is not valid YAML, gives a key twice in one mapping, holds a
            value that cannot be constructed (an impossible date), an alias or a lone
            surrogate (``"\\ud800"``: no character, which UTF-8, the database and every file
            written would fail on), or is nested too deeply.
    """
    try:
        value = yaml.load(text, Loader=_LineLoader if lines else _StrictLoader)
        _refuse_surrogates(value)
        return value
    except yaml.YAMLError as exc:
        raise YamlProblem(f"not valid YAML: {exc}") from exc
    except YamlProblem:
        raise
    except RecursionError as exc:
        raise YamlProblem("nested too deeply to read") from exc
    except (ValueError, TypeError) as exc:
        raise YamlProblem(f"a value cannot be read: {exc}") from exc


def load_list(text: str, path: str, what: str) -> list[Any]:
    """Read a collection file that is a list (``load_yaml``, each mapping with its
    ``__line__``); empty for an empty file.

    Raises:
        CollectionError: the text is not valid YAML or not a list (``what``, plural, names
            its entries in the message).
    """
    try:
        data = load_yaml(text, lines=True)
    except YamlProblem as exc:
        raise CollectionError(f"{path}: {exc}") from exc
    if data is None:
        return []
    if not isinstance(data, list):
        raise CollectionError(f"{path}: must be a list of {what}")
    return data


def load_entries(text: str, path: str, what: str) -> list[tuple[int, int, dict[Any, Any]]]:
    """Read a collection file that is a list of mappings (``privacy.yaml``,
    ``annotations.yaml``), strictly (``load_yaml``).

    Args:
        text: the file's text.
        path: its path, for messages.
        what: what its entries are, plural, for messages (``"annotations"``).

    Returns:
        ``(number, line, mapping)`` of each entry: its 1-based number and line, and the
        mapping without the line.

    Raises:
        CollectionError: the text is not valid YAML (``load_yaml``), not a list, or an entry
            is not a mapping.
    """
    entries = []
    for number, entry in enumerate(load_list(text, path, what), start=1):
        if not isinstance(entry, dict):
            raise CollectionError(f"{path}: entry {number} must be a mapping")
        entries.append((number, int(entry.pop("__line__", 0)), entry))
    return entries


def _refuse_surrogates(value: Any) -> None:
    """Raise ``YamlProblem`` for a lone surrogate in any string (key or value) of ``value``."""
    if isinstance(value, str):
        for character in value:
            if "\ud800" <= character <= "\udfff":
                raise YamlProblem(
                    f"holds a lone surrogate (\\u{ord(character):04x}), half of a \\u pair; "
                    "write the character itself"
                )
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_surrogates(key)
            _refuse_surrogates(item)
    elif isinstance(value, list):
        for item in value:
            _refuse_surrogates(item)
