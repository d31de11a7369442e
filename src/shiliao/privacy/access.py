"""Access levels: which level applies to a source, from every rule that speaks of it.

A source's level comes from four places (DESIGN.md, "Access and privacy"), and the most
restrictive one wins (``model.ACCESS_LEVELS`` orders them):

1. the collection's default, ``[privacy] default`` in ``shiliao.toml``;
2. the most specific folder rule, ``[privacy.folders]``, whose folder holds the source's file
   (``"sources/theses" = "metadata"``);
3. a rule for each curated collection the source belongs to, ``[privacy.collections]``
   (its ``collection`` or ``collections`` metadata);
4. its file's and its own ``access`` in the sidecar (a JSON-lines line: ``defaults`` and
   ``each_line``; a file inside a ZIP: the ZIP's sidecar).

An embargo (``{embargo: DATE, then: LEVEL}``) counts as ``team`` until DATE and as LEVEL from
that day on (``model.Access.at``), so a build on that day publishes what the embargo held.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from shiliao.config import Settings
from shiliao.errors import ConfigError
from shiliao.model import ACCESS_LEVELS, Access, Source

__all__ = ["UNREVIEWED_RULES", "AccessRules", "most_restrictive"]

UNREVIEWED_RULES = ("withhold", "redact")
"""What ``[privacy] unreviewed`` may say: ``withhold`` a source with unreviewed personal data
(published as a catalogue record only) or ``redact`` each unreviewed finding."""


def most_restrictive(levels: list[str]) -> str:
    """The most restrictive of some levels (``public`` for none)."""
    return max(levels, key=ACCESS_LEVELS.index, default="public")


def _collections(source: Source) -> list[str]:
    found: list[str] = []
    for key in ("collection", "collections", "file_collections"):
        value = source.metadata.get(key)
        values = value if isinstance(value, list) else [value]
        found += [str(v) for v in values if v not in (None, "")]
    return found


@dataclass(frozen=True)
class AccessRules:
    """The access rules of a collection (``[privacy]`` of its settings).

    Attributes:
        default: the level of every source no other rule speaks of.
        folders: folder path (relative to the collection folder, no trailing slash) -> its
            level.
        collections: collection name -> its level.
        unreviewed: one of ``UNREVIEWED_RULES``.
    """

    default: Access = field(default_factory=lambda: Access("public"))
    folders: dict[str, Access] = field(default_factory=dict)
    collections: dict[str, Access] = field(default_factory=dict)
    unreviewed: str = "withhold"

    @classmethod
    def from_settings(cls, settings: Settings) -> AccessRules:
        """Read ``[privacy]``.

        Raises:
            ConfigError: an unknown level or rule, or a folder that is not a path in the
                collection (``sources/...`` or ``added``).
        """
        table = settings.table("privacy")
        return cls.from_json(table)

    @classmethod
    def from_json(cls, table: dict[str, Any]) -> AccessRules:
        """Read the rules as ``to_json`` (or ``[privacy]``) gives them.

        Raises:
            ConfigError: as for ``from_settings``.
        """

        def parse(value: Any, where: str) -> Access:
            try:
                return Access.parse(value)
            except ValueError as exc:
                raise ConfigError(f"shiliao.toml [privacy] {where}: {exc}") from exc

        unreviewed = table.get("unreviewed", "withhold")
        if unreviewed not in UNREVIEWED_RULES:
            raise ConfigError(
                f"shiliao.toml [privacy] unreviewed = {unreviewed!r}: use "
                + " or ".join(f'"{r}"' for r in UNREVIEWED_RULES)
            )
        folders = {}
        for folder, value in dict(table.get("folders") or {}).items():
            path = str(folder).strip("/")
            if not (path == "sources" or path.startswith("sources/") or path == "added"):
                raise ConfigError(
                    f"shiliao.toml [privacy.folders] {folder!r}: a folder of the collection, "
                    'e.g. "sources/theses" (or "added" for what `shiliao add` captured)'
                )
            folders[path] = parse(value, f"folders {folder!r}")
        return cls(
            default=parse(table.get("default", "public"), "default"),
            folders=folders,
            collections={
                str(name): parse(value, f"collections {name!r}")
                for name, value in dict(table.get("collections") or {}).items()
            },
            unreviewed=str(unreviewed),
        )

    def to_json(self) -> dict[str, Any]:
        """The rules as plain values (``from_json`` reads them back)."""

        def value(access: Access) -> Any:
            return (
                access.level
                if access.until is None
                else {
                    "embargo": access.until,
                    "then": access.level,
                }
            )

        return {
            "default": value(self.default),
            "folders": {k: value(v) for k, v in sorted(self.folders.items())},
            "collections": {k: value(v) for k, v in sorted(self.collections.items())},
            "unreviewed": self.unreviewed,
        }

    def level_of(self, source: Source, today: datetime.date) -> tuple[str, list[str]]:
        """The level of a source on a day, and why it is not ``public``.

        Args:
            source: the stored source (its ``path``, ``access`` and collection metadata).
            today: the day (an embargo ends on its date).

        Returns:
            ``(level, reasons)``: the most restrictive level of every rule that applies, and
            one line for each rule that gave that level (``"access metadata, set in its
            sidecar"``); no reasons for ``public``.
        """
        rules: list[tuple[Access, str]] = [(self.default, "the collection's default")]
        folder = self._folder_of(source.path)
        if folder is not None:
            rules.append((self.folders[folder], f"the rule for the folder {folder}"))
        for name in _collections(source):
            if name in self.collections:
                rules.append((self.collections[name], f"the rule for the collection {name}"))
        own = source.metadata.get("access")
        if own is not None:
            rules.append((Access.parse(own), "its sidecar"))
        file_level = source.metadata.get("file_access")
        if file_level is not None:
            rules.append((Access.parse(file_level), "its file's sidecar (defaults)"))
        levels = [(access.at(today), access, why) for access, why in rules]
        level = most_restrictive([lvl for lvl, _, _ in levels])
        reasons = [
            f"access {access.describe()}, set by {why}"
            for lvl, access, why in levels
            if lvl == level and level != "public"
        ]
        return level, reasons

    def _folder_of(self, path: str) -> str | None:
        parts = path.split("/")
        for length in range(len(parts) - 1, 0, -1):
            folder = "/".join(parts[:length])
            if folder in self.folders:
                return folder
        return None
