"""BibTeX in and out, as Zotero and Better BibTeX write it (biblatex field names where BibTeX
has none: ``date``, ``urldate``, ``langid``, ``entrysubtype``).

Entry types: ``@article`` (journal; ``entrysubtype = {newspaper}`` or ``{magazine}`` for those,
as biblatex-chicago marks them), ``@book``, ``@incollection`` (chapter), ``@inproceedings``,
``@mastersthesis`` / ``@phdthesis`` (from the thesis's ``genre``), ``@techreport``, ``@online``
(web page) and ``@misc``; a CSL type that none of these gives back on import is kept in
``entrysubtype`` (``@misc{..., entrysubtype = {speech}}``).

Fields: ``author``, ``editor``, ``translator`` (``Family, Given`` joined by ``and``; a
``literal`` name in braces, ``{Xinhua News Agency}``, as is a name divided on import that kept
its literal, ``{司马光}``), ``title``, ``journal`` / ``booktitle`` /
``howpublished`` (the container, by type), ``year``, ``month``, ``date`` (ISO 8601),
``urldate``, ``volume``, ``number``, ``pages``, ``publisher``, ``address``, ``school`` or
``institution`` (a thesis's or report's publisher), ``type`` (genre), ``edition``, ``series``,
``isbn``, ``issn``, ``doi``, ``url`` (as a URI, ``iri.to_uri``), ``abstract``, ``note``,
``keywords``, ``shorttitle``,
``langid`` (the BCP 47 tag as a babel language name: ``zh-Hans`` ``chinese-simplified``,
``zh-Hant`` ``chinese-traditional``, ``zh`` ``chinese``, ``en`` ``english``, ``ug``
``uyghur``...; another tag is written as it is). shiliao's ``custom`` fields (``record``) are
written under their own names (``title-translated``, ``author-romanized``, ``supervisor``,
``archived-url``...), which BibTeX and biblatex ignore; a romanized name list repeats a name
that has no separate romanization, and import drops those repeats again.

Import reads what Zotero, Better BibTeX and JabRef write, LaTeX escapes included (``{\\"u}``,
``\\&``), with bibtexparser 2 (MIT); ``@string`` macros are expanded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import bibtexparser
from bibtexparser.middlewares.names import (
    parse_single_name_into_parts,
    split_multiple_persons_names,
)
from pylatexenc.latex2text import LatexNodes2Text

from shiliao.cite.csl import CSL_TYPES
from shiliao.cite.iri import to_uri
from shiliao.cite.record import date_parts
from shiliao.errors import CitationError

__all__ = ["LANGIDS", "from_bibtex", "to_bibtex"]

#: BCP 47 tag -> babel/polyglossia language name, as Better BibTeX writes ``langid``.
LANGIDS = {
    "zh": "chinese",
    "zh-Hans": "chinese-simplified",
    "zh-Hant": "chinese-traditional",
    "en": "english",
    "ug": "uyghur",
    "kk": "kazakh",
    "ja": "japanese",
    "ko": "korean",
    "ru": "russian",
    "de": "german",
    "fr": "french",
    "es": "spanish",
    "tr": "turkish",
}
_TAGS = {name: tag for tag, name in LANGIDS.items()} | {
    "pinyin": "zh-Latn",
    "american": "en-US",
    "british": "en-GB",
    "ukenglish": "en-GB",
    "usenglish": "en-US",
}

_TO_BIBTEX_TYPE = {
    "article-journal": "article",
    "article-magazine": "article",
    "article-newspaper": "article",
    "book": "book",
    "chapter": "incollection",
    "paper-conference": "inproceedings",
    "report": "techreport",
    "webpage": "online",
}
_FROM_BIBTEX_TYPE = {
    "article": "article-journal",
    "book": "book",
    "mvbook": "book",
    "booklet": "pamphlet",
    "manual": "book",
    "proceedings": "book",
    "collection": "book",
    "inbook": "chapter",
    "incollection": "chapter",
    "inproceedings": "paper-conference",
    "conference": "paper-conference",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "thesis": "thesis",
    "techreport": "report",
    "report": "report",
    "online": "webpage",
    "www": "webpage",
    "electronic": "webpage",
    "unpublished": "manuscript",
    "patent": "patent",
    "dataset": "dataset",
    "software": "software",
    "misc": "document",
}
_SUBTYPES = {"newspaper": "article-newspaper", "magazine": "article-magazine"}
_CONTAINER_FIELD = {"article": "journal", "incollection": "booktitle", "inproceedings": "booktitle"}
# CSL variable <-> BibTeX field, for plain text fields.
_TEXT_FIELDS = {
    "title": "title",
    "volume": "volume",
    "issue": "number",
    "edition": "edition",
    "collection-title": "series",
    "ISBN": "isbn",
    "ISSN": "issn",
    "abstract": "abstract",
    "note": "note",
    "keyword": "keywords",
    "title-short": "shorttitle",
    "genre": "type",
    "publisher-place": "address",
}
_VERBATIM = {"url", "doi", "archived-url"}
_NAME_ROLES = ("author", "editor", "translator")
_CUSTOM_NAME_FIELDS = (
    "supervisor",
    "author-romanized",
    "editor-romanized",
    "translator-romanized",
    "supervisor-romanized",
)
_CUSTOM_TEXT_FIELDS = (
    "title-translated",
    "title-romanized",
    "container-title-romanized",
    "publisher-romanized",
    "publisher-place-romanized",
    "archived-url",
    "archived-date",
)
_LATEX = LatexNodes2Text(math_mode="verbatim")
_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_CARET = "\ue000"
_LIGATURE = re.compile(r"(?<=-)(?=-)|(?<=`)(?=`)|(?<=')(?=')|(?<=[!?])(?=`)")


# Writing ------------------------------------------------------------------------------------


def _escape(value: str) -> str:
    escaped = "".join(_SPECIALS.get(char, char) for char in value)
    # LaTeX reads -- as an en dash, ``, '' as quotes and !`, ?` as inverted marks; an empty
    # group between the two keeps them the characters written.
    return _LIGATURE.sub("{}", escaped)


def _verbatim(value: str) -> str:
    """A DOI as BibTeX keeps it: as is, with braces percent-encoded."""
    return value.replace("{", "%7B").replace("}", "%7D")


def _format_name(name: Mapping[str, Any]) -> str:
    if isinstance(name.get("literal"), str):
        return "{" + _escape(name["literal"].strip()) + "}"
    family = " ".join(
        str(part) for part in (name.get("non-dropping-particle"), name.get("family")) if part
    )
    given = " ".join(
        str(part) for part in (name.get("given"), name.get("dropping-particle")) if part
    )
    parts = [_name_part(family) if family else "{}"]
    if name.get("suffix"):
        parts.append(_name_part(str(name["suffix"])))
    if given:
        parts.append(_name_part(given))
    if len(parts) == 1 and family and parts[0].startswith("{"):
        # Braced (_name_part), a family name alone would read as a literal name; a comma
        # after it says it is a family name.
        return parts[0] + ","
    return ", ".join(parts)


def _name_part(value: str) -> str:
    # Braced, a comma does not divide the name there ("Family, Given"), and an escape that
    # opens a name (\& after " and ") is not dropped by bibtexparser's name splitter.
    escaped = _escape(value)
    return "{" + escaped + "}" if "," in value or escaped.startswith("\\") else escaped


def _names_field(names: Sequence[Any], originals: Sequence[Any] | None = None) -> str:
    written = []
    for number, name in enumerate(names):
        if not isinstance(name, dict):
            # A name with no separate romanization repeats the original.
            original = originals[number] if originals and number < len(originals) else None
            name = original if isinstance(original, dict) else {"literal": ""}
        written.append(_format_name(name))
    return " and ".join(written)


def _key(item_id: str) -> str:
    """A citation key BibTeX accepts: no white space, commas, braces, quotes or ``#%=()``."""
    return re.sub(r"[\s,{}\"#%'()=\\]", "-", item_id) or "item"


