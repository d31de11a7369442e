"""Settings: defaults shipped in the package, overridden key by key by a collection's shiliao.toml.

The defaults are ``shiliao/defaults.toml`` (the reference for every key, with its unit in the
name). A collection folder may hold a ``shiliao.toml`` with any subset of the same tables and
keys; an unknown table or key, or a value of the wrong type, is a ``ConfigError``, so a typo is
not silently ignored (trafilatura's ``use_config`` layering, made strict). A table the defaults
leave empty (``[privacy.folders]``) is open: its keys are the user's, checked where it is read.
"""

from __future__ import annotations

import copy
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from shiliao.errors import ConfigError

__all__ = ["Settings", "load_settings"]


def _defaults() -> dict[str, Any]:
    text = resources.files("shiliao").joinpath("defaults.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def _merge(base: dict[str, Any], override: dict[str, Any], where: str) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if key not in base:
            raise ConfigError(f"{where}: unknown setting {key!r}; known: {', '.join(sorted(base))}")
        if isinstance(base[key], dict):
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: [{key}] must be a table")
            # A table the defaults leave empty is open: its keys are the user's (folder names,
            # collection names), checked by the code that reads it.
            merged[key] = (
                copy.deepcopy(value)
                if not base[key]
                else _merge(base[key], value, f"{where} [{key}]")
            )
        elif type(value) is not type(base[key]):
            raise ConfigError(
                f"{where}: {key} must be {type(base[key]).__name__}, got {type(value).__name__}"
            )
        else:
            merged[key] = value
    return merged


@dataclass(frozen=True)
class Settings:
    """The merged settings, as nested tables (``settings.table("site")["kwic_width"]``).

    Attributes:
        values: the merged mapping: table name -> key -> value.
        folder: the collection folder they were loaded for, or None (defaults alone); the
            website takes its default title from the folder's name.
    """

    values: dict[str, Any]
    folder: Path | None = None

    def table(self, name: str) -> dict[str, Any]:
        """Return one table of settings (a copy), e.g. ``"extract"``.

        Raises:
            KeyError: for a table that does not exist in the defaults.
        """
        return dict(self.values[name])


def load_settings(collection: Path | None = None) -> Settings:
    """Load the defaults and apply ``COLLECTION/shiliao.toml`` if it exists.

    Args:
        collection: the collection folder, or None for the defaults alone.

    Returns:
        The merged ``Settings``.

    Raises:
        ConfigError: the file is not valid TOML, or names an unknown key or a wrong type.
    """
    values = _defaults()
    if collection is not None:
        path = collection / "shiliao.toml"
        if path.is_file():
            try:
                user = tomllib.loads(path.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
            values = _merge(values, user, str(path))
    return Settings(values, collection)
