"""The team's own writing about a source (annotations, translations, English metadata) never
carries a withheld name, phone number or team text to a public byte: tags and terms are redacted
like notes, an editor's ``checked`` covers the source and not the team's translation of it, a
Chinese sentence with a romanized name in it is withheld as a romanized one is, and a file named
as a translation is never published as a source."""

from __future__ import annotations

from pathlib import Path

import pytest

from shiliao.collection.annotations import read_annotations
from shiliao.collection.yamlfile import YamlProblem, load_yaml
from shiliao.errors import CollectionError
from tests.conftest import build_json

NAME = "阿依古丽·买买提"
PHONE = "13912345678"
ROMANIZED = "Ayguli Mamat"
OTHER_ROMANIZED = "Turhun Amatjan"
TEAM_TRANSLATION = "CANARY-translation-of-team-61"
UNDECIDED_PHONE = "18611112222"
UNDECIDED_ID = "650102198003123459"
SECRETS = (
    NAME,
    PHONE,
    ROMANIZED,
    OTHER_ROMANIZED,
    TEAM_TRANSLATION,
    UNDECIDED_PHONE,
    UNDECIDED_ID,
    "ⒶⓎⒼⓊⓁⒾ",
)


def _collection(root: Path) -> Path:
    sources = root / "sources"
    sources.mkdir(parents=True)
    (sources / "visit.txt").write_text(
        f"走访记录\n\n今天我来到结对亲戚{NAME}家中，一起包饺子。\n\n"
        f"村里的新路已经修好了。电话{PHONE}\n",
        encoding="utf-8",
    )
    # A Chinese sentence with a romanized name: a source whose name no editor checked.
    (sources / "visit2.txt").write_text(
        f"走访记录\n\n今天我来到结对亲戚{NAME}家中。\n", encoding="utf-8"
    )
    (sources / "visit2.txt.yaml").write_text(
        f"title_en: Visit 家 {OTHER_ROMANIZED}\ndescription: 访问 {OTHER_ROMANIZED}\n"
        f"reliability: {{source: B, information: 2, note: 注 {OTHER_ROMANIZED}}}\n",
        encoding="utf-8",
    )
    # A translation one paragraph off: the name moves into a paragraph nothing was withheld in.
    (sources / "visit.txt.en.translation.md").write_text(
        f"Record of a visit\n\nToday I came\n\nto the home of my paired relative {ROMANIZED}.\n",
        encoding="utf-8",
    )
    # A source with nothing withheld: its translation is published, but not a paragraph or a
    # translator that holds personal data no editor decided, nor the name decided for visit.
    (sources / "clean.txt").write_text("通知\n\n各单位要认真学习。\n", encoding="utf-8")
    (sources / "clean.txt.en.translation.md").write_text(
        f"---\ntranslator: {NAME}\n---\n\nNotice OKTRANSLATION\n\n"
        f"Cadres phoned {UNDECIDED_PHONE}, ID {UNDECIDED_ID}.\n",
        encoding="utf-8",
    )
    (sources / "secret.txt").write_text("内部材料。\n", encoding="utf-8")
    (sources / "secret.txt.en.translation.markdown").write_text(
        TEAM_TRANSLATION + "\n", encoding="utf-8"
    )
    (sources / "secret.txt.yaml").write_text("access: team\n", encoding="utf-8")
    (sources / "secret.txt.en_GB.translation.md").write_text(
        TEAM_TRANSLATION + "\n", encoding="utf-8"
    )
    (root / "privacy.yaml").write_text(
        f"- text: {NAME}\n  kind: name\n  decision: redact\n  source: visit\n"
        f"- text: {NAME}\n  kind: name\n  decision: redact\n  source: visit2\n"
        f"- text: '{PHONE}'\n  decision: redact\n"
        "- source: visit\n  decision: checked\n",
        encoding="utf-8",
    )
    (root / "annotations.yaml").write_text(
        f"- source: visit\n  paragraph: 2\n  note: The road to {ROMANIZED} home\n"
        f"- source: visit\n  paragraph: 3\n  note: 新路\n  tags: ['{NAME}', '{PHONE}', road]\n"
        f"  terms: ['{NAME}']\n"
        f"- source: visit2\n  paragraph: 2\n  note: 亲戚 {OTHER_ROMANIZED} 的家\n"
        f"- source: clean\n  paragraph: 2\n  note: 电话{UNDECIDED_PHONE}\n"
        "- source: visit\n  paragraph: 2\n  note: 访问 ⒶⓎⒼⓊⓁⒾ\n",
        encoding="utf-8",
    )
    # A phone decided redact is withheld from the glossary as from the sources.
    (root / "glossary.yaml").write_text(
        f"- term: 结亲\n  pinyin: jiéqīn\n  english: [Jieqin]\n  note: 电话{PHONE}\n",
        encoding="utf-8",
    )
    return root


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("notes-withheld")
    summary = build_json(_collection(base / "c"), base)
    warnings = summary["warnings"]
    assert any(
        "secret.txt.en.translation.markdown: not read as a translation" in w for w in warnings
    )
    assert any(w.startswith("sources/clean.txt.en.translation.md: personal data") for w in warnings)
    assert any(w.startswith("annotations.yaml:") and "not published" in w for w in warnings)
    return base / "s"


def test_no_withheld_text_in_any_public_byte(site: Path) -> None:
    files = [p for p in site.rglob("*") if p.is_file()]
    assert len(files) > 20
    for path in files:
        data = path.read_bytes()
        for secret in SECRETS:
            assert secret.encode() not in data, (path, secret)


def test_what_may_be_shown_still_is(site: Path) -> None:
    page = (site / "sources" / "visit" / "index.html").read_text(encoding="utf-8")
    # The Chinese note on the checked source; its tags, Latin words as a rule, are not shown
    # on a source with a withheld name.
    assert "新路" in page and ">road<" not in page
    assert not (site / "sources" / "secret-txt-en-gb-translation").exists()
    # A decision about a name does not hide the translation of a source that does not hold it.
    clean = (site / "sources" / "clean" / "index.html").read_text(encoding="utf-8")
    assert "Notice OKTRANSLATION" in clean


def test_a_lone_surrogate_in_yaml_is_a_clear_error() -> None:
    with pytest.raises(YamlProblem, match=r"lone surrogate \(\\ud800\)"):
        load_yaml('note: "a\\ud800b"\n')


def test_a_paragraph_number_past_sqlite_is_an_error() -> None:
    with pytest.raises(CollectionError, match=r"annotations\.yaml.*paragraph"):
        read_annotations(
            "- source: a\n  paragraph: 9223372036854775808\n  note: x\n", "annotations.yaml"
        )