def _iso(date: tuple[int, int | None, int | None] | None) -> str:
    if date is None:
        return ""
    year, month, day = date
    return "-".join([f"{year:04d}"] + [f"{part:02d}" for part in (month, day) if part])


def _entry(item: Mapping[str, Any]) -> str:
    csl_type = str(item.get("type") or "document")
    if csl_type == "thesis":
        genre = str(item.get("genre") or "").lower()
        phd = any(word in genre for word in ("博士", "phd", "doctor", "diss"))
        entry_type = "phdthesis" if phd else "mastersthesis"
    else:
        entry_type = _TO_BIBTEX_TYPE.get(csl_type, "misc")
    fields: list[tuple[str, str]] = []
    if _FROM_BIBTEX_TYPE.get(entry_type) != csl_type:
        subtype = {v: k for k, v in _SUBTYPES.items()}.get(csl_type, csl_type)
        fields.append(("entrysubtype", subtype))
    extra = item.get("custom") if isinstance(item.get("custom"), dict) else {}
    for role in _NAME_ROLES:
        if isinstance(item.get(role), list) and item[role]:
            fields.append((role, _names_field(item[role])))
    for key in _CUSTOM_NAME_FIELDS:
        if isinstance(extra.get(key), list) and extra[key]:
            base = key.removesuffix("-romanized")
            originals = extra.get(base) if base == "supervisor" else item.get(base)
            fields.append((key, _names_field(extra[key], originals)))
    for csl, field in _TEXT_FIELDS.items():
        value = item.get(csl)
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
            fields.append((field, _escape(str(value).strip())))
    container = str(item.get("container-title") or "").strip()
    if container:
        fields.append((_CONTAINER_FIELD.get(entry_type, "howpublished"), _escape(container)))
    publisher = str(item.get("publisher") or "").strip()
    if publisher:
        publisher_field = {"mastersthesis": "school", "phdthesis": "school"}.get(
            entry_type, "institution" if entry_type == "techreport" else "publisher"
        )
        fields.append((publisher_field, _escape(publisher)))
    if page := str(item.get("page") or "").strip():
        fields.append(("pages", _escape(re.sub(r"\s*[-–—]+\s*", "--", page))))
    issued = date_parts(item, "issued")
    if issued:
        fields.append(("year", str(issued[0])))
        if issued[1]:
            fields.append(("month", str(issued[1])))
        fields.append(("date", _iso(issued)))
    elif isinstance(item.get("issued"), dict) and item["issued"].get("literal"):
        fields.append(("date", _escape(str(item["issued"]["literal"]))))
    if accessed := date_parts(item, "accessed"):
        fields.append(("urldate", _iso(accessed)))
    language = str(item.get("language") or "").strip()
    if language:
        fields.append(("langid", LANGIDS.get(language, language)))
    if doi := str(item.get("DOI") or "").strip():
        fields.append(("doi", _verbatim(doi)))
    # Addresses as URIs (RFC 3987 §3.1: https://example.cn/%E6%96%B0...), since biblatex's
    # \url and reference managers expect ASCII; braces are encoded with the rest.
    if address := str(item.get("URL") or "").strip():
        fields.append(("url", to_uri(address)))
    for key in _CUSTOM_TEXT_FIELDS:
        if isinstance(extra.get(key), str) and extra[key].strip():
            value = extra[key].strip()
            # Of the custom fields only archived-url is verbatim.
            fields.append((key, to_uri(value) if key in _VERBATIM else _escape(value)))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{entry_type}{{{_key(str(item['id']))},\n{body}\n}}\n"


