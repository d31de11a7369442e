"""The website's interface in the archive's languages (``[archive] languages``).

Interface text (labels, headings, buttons, notes) is written in English in the templates, through
``Interface.ui``; the English text is also the key of its translations, as gettext's msgids are.
The translations live in ``publish/interface/<BCP 47 tag>/*.json`` (one file a part of the site,
each an object of English text -> translation). A page is written in the archive's first
language; ``assets/language.js`` switches it to another with the dictionary the build writes to
``assets/interface.js``, and remembers the reader's choice. Source text is never translated here:
only what carries ``data-ui``.

The contract with the templates:

- ``{{ ui("Browse") }}`` writes ``<span data-ui="Browse">Browse</span>`` (or the first
  language's translation inside), escaped;
- ``{{ ui_attr("placeholder", "Search the archive") }}`` writes ``placeholder="..."
  data-ui-placeholder="Search the archive"`` for an attribute;
- ``{{ ui_text("Browse") }}`` is the first language's text alone, for a ``<title>``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from markupsafe import Markup

from shiliao.errors import PublishError

__all__ = ["INTERFACE_LANGUAGES", "Interface", "load_translations"]

INTERFACE_LANGUAGES = ("en", "zh-Hans")
"""The languages the interface is translated into; English is the text of the templates."""

_FOLDER = Path(__file__).with_name("interface")
_NATIVE_NAMES = {"en": "English", "zh-Hans": "简体中文"}


def load_translations(language: str) -> dict[str, str]:
    """Every translation of the interface into ``language``: English text -> translation.

    Args:
        language: a BCP 47 tag of ``INTERFACE_LANGUAGES`` other than ``"en"``.

    Returns:
        The merged dictionary of ``interface/<language>/*.json`` (empty for ``"en"``).

    Raises:
        PublishError: a file is not a JSON object of strings, or two files translate the same
            English text differently.
    """
    merged: dict[str, str] = {}
    folder = _FOLDER / language
    if language == "en" or not folder.is_dir():
        return merged
    for path in sorted(folder.glob("*.json")):
        try:
            table = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise PublishError(f"interface translations {path.name}: {exc}") from exc
        if not isinstance(table, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in table.items()
        ):
            raise PublishError(f"interface translations {path.name}: not an object of strings")
        for english, translated in table.items():
            if merged.get(english, translated) != translated:
                raise PublishError(
                    f"interface translations: {english!r} is translated twice ({path.name})"
                )
            merged[english] = translated
    return merged


class Interface:
    """The interface text of one build.

    Args:
        languages: the archive's ``languages`` setting; those of ``INTERFACE_LANGUAGES`` are the
            interface's languages, in that order (English when none is).
    """

    def __init__(self, languages: Sequence[str]) -> None:
        chosen = [tag for tag in languages if tag in INTERFACE_LANGUAGES]
        self.languages: list[str] = list(dict.fromkeys(chosen)) or ["en"]
        self.default = self.languages[0]
        self.translations: dict[str, dict[str, str]] = {
            tag: load_translations(tag) for tag in self.languages if tag != "en"
        }

    def text(self, english: str) -> str:
        """``english`` in the default language (itself when it has no translation)."""
        if self.default == "en":
            return english
        return self.translations[self.default].get(english, english)

    def ui(self, english: str) -> Markup:
        """An element's interface text: ``<span data-ui="English">text</span>``, escaped."""
        return Markup('<span data-ui="{}">{}</span>').format(english, self.text(english))

    def ui_attr(self, name: str, english: str) -> Markup:
        """An attribute's interface text: ``name="text" data-ui-name="English"``, escaped."""
        return Markup('{}="{}" data-ui-{}="{}"').format(name, self.text(english), name, english)

    def script(self) -> str:
        """``assets/interface.js``: the languages and their dictionaries, for ``language.js``."""
        data = {
            "default": self.default,
            "languages": [[tag, _NATIVE_NAMES.get(tag, tag)] for tag in self.languages],
            "translations": self.translations,
        }
        text = json.dumps(data, ensure_ascii=False, sort_keys=True)
        # Inside a script file "</" cannot end anything, but keep the data inert anyway.
        return "window.shiliaoInterface = " + text.replace("</", "<\\/") + ";\n"

    def missing(self, used: Mapping[str, int]) -> dict[str, list[str]]:
        """Per language, the English texts of ``used`` that have no translation (for tests)."""
        return {
            tag: sorted(text for text in used if text not in table)
            for tag, table in self.translations.items()
        }
