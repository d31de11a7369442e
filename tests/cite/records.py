"""CSL-JSON records of the kinds the sample bibliography lacks, written as a curator would.

Real-looking, not real: the titles follow the patterns of Chinese master's theses and journal
articles about the campaign; the names are common names; the addresses are illustrative.
"""

from __future__ import annotations

import json
from pathlib import Path

THESIS = {
    "id": "wang-juan-2019",
    "type": "thesis",
    "genre": "硕士学位论文",
    "author": [{"family": "王", "given": "娟"}],
    "title": "民族团结一家亲活动中的干部与群众关系研究——以石河子市为例",
    "publisher": "石河子大学",
    "publisher-place": "石河子",
    "issued": {"date-parts": [[2019]]},
    "language": "zh-Hans",
    "custom": {
        "author-romanized": [{"family": "Wang", "given": "Juan"}],
        "title-translated": (
            "Cadre–masses relations in the Ethnic Unity as One Family activity: The case of Shihezi"
        ),
        "supervisor": [{"family": "李", "given": "新"}],
        "supervisor-romanized": [{"family": "Li", "given": "Xin"}],
        "publisher-romanized": "Shihezi University",
    },
}

JOURNAL = {
    "id": "yao-zhang-2016-practice",
    "type": "article-journal",
    "author": [{"family": "姚", "given": "伟"}, {"family": "张", "given": "丽"}],
    "title": "新疆“民族团结一家亲”活动的实践与思考",
    "container-title": "新疆社会科学",
    "issue": "6",
    "page": "12-18",
    "issued": {"date-parts": [[2016, 11]]},
    "language": "zh-Hans",
    "custom": {
        "author-romanized": [{"family": "Yao", "given": "Wei"}, {"family": "Zhang", "given": "Li"}],
        "title-translated": (
            "The practice of the “Ethnic Unity as One Family” activity in Xinjiang"
        ),
        "container-title-romanized": "Xinjiang shehui kexue",
    },
}

NEWS_PAGE = {
    "id": "xinhua-2014-xi-xinjiang",
    "type": "webpage",
    "author": [{"literal": "新华社"}],
    "title": "习近平在新疆考察时强调 坚持依法治疆团结稳疆长期建疆",
    "container-title": "新华网",
    "issued": {"date-parts": [[2014, 4, 30]]},
    "accessed": {"date-parts": [[2024, 5, 2]]},
    "URL": "http://www.xinhuanet.com/politics/2014-04/30/c_1110490745.htm",
    "language": "zh-Hans",
    "custom": {
        "author-romanized": [{"literal": "Xinhua News Agency"}],
        "container-title-romanized": "Xinhua Net",
        "title-translated": "Xi Jinping stresses governing Xinjiang by law during inspection tour",
        "archived-url": (
            "https://web.archive.org/web/20240502081500/"
            "http://www.xinhuanet.com/politics/2014-04/30/c_1110490745.htm"
        ),
        "archived-date": "2024-05-02",
    },
}

FOUR_AUTHORS_ZH = {
    "id": "zeng-2021",
    "type": "article-journal",
    "author": [
        {"family": "曾", "given": "明"},
        {"family": "单", "given": "丽"},
        {"family": "解", "given": "红"},
        {"family": "仇", "given": "伟"},
    ],
    "title": "南疆四地州“访惠聚”驻村工作成效评估",
    "container-title": "民族研究",
    "issue": "3",
    "page": "45-58",
    "issued": {"date-parts": [[2021]]},
    "language": "zh-Hans",
    "custom": {
        "author-romanized": [
            {"family": "Zeng", "given": "Ming"},
            {"family": "Shan", "given": "Li"},
            {"family": "Xie", "given": "Hong"},
            {"family": "Qiu", "given": "Wei"},
        ],
        "title-translated": (
            "Assessing the village work of the “Visit, Benefit, Unite” teams in the four "
            "prefectures of southern Xinjiang"
        ),
        "container-title-romanized": "Minzu yanjiu",
    },
}