def to_bibtex(items: Iterable[Mapping[str, Any]]) -> str:
    """Write CSL-JSON items as a BibTeX file (UTF-8 text, the mapping in the module docstring).

    Args:
        items: validated CSL-JSON items.

    Returns:
        The file's text, one entry per item in the order given, separated by blank lines.
    """
    return "\n".join(_entry(item) for item in items)


# Reading ------------------------------------------------------------------------------------


def _decode(value: str) -> str:
    """A BibTeX field's LaTeX as text: accents, escapes and protective braces resolved.

    A bare ``%`` is kept as a per cent sign (in LaTeX it would start a comment, and lose the
    rest of the value).
    """
    value = re.sub(r"(?<!\\)%", r"\\%", value).replace(r"\textasciicircum{}", _CARET)
    return " ".join(_LATEX.latex_to_text(value).replace(_CARET, "^").split())


def _one_group(written: str) -> bool:
    """Whether a name is one brace group, ``{Ministry of Education, PRC}``: a literal name,
    commas included (``{Li}, {Si}`` is two groups, a family and a given name)."""
    if not (written.startswith("{") and written.endswith("}")):
        return False
    depth = 0
    for at, char in enumerate(written):
        if at and written[at - 1] == "\\":
            continue
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0:
            return at == len(written) - 1
    return False


def _parse_names(value: str) -> list[dict[str, str]]:
    names = []
    for written in split_multiple_persons_names(value):
        written = written.strip()
        if _one_group(written):
            names.append({"literal": _decode(written[1:-1])})
            continue
        parts = parse_single_name_into_parts(written, strict=False)
        name: dict[str, str] = {}
        for key, words in (
            ("given", parts.first),
            ("non-dropping-particle", parts.von),
            ("family", parts.last),
            ("suffix", parts.jr),
        ):
            text = _decode(" ".join(words))
            if text:
                name[key] = text
        if name:
            names.append(name)
    return names


