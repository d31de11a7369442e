"""Access levels: the most restrictive of default, folder, collection and sidecar wins, an
embargo is team until its day; checked against a reference model on random assignments."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shiliao.errors import ConfigError
from shiliao.model import ACCESS_LEVELS, Access, Source
from shiliao.privacy.access import AccessRules

TODAY = datetime.date(2026, 12, 3)
LEVELS = st.sampled_from(ACCESS_LEVELS)
ACCESS = st.one_of(
    LEVELS.map(Access),
    st.tuples(
        st.sampled_from(["public", "redacted", "metadata"]),
        st.dates(min_value=datetime.date(2020, 1, 1), max_value=datetime.date(2030, 1, 1)),
    ).map(lambda pair: Access(pair[0], pair[1].isoformat())),
)


def _source(path: str, collections: list[str], own: Access | None) -> Source:
    metadata: dict = {"collection": collections}
    if own is not None:
        metadata["access"] = (
            own.level
            if own.until is None
            else {
                "embargo": own.until,
                "then": own.level,
            }
        )
    return Source(
        "s", "t", None, "report", "zh-Hans", metadata, "0" * 64, None, "0" * 64, path, "extracted"
    )


def _reference(rules: list[Access]) -> str:
    """Team before an embargo's day, else its level; the highest in ACCESS_LEVELS order."""
    rank = -1
    for access in rules:
        level = access.level
        if access.until is not None and datetime.date.fromisoformat(access.until) > TODAY:
            level = "team"
        rank = max(rank, ACCESS_LEVELS.index(level))
    return ACCESS_LEVELS[rank]


@given(
    default=ACCESS,
    folder=st.one_of(st.none(), ACCESS),
    deeper=st.one_of(st.none(), ACCESS),
    collection=st.one_of(st.none(), ACCESS),
    own=st.one_of(st.none(), ACCESS),
)
def test_the_most_restrictive_level_wins(
    default: Access,
    folder: Access | None,
    deeper: Access | None,
    collection: Access | None,
    own: Access | None,
) -> None:
    folders = {}
    if folder is not None:
        folders["sources/visits"] = folder
    if deeper is not None:
        folders["sources/visits/2018"] = deeper
    rules = AccessRules(
        default=default,
        folders=folders,
        collections={"pairing": collection} if collection else {},
    )
    applying = [default]
    # The most specific folder rule applies, not every rule of the folders above it.
    if deeper is not None:
        applying.append(deeper)
    elif folder is not None:
        applying.append(folder)
    if collection is not None:
        applying.append(collection)
    if own is not None:
        applying.append(own)
    source = _source("sources/visits/2018/post.html", ["pairing"], own)
    level, reasons = rules.level_of(source, TODAY)
    assert level == _reference(applying)
    assert bool(reasons) == (level != "public")
    # Round trip through the plain values the archive keeps.
    assert AccessRules.from_json(rules.to_json()).level_of(source, TODAY)[0] == level


def test_an_embargo_ends_on_its_day() -> None:
    access = Access.parse({"embargo": datetime.date(2027, 1, 1), "then": "redacted"})
    assert access.at(datetime.date(2026, 12, 31)) == "team"
    assert access.at(datetime.date(2027, 1, 1)) == "redacted"


def test_bad_rules_are_refused() -> None:
    with pytest.raises(ConfigError, match="unknown access level 'private'"):
        AccessRules.from_json({"default": "private"})
    with pytest.raises(ConfigError, match="a folder of the collection"):
        AccessRules.from_json({"folders": {"/etc": "team"}})
    with pytest.raises(ConfigError, match="unreviewed"):
        AccessRules.from_json({"unreviewed": "publish"})
    with pytest.raises(ConfigError, match="names the level it ends in"):
        AccessRules.from_json({"collections": {"x": {"embargo": "2030-01-01"}}})
