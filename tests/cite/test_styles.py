"""Reference entries and in-text citations in Chicago, APA and GB/T 7714, against strings
written by hand from the style guides.

The expected strings were written from the rules, not copied from the code's output:

* Chicago Manual of Style, 17th ed., author-date: names 15.9 and 15.12 (a Chinese name is not
  inverted), year 15.44, titles 14.94 and 8.159, translated titles in brackets after the
  quotation marks 14.98 and 14.194, theses 15.46, journals 15.47 (``no.`` when there is no
  volume), newspapers and web sites 15.49 and 15.51, page ranges 9.61, in-text 15.23–15.29;
  as China scholars write it, the romanized name is followed by the characters.
* APA 7th ed.: names 9.8, dates 9.14–9.17, titles 9.19 and translations 9.38, theses 10.6,
  journal source 9.25–9.26, URLs 9.35, in-text 8.17; names again followed by characters.
* GB/T 7714-2015 author-date: names 8.1 (Chinese family name first, Latin family name in
  capitals with initials, more than three names give three and 等 or et al.), type codes of
  Appendix B ([D], [J], [N], [M], [EB/OL]), journal ``刊名, 卷(期): 页码``, newspaper
  ``报纸名, 月-日(版次)``, electronic resource ``(更新日期)[引用日期]. URL``; in-text 10.2.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from shiliao.cite.csl import load_bibliography
from shiliao.cite.reference import in_text, plain_text, reference_runs
from shiliao.cite.runs import Run
from tests.cite.records import (
    FOUR_AUTHORS_EN,
    FOUR_AUTHORS_ZH,
    JOURNAL,
    NEWS_PAGE,
    NEWSPAPER,
    THESIS,
    UYGHUR_AUTHOR,
)

SAMPLE = Path(__file__).resolve().parents[2].parent / "shared" / "samples" / "jieqin"
INCOMPLETE = (
    "Record incomplete: only the author and year given in the section are known; "
    "title and venue not yet recovered."
)
ARCHIVED = (
    "https://web.archive.org/web/20240502081500/"
    "http://www.xinhuanet.com/politics/2014-04/30/c_1110490745.htm"
)
XINHUA_URL = "http://www.xinhuanet.com/politics/2014-04/30/c_1110490745.htm"

REFERENCES = [
    # A master's thesis.
    (
        THESIS,
        "chicago",
        "Wang Juan 王娟. 2019. “民族团结一家亲活动中的干部与群众关系研究——以石河子市为例” "
        "[Cadre–masses relations in the Ethnic Unity as One Family activity: The case of "
        "Shihezi]. Master’s thesis, Shihezi University.",
    ),
    (
        THESIS,
        "apa",
        "Wang, J. 王娟. (2019). 民族团结一家亲活动中的干部与群众关系研究——以石河子市为例 "
        "[Cadre–masses relations in the Ethnic Unity as One Family activity: The case of "
        "Shihezi] [Master’s thesis, Shihezi University].",
    ),
    (
        THESIS,
        "gb7714",
        "王娟, 2019. 民族团结一家亲活动中的干部与群众关系研究——以石河子市为例[D]. "
        "石河子: 石河子大学.",
    ),
    # A journal article with no volume number, whose title quotes a slogan.
    (
        JOURNAL,
        "chicago",
        "Yao Wei 姚伟 and Zhang Li 张丽. 2016. “新疆‘民族团结一家亲’活动的实践与思考” "
        "[The practice of the “Ethnic Unity as One Family” activity in Xinjiang]. "
        "Xinjiang shehui kexue 新疆社会科学, no. 6: 12–18.",
    ),
    (
        JOURNAL,
        "apa",
        "Yao, W. 姚伟, & Zhang, L. 张丽. (2016). 新疆“民族团结一家亲”活动的实践与思考 "
        "[The practice of the “Ethnic Unity as One Family” activity in Xinjiang]. "
        "Xinjiang shehui kexue 新疆社会科学, (6), 12–18.",
    ),
    (
        JOURNAL,
        "gb7714",
        "姚伟, 张丽, 2016. 新疆“民族团结一家亲”活动的实践与思考[J]. 新疆社会科学(6): 12-18.",
    ),
    # A news web page with an archived copy.
    (
        NEWS_PAGE,
        "chicago",
        "Xinhua News Agency 新华社. 2014. “习近平在新疆考察时强调 坚持依法治疆团结稳疆长期建疆” "
        "[Xi Jinping stresses governing Xinjiang by law during inspection tour]. "
        f"Xinhua Net 新华网, April 30, 2014. {XINHUA_URL}. Archived May 2, 2024, at {ARCHIVED}.",
    ),
    (
        NEWS_PAGE,
        "apa",
        "Xinhua News Agency 新华社. (2014, April 30). "
        "习近平在新疆考察时强调 坚持依法治疆团结稳疆长期建疆 "
        "[Xi Jinping stresses governing Xinjiang by law during inspection tour]. "
        f"Xinhua Net 新华网. {XINHUA_URL} (archived May 2, 2024, at {ARCHIVED})",
    ),
    (
        NEWS_PAGE,
        "gb7714",
        "新华社, 2014. 习近平在新疆考察时强调 坚持依法治疆团结稳疆长期建疆[EB/OL]. "
        f"(2014-04-30)[2024-05-02]. {XINHUA_URL}. 存档于2024-05-02: {ARCHIVED}.",
    ),
    # Four authors, Chinese: all named in Chicago and APA, three and 等 in GB/T.
    (
        FOUR_AUTHORS_ZH,
        "chicago",
        "Zeng Ming 曾明, Shan Li 单丽, Xie Hong 解红, and Qiu Wei 仇伟. 2021. "
        "“南疆四地州‘访惠聚’驻村工作成效评估” [Assessing the village work of the “Visit, "
        "Benefit, Unite” teams in the four prefectures of southern Xinjiang]. "
        "Minzu yanjiu 民族研究, no. 3: 45–58.",
    ),
    (
        FOUR_AUTHORS_ZH,
        "apa",
        "Zeng, M. 曾明, Shan, L. 单丽, Xie, H. 解红, & Qiu, W. 仇伟. (2021). "
        "南疆四地州“访惠聚”驻村工作成效评估 [Assessing the village work of the “Visit, "
        "Benefit, Unite” teams in the four prefectures of southern Xinjiang]. "
        "Minzu yanjiu 民族研究, (3), 45–58.",
    ),
    (
        FOUR_AUTHORS_ZH,
        "gb7714",
        "曾明, 单丽, 解红, 等, 2021. 南疆四地州“访惠聚”驻村工作成效评估[J]. 民族研究(3): 45-58.",
    ),
    # Four authors, English: et al. in GB/T; headline case in Chicago; CMOS 9.61 pages.
    (
        FOUR_AUTHORS_EN,
        "chicago",
        "Harper, Ellen M., Adil Osman, Wei Chen, and Petra Novak. 2022. “Kinship by Decree: "
        "Homestays and Surveillance in Rural Xinjiang.” Journal of Contemporary China 31 "
        "(136): 567–84.",
    ),
    (
        FOUR_AUTHORS_EN,
        "apa",
        "Harper, E. M., Osman, A., Chen, W., & Novak, P. (2022). Kinship by decree: Homestays "
        "and surveillance in rural Xinjiang. Journal of Contemporary China, 31(136), 567–584.",
    ),
    (
        FOUR_AUTHORS_EN,
        "gb7714",
        "HARPER E M, OSMAN A, CHEN W, et al., 2022. Kinship by decree: Homestays and "
        "surveillance in rural Xinjiang[J]. Journal of Contemporary China, 31(136): 567-584.",
    ),
    # A Uyghur author: the name in Chinese transliteration and in Uyghur Latin script.
    (
        UYGHUR_AUTHOR,
        "chicago",
        "Tursun, Abdurehman 阿布都热合曼·吐尔逊. 2018. 新时代新疆民族团结工作研究 "
        "[Ethnic unity work in Xinjiang in the new era]. Ürümqi: Xinjiang renmin chubanshe.",
    ),
    (
        UYGHUR_AUTHOR,
        "apa",
        "Tursun, A. 阿布都热合曼·吐尔逊. (2018). 新时代新疆民族团结工作研究 "
        "[Ethnic unity work in Xinjiang in the new era]. Xinjiang renmin chubanshe.",
    ),
    (
        UYGHUR_AUTHOR,
        "gb7714",
        "阿布都热合曼·吐尔逊, 2018. 新时代新疆民族团结工作研究[M]. 乌鲁木齐: 新疆人民出版社.",
    ),
    # A printed newspaper article: no page in Chicago (14.191), [N] and 月-日(版) in GB/T.
    (
        NEWSPAPER,
        "chicago",
        "Liu Xiaoming 刘晓明. 2017. “新疆百万干部职工与各族群众结对认亲” [A million cadres "
        "and workers in Xinjiang pair up with families of all ethnic groups]. "
        "Renmin ribao 人民日报, January 5, 2017.",
    ),
    (
        NEWSPAPER,
        "apa",
        "Liu, X. 刘晓明. (2017, January 5). 新疆百万干部职工与各族群众结对认亲 [A million "
        "cadres and workers in Xinjiang pair up with families of all ethnic groups]. "
        "Renmin ribao 人民日报, 4.",
    ),
    (
        NEWSPAPER,
        "gb7714",
        "刘晓明, 2017. 新疆百万干部职工与各族群众结对认亲[N]. 人民日报, 01-05(4).",
    ),
]

CITATIONS = [
    (THESIS, ("(Wang 2019)", "(Wang, 2019)", "(王娟, 2019)")),
    (JOURNAL, ("(Yao and Zhang 2016)", "(Yao & Zhang, 2016)", "(姚伟 等, 2016)")),
    (
        NEWS_PAGE,
        ("(Xinhua News Agency 2014)", "(Xinhua News Agency, 2014)", "(新华社, 2014)"),
    ),
    (FOUR_AUTHORS_ZH, ("(Zeng et al. 2021)", "(Zeng et al., 2021)", "(曾明 等, 2021)")),
    (FOUR_AUTHORS_EN, ("(Harper et al. 2022)", "(Harper et al., 2022)", "(Harper et al., 2022)")),
    (UYGHUR_AUTHOR, ("(Tursun 2018)", "(Tursun, 2018)", "(阿布都热合曼·吐尔逊, 2018)")),
    (NEWSPAPER, ("(Liu 2017)", "(Liu, 2017)", "(刘晓明, 2017)")),
]


@pytest.mark.parametrize(
    ("item", "style", "expected"),
    REFERENCES,
    ids=[f"{item['id']}-{style}" for item, style, _ in REFERENCES],
)
def test_reference_entries(item: dict, style: str, expected: str) -> None:
    assert plain_text(reference_runs(item, style)) == expected


@pytest.mark.parametrize(("item", "expected"), CITATIONS, ids=[item["id"] for item, _ in CITATIONS])
def test_in_text_citations(item: dict, expected: tuple[str, str, str]) -> None:
    assert (in_text(item, "chicago"), in_text(item, "apa"), in_text(item, "gb7714")) == expected


def test_locators_and_year_letters() -> None:
    assert in_text(THESIS, "chicago", "a", "14") == "(Wang 2019a, 14)"
    assert in_text(THESIS, "apa", "a", "p. 14") == "(Wang, 2019a, p. 14)"
    # GB/T 7714-2015 §10.2.4: the page as a superscript after the parenthesis.
    assert in_text(THESIS, "gb7714", "a", "27") == "(王娟, 2019a)²⁷"
    assert plain_text(reference_runs(THESIS, "gb7714", "a")).startswith("王娟, 2019a. ")


def test_italics_leave_characters_roman() -> None:
    # Journal and volume in italics (Chicago 14.171, APA 9.25); Han text has no italics.
    assert reference_runs(FOUR_AUTHORS_EN, "apa")[1:4] == [
        Run("Journal of Contemporary China", "italic"),
        Run(", "),
        Run("31", "italic"),
    ]
    runs = reference_runs(JOURNAL, "chicago")
    assert Run("Xinjiang shehui kexue", "italic") in runs
    assert all("新疆社会科学" not in run.text for run in runs if run.style == "italic")
    links = [run.text for run in reference_runs(NEWS_PAGE, "apa") if run.style == "link"]
    assert links == [XINHUA_URL, ARCHIVED]


def sample() -> dict[str, dict]:
    path = SAMPLE / "bibliography.json"
    return {item["id"]: item for item in load_bibliography(path.read_bytes(), str(path))}


@pytest.mark.parametrize(
    ("entry_id", "style", "expected"),
    [
        ("chang-2020", "chicago", f"Chang. 2020. {INCOMPLETE}"),
        ("chang-2020", "apa", f"Chang. (2020). {INCOMPLETE}"),
        ("chang-2020", "gb7714", f"CHANG, 2020. {INCOMPLETE}"),
        ("yao-zhang-2016", "chicago", f"Yao and Zhang. 2016. {INCOMPLETE}"),
        ("yao-zhang-2016", "apa", f"Yao, & Zhang. (2016). {INCOMPLETE}"),
        ("yao-zhang-2016", "gb7714", f"YAO, ZHANG, 2016. {INCOMPLETE}"),
        ("xinhuanet-2014", "chicago", f"Xinhua Net. 2014. 新华网. {INCOMPLETE}"),
        ("xinhuanet-2014", "apa", f"Xinhua Net. (2014). 新华网. {INCOMPLETE}"),
        (
            "fig-4-jieqin-mandarin",
            "chicago",
            "“结亲,我只服你:和亲戚把日子过成一首诗.” n.d. Source of a figure in the section; "
            "publisher, date and address not yet recovered.",
        ),
        (
            "fig-4-jieqin-mandarin",
            "gb7714",
            "佚名. 结亲,我只服你:和亲戚把日子过成一首诗[EB/OL]. Source of a figure in the "
            "section; publisher, date and address not yet recovered.",
        ),
    ],
)
def test_sample_entries(entry_id: str, style: str, expected: str) -> None:
    assert plain_text(reference_runs(sample()[entry_id], style)) == expected


def test_gb7714_online_works_carry_their_citation_date() -> None:
    # GB/T 7714-2015 §8.8.2: 题名[文献类型标识/OL]. (更新或修改日期)[引用日期]. 获取和访问路径.
    page = {
        "id": "jieqin-week",
        "type": "webpage",
        "title": "结亲周",
        "author": [{"literal": "新华网"}],
        "issued": {"date-parts": [[2019, 5, 3]]},
        "accessed": {"date-parts": [[2024, 5, 1]]},
        "URL": "https://example.cn/%E6%96%B0%E9%97%BB/2019",
        "language": "zh",
    }
    assert plain_text(reference_runs(page, "gb7714")) == (
        "新华网, 2019. 结亲周[EB/OL]. (2019-05-03)[2024-05-01]. https://example.cn/新闻/2019."
    )
    year_only = {**page, "issued": {"date-parts": [[2019]]}}
    assert plain_text(reference_runs(year_only, "gb7714")) == (
        "新华网, 2019. 结亲周[EB/OL]. [2024-05-01]. https://example.cn/新闻/2019."
    )
    # Without an access date, the archived copy's capture is when the text cited was read.
    copy = {"archived-url": "https://archive.example/jieqin", "archived-date": "2024-05-02"}
    archived = {key: value for key, value in page.items() if key != "accessed"}
    archived["custom"] = copy
    assert plain_text(reference_runs(archived, "gb7714")) == (
        "新华网, 2019. 结亲周[EB/OL]. (2019-05-03)[2024-05-02]. https://example.cn/新闻/2019. "
        "存档于2024-05-02: https://archive.example/jieqin."
    )
    article = {
        "id": "zhang-2019",
        "type": "article-journal",
        "title": "论结亲",
        "author": [{"family": "张", "given": "三"}],
        "container-title": "新疆社会科学",
        "volume": "3",
        "issue": "2",
        "page": "1-9",
        "issued": {"date-parts": [[2019]]},
        "accessed": {"date-parts": [[2024, 5, 1]]},
        "URL": "https://example.cn/论文",
    }
    assert plain_text(reference_runs(article, "gb7714")) == (
        "张三, 2019. 论结亲[J/OL]. 新疆社会科学, 3(2): 1-9[2024-05-01]. https://example.cn/论文."
    )
    # Read in its archived copy only: online too.
    book = {
        "id": "zhang-2020",
        "type": "book",
        "title": "结亲研究",
        "author": [{"family": "张", "given": "三"}],
        "publisher": "新疆人民出版社",
        "publisher-place": "乌鲁木齐",
        "issued": {"date-parts": [[2020]]},
        "custom": copy,
    }
    assert plain_text(reference_runs(book, "gb7714")) == (
        "张三, 2020. 结亲研究[M/OL]. 乌鲁木齐: 新疆人民出版社[2024-05-02]. "
        "存档于2024-05-02: https://archive.example/jieqin."
    )
    # Not online: no date in brackets.
    printed = {key: value for key, value in book.items() if key != "custom"}
    assert plain_text(reference_runs(printed, "gb7714")) == (
        "张三, 2020. 结亲研究[M]. 乌鲁木齐: 新疆人民出版社."
    )
