"""Web addresses: IRIs in the text styles, URIs in BibTeX and RIS (RFC 3987 §3.1, §3.2)."""

from __future__ import annotations

import pytest

from shiliao.cite.exchange import read_bibliography, write_bibliography
from shiliao.cite.iri import to_iri, to_uri
from shiliao.cite.reference import STYLES, plain_text, reference_runs

ENCODED = "https://example.cn/%E6%96%B0%E9%97%BB/2019"
READABLE = "https://example.cn/新闻/2019"


@pytest.mark.parametrize(
    ("address", "iri"),
    [
        (ENCODED, READABLE),
        (READABLE, READABLE),
        ("https://example.cn/%e6%96%b0%e9%97%bb/2019", READABLE),
        # Encoded ASCII keeps its meaning only encoded: a slash in a segment, a space.
        ("https://example.cn/a%2Fb/%E6%96%B0%20%E9%97%BB", "https://example.cn/a%2Fb/新%20闻"),
        # Not UTF-8 (新闻 in GBK): left as it is.
        ("https://example.cn/%D0%C2%CE%C5", "https://example.cn/%D0%C2%CE%C5"),
        # An ideographic space, a right-to-left mark: encoded, decoded or not.
        ("https://example.cn/a%E3%80%80b", "https://example.cn/a%E3%80%80b"),
        ("https://example.cn/a\u3000b\u200fc", "https://example.cn/a%E3%80%80b%E2%80%8Fc"),
        ("https://example.cn/新闻?q=a b", "https://example.cn/新闻?q=a%20b"),
        ("https://example.cn/a<b>", "https://example.cn/a%3Cb%3E"),
        ("https://example.cn/100%", "https://example.cn/100%25"),
        ("  https://例子.中国/%E6%96%B0  ", "https://例子.中国/新"),
    ],
)
def test_to_iri(address: str, iri: str) -> None:
    assert to_iri(address) == iri


@pytest.mark.parametrize(
    ("address", "uri"),
    [
        (READABLE, ENCODED),
        (ENCODED, ENCODED),
        ("https://example.cn/新闻?q=a b#第2节", f"{ENCODED[:-5]}?q=a%20b#%E7%AC%AC2%E8%8A%82"),
        ("https://例子.中国/新", "https://xn--fsqu00a.xn--fiqs8s/%E6%96%B0"),
        ("https://user@例子.中国:8080/", "https://user@xn--fsqu00a.xn--fiqs8s:8080/"),
        ("https://example.cn/{a}|100%", "https://example.cn/%7Ba%7D%7C100%25"),
    ],
)
def test_to_uri(address: str, uri: str) -> None:
    assert to_uri(address) == uri


ONLINE = {
    "id": "news-2019",
    "type": "webpage",
    "title": "结亲周",
    "author": [{"literal": "新华网"}],
    "issued": {"date-parts": [[2019, 5, 3]]},
    "accessed": {"date-parts": [[2024, 5, 1]]},
    "URL": ENCODED,
    "language": "zh",
    "custom": {
        "archived-url": "https://web.archive.org/web/2024/https://example.cn/新闻/2019",
        "archived-date": "2024-05-02",
    },
}


@pytest.mark.parametrize("style", STYLES)
def test_text_styles_print_the_iri(style: str) -> None:
    text = plain_text(reference_runs(ONLINE, style))
    assert READABLE in text
    assert "https://web.archive.org/web/2024/https://example.cn/新闻/2019" in text
    assert "%E6" not in text
    links = [run.text for run in reference_runs(ONLINE, style) if run.style == "link"]
    assert links == [READABLE, "https://web.archive.org/web/2024/https://example.cn/新闻/2019"]


def test_bibtex_and_ris_carry_the_uri() -> None:
    item = {**ONLINE, "URL": READABLE}
    bibtex = write_bibliography([item], "bibtex").splitlines()
    assert f"  url = {{{ENCODED}}}," in bibtex
    archived = "https://web.archive.org/web/2024/https://example.cn/%E6%96%B0%E9%97%BB/2019"
    assert f"  archived-url = {{{archived}}}," in bibtex
    ris = write_bibliography([item], "ris").splitlines()
    assert f"UR  - {ENCODED}" in ris
    # Read back, the address is the URI, which the styles print as the IRI again.
    for fmt in ("bibtex", "ris"):
        [back] = read_bibliography(write_bibliography([item], fmt).encode(), f"x.{fmt}", fmt)
        assert back["URL"] == ENCODED
        assert READABLE in plain_text(reference_runs(back, "gb7714"))