def _date(value: str) -> dict[str, Any] | None:
    match = re.fullmatch(r"\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?\s*", value)
    if match is None:
        return {"literal": value.strip()} if value.strip() else None
    return {"date-parts": [[int(part) for part in match.groups() if part]]}


_MONTHS = {
    name: number
    for number, name in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
        start=1,
    )
}


def _item(entry_type: str, key: str, fields: Mapping[str, str]) -> dict[str, Any]:
    subtype = fields.get("entrysubtype", "").strip()
    csl_type = _SUBTYPES.get(subtype) or (
        subtype if subtype in CSL_TYPES else _FROM_BIBTEX_TYPE.get(entry_type, "document")
    )
    item: dict[str, Any] = {"id": key, "type": csl_type}
    extra: dict[str, Any] = {}
    for role in _NAME_ROLES:
        if fields.get(role):
            item[role] = _parse_names(fields[role])
    for csl, field in _TEXT_FIELDS.items():
        if fields.get(field):
            item[csl] = _decode(fields[field])
    for field in ("journal", "journaltitle", "booktitle", "howpublished"):
        if fields.get(field):
            item["container-title"] = _decode(fields[field])
            break
    for field in ("publisher", "school", "institution", "organization"):
        if fields.get(field):
            item["publisher"] = _decode(fields[field])
            break
    if fields.get("location") and "publisher-place" not in item:
        item["publisher-place"] = _decode(fields["location"])
    if fields.get("pages"):
        item["page"] = re.sub(r"\s*[-–—]+\s*", "-", _decode(fields["pages"]))
    issued = _date(fields.get("date", ""))
    if issued is None and fields.get("year", "").strip():
        parts = [int(fields["year"].strip()[:4])] if fields["year"].strip()[:4].isdigit() else []
        month = fields.get("month", "").strip().lower()[:3]
        number = int(month) if month.isdigit() else _MONTHS.get(month)
        if parts and number:
            parts.append(number)
        issued = {"date-parts": [parts]} if parts else {"literal": _decode(fields["year"])}
    if issued:
        item["issued"] = issued
    if accessed := _date(fields.get("urldate", "")):
        item["accessed"] = accessed
    language = (fields.get("langid") or fields.get("language") or "").strip()
    if language:
        item["language"] = _TAGS.get(language.lower(), language)
    if fields.get("doi"):
        item["DOI"] = fields["doi"].strip()
    if fields.get("url"):
        item["URL"] = fields["url"].strip()
    for field in _CUSTOM_NAME_FIELDS:
        if fields.get(field):
            extra[field] = _parse_names(fields[field])
    for field in _CUSTOM_TEXT_FIELDS:
        if fields.get(field):
            extra[field] = fields[field].strip() if field in _VERBATIM else _decode(fields[field])
    for field in _CUSTOM_NAME_FIELDS:
        if field.endswith("-romanized") and field in extra:
            base = field.removesuffix("-romanized")
            originals = extra.get(base) if base == "supervisor" else item.get(base)
            extra[field] = [
                None
                if isinstance(originals, list)
                and number < len(originals)
                and name == originals[number]
                else name
                for number, name in enumerate(extra[field])
            ]
    if extra:
        item["custom"] = extra
    return item


def from_bibtex(data: str, path: str) -> list[dict[str, Any]]:
    """Read a BibTeX file into CSL-JSON items (the mapping in the module docstring).

    Args:
        data: the file's text.
        path: its path, for messages.

    Returns:
        One item per entry, in file order; the citation key is the item's ``id``. Items are not
        validated here: pass them through ``csl.validate_items``.

    Raises:
        CitationError: an entry cannot be parsed (the message names its line), or the file
            holds no entry.
    """
    library = bibtexparser.parse_string(data)
    if library.failed_blocks:
        block = library.failed_blocks[0]
        raise CitationError(
            f"{path}:{block.start_line + 1}: cannot parse this BibTeX entry: "
            f"{type(block).__name__}; check its braces and commas"
        )
    items = []
    for entry in library.entries:
        fields = {
            field.key.lower(): str(field.value) for field in entry.fields if field.value is not None
        }
        items.append(_item(entry.entry_type.lower(), entry.key, fields))
    if not items and data.strip():
        raise CitationError(f"{path}: no BibTeX entry found; is this a BibTeX file?")
    return items
