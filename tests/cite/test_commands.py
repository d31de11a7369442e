"""The citation commands: ``shiliao cite``, ``export`` and ``import-bib``."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from shiliao.cite.exchange import read_bibliography
from shiliao.cli import main
from tests.cite.records import NEWSPAPER, write_collection
from tests.cite.test_exchange import ZOTERO_BIB


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("commands")
    collection = write_collection(base / "collection")
    run("build", str(collection), "--archive", str(base / "a"), "--out", str(base / "s"), "--json")
    return {"collection": collection, "archive": base / "a", "site": base / "s", "base": base}


def test_cite_a_bibliography_entry_in_each_style(built: dict[str, Path]) -> None:
    archive = str(built["archive"])
    assert run("cite", archive, "liu-2017", "--style", "gb7714").splitlines() == [
        "刘晓明, 2017. 新疆百万干部职工与各族群众结对认亲[N]. 人民日报, 01-05(4).",
        "(刘晓明, 2017)",
    ]
    assert run("cite", archive, "liu-2017").splitlines()[1] == "(Liu 2017)"
    assert run("cite", archive, "liu-2017", "--style", "apa").splitlines()[1] == "(Liu, 2017)"
    text = run("cite", archive, "liu-2017", "--format", "bibtex")
    assert read_bibliography(text.encode(), "x.bib") == [NEWSPAPER]


def test_cite_a_source_with_its_archived_copy(built: dict[str, Path]) -> None:
    archive = str(built["archive"])
    without = run("cite", archive, "xinhua", "--style", "apa").splitlines()[0]
    assert "archived" not in without
    entry = run(
        "cite", archive, "xinhua", "--style", "apa", "--site-url", "https://example.org/j"
    ).splitlines()[0]
    assert entry.endswith("(archived May 2, 2024, at https://example.org/j/sources/xinhua/)")
    [item] = json.loads(run("cite", archive, "xinhua", "--format", "csl-json"))
    assert item["id"] == "xinhua" and item["type"] == "webpage"


def test_cite_an_unknown_id_says_what_to_do(built: dict[str, Path]) -> None:
    result = CliRunner().invoke(main, ["cite", str(built["archive"]), "nobody"])
    assert result.exit_code == 1
    assert "no source or bibliography entry 'nobody'" in result.output


def test_export_writes_entries_and_sources(built: dict[str, Path]) -> None:
    # Into a folder that does not exist yet, as the bag and WACZ exports are.
    out = built["base"] / "exports" / "2026" / "all.ris"
    run("export", str(built["archive"]), str(out), "--format", "ris")
    items = read_bibliography(out.read_bytes(), str(out))
    # A new file is as readable as any other the user makes (0666 less the umask).
    mask = os.umask(0o022)
    os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~mask
    assert [item["id"] for item in items] == ["liu-2017", "xinhua"]
    assert run("export", str(built["archive"]), "-", "--format", "bibtex").count("\n@") == 1


def test_import_bib_merges_into_the_collection_and_survives_the_next_build(
    built: dict[str, Path],
) -> None:
    zotero = built["base"] / "Zotero.bib"
    zotero.write_text(ZOTERO_BIB, encoding="utf-8")
    collection, archive = str(built["collection"]), str(built["archive"])
    output = run("import-bib", collection, str(zotero))
    assert output.splitlines()[0].endswith("3 added, 0 updated, 0 unchanged")
    run("build", collection, "--archive", archive, "--out", str(built["site"]), "--json")
    entry = run("cite", archive, "wangMinzuTuanjieYijiaqin2019", "--style", "gb7714")
    assert entry.splitlines()[0] == (
        "王娟, 2019. 民族团结一家亲活动中的干部与群众关系研究——以石河子市为例[D]. "
        "石河子: 石河子大学."
    )
    again = run("import-bib", collection, str(zotero))
    assert again.splitlines()[0].endswith("0 added, 0 updated, 3 unchanged")


def test_build_prints_each_citation_warning_once(tmp_path: Path) -> None:
    # The ingest and the site both check an essay's citations and the bibliography's ids.
    collection = write_collection(tmp_path / "collection")
    essay = collection / "essays" / "test.md"
    essay.write_text(
        essay.read_text(encoding="utf-8") + "Unmatched (Nobody, 2001) and （张三，2020）.\n",
        encoding="utf-8",
    )
    clash = {"id": "xinhua", "type": "book", "title": "Clash", "author": [{"family": "Ma"}]}
    (collection / "bibliography.json").write_text(
        json.dumps([NEWSPAPER, clash], ensure_ascii=False), encoding="utf-8"
    )
    result = CliRunner().invoke(
        main,
        ["build", str(collection), "--archive", str(tmp_path / "a"), "--out", str(tmp_path / "s")],
    )
    assert result.exit_code == 0, result.output
    # The console wraps long lines wherever it likes: compare without white space.
    printed = "".join(result.output.split())
    expected = [
        "bibliography.json: entry 'xinhua' has the id of an archived source; "
        "[@xinhua] cites the entry, not the source",
        # The entry, not the source, has the id now, and it is not by Xinhua.
        "essays/test.md:4: citation (Xinhua News Agency, 2014) matches no bibliography entry",
        "essays/test.md:5: citation (Nobody, 2001) matches no bibliography entry",
        "essays/test.md:5: citation （张三，2020） matches no bibliography entry",
    ]
    assert [printed.count("".join(warning.split())) for warning in expected] == [1, 1, 1, 1]
    assert "4warning(s):" in printed