FOUR_AUTHORS_EN = {
    "id": "harper-2022",
    "type": "article-journal",
    "author": [
        {"family": "Harper", "given": "Ellen M."},
        {"family": "Osman", "given": "Adil"},
        {"family": "Chen", "given": "Wei"},
        {"family": "Novak", "given": "Petra"},
    ],
    "title": "Kinship by decree: Homestays and surveillance in rural Xinjiang",
    "container-title": "Journal of Contemporary China",
    "volume": "31",
    "issue": "136",
    "page": "567-584",
    "issued": {"date-parts": [[2022]]},
    "language": "en",
}

UYGHUR_AUTHOR = {
    "id": "tursun-2018",
    "type": "book",
    "author": [{"literal": "阿布都热合曼·吐尔逊"}],
    "title": "新时代新疆民族团结工作研究",
    "publisher": "新疆人民出版社",
    "publisher-place": "乌鲁木齐",
    "issued": {"date-parts": [[2018]]},
    "language": "zh-Hans",
    "custom": {
        "author-romanized": [{"family": "Tursun", "given": "Abdurehman"}],
        "title-translated": "Ethnic unity work in Xinjiang in the new era",
        "publisher-romanized": "Xinjiang renmin chubanshe",
        "publisher-place-romanized": "Ürümqi",
    },
}

NEWSPAPER = {
    "id": "liu-2017",
    "type": "article-newspaper",
    "author": [{"family": "刘", "given": "晓明"}],
    "title": "新疆百万干部职工与各族群众结对认亲",
    "container-title": "人民日报",
    "page": "4",
    "issued": {"date-parts": [[2017, 1, 5]]},
    "language": "zh-Hans",
    "custom": {
        "author-romanized": [{"family": "Liu", "given": "Xiaoming"}],
        "title-translated": (
            "A million cadres and workers in Xinjiang pair up with families of all ethnic groups"
        ),
        "container-title-romanized": "Renmin ribao",
    },
}

RECORDS = [THESIS, JOURNAL, NEWS_PAGE, FOUR_AUTHORS_ZH, FOUR_AUTHORS_EN, UYGHUR_AUTHOR, NEWSPAPER]


def write_collection(folder: Path, style: str = "gb7714") -> Path:
    """A one-source collection: a news page with its sidecar, an essay citing it by id and by
    name, the NEWSPAPER record as its bibliography, and ``[cite]`` settings."""
    (folder / "sources").mkdir(parents=True)
    (folder / "essays").mkdir()
    (folder / "sources" / "xinhua.html").write_text(
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>新闻</title>'
        "</head><body><article><h1>习近平在新疆考察时强调</h1><p>新华社乌鲁木齐4月30日电 "
        "习近平在新疆考察时强调，民族团结是各族人民的生命线。</p></article></body></html>\n",
        encoding="utf-8",
    )
    (folder / "sources" / "xinhua.html.yaml").write_text(
        "title: 习近平在新疆考察时强调 坚持依法治疆团结稳疆长期建疆\n"
        "title_en: Xi Jinping stresses governing Xinjiang by law during inspection tour\n"
        "date: 2014-04-30\n"
        "type: webpage\n"
        "language: zh-Hans\n"
        "url: http://www.xinhuanet.com/politics/2014-04/30/c_1110490745.htm\n"
        "captured: 2024-05-02T08:15:00Z\n"
        "creators:\n"
        "  - {name: 新华社, name_en: Xinhua News Agency, role: author}\n"
        "publisher: 新华网\n"
        "publisher_en: Xinhua Net\n",
        encoding="utf-8",
    )
    (folder / "essays" / "test.md").write_text(
        "---\ntitle: Test\n---\n"
        "Xi spoke in Kashgar [@xinhua, p. 2] (Xinhua News Agency, 2014); cadres paired up "
        "(Liu, 2017).\n",
        encoding="utf-8",
    )
    (folder / "bibliography.json").write_text(
        json.dumps([NEWSPAPER], ensure_ascii=False), encoding="utf-8"
    )
    (folder / "shiliao.toml").write_text(
        f'[cite]\nstyle = "{style}"\nsite_url = "https://example.org/jieqin/"\n', encoding="utf-8"
    )
    return folder
