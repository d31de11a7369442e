"""Chinese names exported by Zotero as one field: divided on import, kept whole on export."""

from __future__ import annotations

import json

import pytest

from shiliao.cite.exchange import read_bibliography, write_bibliography
from shiliao.cite.names import split_han_name
from shiliao.cite.reference import format_bibliography, plain_text, reference_runs


@pytest.mark.parametrize(
    ("written", "parts"),
    [
        ("司马光", ("司马", "光")),
        ("欧阳修", ("欧阳", "修")),
        ("欧阳修文", ("欧阳", "修文")),
        ("诸葛亮", ("诸葛", "亮")),
        ("歐陽修", ("歐陽", "修")),
        ("张三", ("张", "三")),
        ("張三", ("張", "三")),
        ("李世民", ("李", "世民")),
        ("曾明", ("曾", "明")),
        (" 王娟 ", ("王", "娟")),
        # A compound surname alone, or a single surname and a given name: cannot tell.
        ("司马", None),
        ("欧阳", None),
        ("夏雨", None),
        # Four characters without a compound surname: two surnames, a clan name, a
        # transliteration.
        ("范徐丽泰", None),
        ("爱新觉罗", None),
        # Not a common surname first: a transliterated name.
        ("买买提", None),
        ("阿布都热合曼·吐尔逊", None),
        # Institutions: an institutional ending, or longer than a personal name.
        ("新华社", None),
        ("人民网", None),
        ("国务院", None),
        ("外交部", None),
        ("石河子大学", None),
        ("新疆维吾尔自治区人民政府", None),
        ("王府井百货公司", None),
        # Not characters alone.
        ("张 三", None),
        ("Xinhua Net", None),
        ("张3", None),
        ("张", None),
    ],
)
def test_split_han_name(written: str, parts: tuple[str, str] | None) -> None:
    assert split_han_name(written) == parts


SIMA = {"family": "司马", "given": "光", "literal": "司马光"}
ZHANG = {"family": "张", "given": "三", "literal": "张三"}


@pytest.mark.parametrize(
    ("fmt", "data"),
    [
        (
            "csl-json",
            json.dumps(
                [
                    {
                        "id": "sima",
                        "type": "book",
                        "title": "资治通鉴",
                        "author": [{"literal": "司马光"}, {"literal": "新华社"}],
                        "editor": [{"family": "张三"}],
                        "custom": {"supervisor": [{"literal": "司马"}]},
                    }
                ],
                ensure_ascii=False,
            ),
        ),
        (
            "bibtex",
            "@book{sima,\n  title = {资治通鉴},\n  author = {司马光 and {新华社}},\n"
            "  editor = {{张三}},\n  supervisor = {{司马}}\n}\n",
        ),
        (
            "ris",
            "TY  - BOOK\nID  - sima\nTI  - 资治通鉴\nAU  - 司马光\nAU  - 新华社\nA2  - 张三\n"
            "A3  - 司马\nER  - \n",
        ),
    ],
)
def test_single_field_names_are_divided_on_import_and_written_back_whole(
    fmt: str, data: str
) -> None:
    [item] = read_bibliography(data.encode(), f"zotero.{fmt}", fmt)
    assert item["author"] == [SIMA, {"literal": "新华社"}]
    assert item["editor"] == [ZHANG]
    assert item["custom"]["supervisor"] == [{"literal": "司马"}]
    # Written back as the single field it came as, and read back to the same item.
    text = write_bibliography([item], fmt)
    if fmt == "bibtex":
        assert "  author = {{司马光} and {新华社}}," in text.splitlines()
    if fmt == "ris":
        assert "AU  - 司马光" in text.splitlines()
    assert read_bibliography(text.encode(), f"again.{fmt}", fmt) == [item]


def test_a_divided_name_is_read_by_its_parts() -> None:
    records = (
        "TY  - BOOK\nTI  - 乙\nAU  - 曾明\nPY  - 2020\nER  - \n"
        "TY  - BOOK\nTI  - 甲\nAU  - 陈红\nPY  - 2020\nER  - \n"
    )
    zeng, chen = read_bibliography(records.encode(), "x.ris")
    assert zeng["author"] == [{"family": "曾", "given": "明", "literal": "曾明"}]
    # 曾 as a surname is Zēng, after 陈 Chén; read whole it would be céng, before it.
    order = [entry.id for entry in format_bibliography([zeng, chen], "gb7714")]
    assert order == [chen["id"], zeng["id"]]
    sima = {
        "id": "sima",
        "type": "book",
        "title": "资治通鉴",
        "author": [dict(SIMA)],
        "issued": {"date-parts": [[1084]]},
        "language": "zh",
        "custom": {"author-romanized": [{"family": "Sima", "given": "Guang"}]},
    }
    # Chinese order, without a comma, though the name kept its literal.
    assert plain_text(reference_runs(sima, "chicago")).startswith("Sima Guang 司马光. 1084.")
    assert plain_text(reference_runs(sima, "apa")).startswith("Sima, G. 司马光. (1084).")
    assert plain_text(reference_runs(sima, "gb7714")).startswith("司马光, 1084. 资治通鉴[M].")
