"""Names of the downloadable copies of originals."""

from __future__ import annotations

from shiliao.publish.files import download_name

SHA = "ab" * 32


def test_plain_names_are_kept() -> None:
    assert download_name("report-2016.pdf", SHA, "application/pdf") == "report-2016.pdf"
    assert download_name("corpus.jsonl", SHA, "application/jsonl") == "corpus.jsonl"


def test_other_names_become_the_digest() -> None:
    assert download_name("报告.pdf", SHA, "application/pdf") == f"{SHA}.pdf"
    assert download_name("a b.txt", SHA, "text/plain") == f"{SHA}.txt"
    assert download_name("..", SHA, None) == SHA
    assert download_name("dir/../x.pdf", SHA, None) == "x.pdf"
    assert download_name(None, SHA, None) == SHA
    assert download_name(".hidden", SHA, None) == SHA


def test_files_a_browser_would_run_are_served_as_text() -> None:
    assert download_name("page.html", SHA, "text/html") == "page.html.txt"
    assert download_name("logo.svg", SHA, "image/svg+xml") == "logo.svg.txt"
    assert download_name("报告.htm", SHA, None) == f"{SHA}.htm.txt"
    assert download_name("page", SHA, "text/html; charset=gbk") == "page.txt"
