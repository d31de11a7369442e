"""Language marks for Chinese and Uyghur text."""

from __future__ import annotations

from shiliao.publish.lang import direction, mark_chinese, passage_markup, text_lang
from shiliao.zh.glossary import Mention


def test_runs_of_han_are_wrapped_with_their_script() -> None:
    assert mark_chinese("Jieqin (结亲) campaign") == (
        'Jieqin (<span lang="zh-Hans">结亲</span>) campaign'
    )
    # Spaces, digits and ASCII punctuation between Chinese text stay in the run.
    assert mark_chinese("北京共产主义组织的报告 (一大)") == (
        '<span lang="zh-Hans">北京共产主义组织的报告 (一大</span>)'
    )
    assert mark_chinese("2016年10月17日") == '2016<span lang="zh-Hans">年10月17日</span>'
    assert mark_chinese("中國共產黨") == '<span lang="zh-Hant">中國共產黨</span>'
    assert mark_chinese("no Chinese <here>") == "no Chinese &lt;here&gt;"
    assert mark_chinese(None) == ""


def test_a_traditional_source_decides_for_shared_characters() -> None:
    assert text_lang("中央", "zh-Hant") == "zh-Hant"
    assert text_lang("中央", "zh-Hans") == "zh-Hans"
    assert text_lang("中央", None) == "zh-Hans"
    # A Simplified-only character keeps a Traditional source's Simplified title Simplified.
    assert text_lang("陈独秀的报告", "zh-Hant") == "zh-Hans"
    assert text_lang("English", "zh-Hant") is None


def test_right_to_left_languages() -> None:
    assert direction("ug-Arab") == "rtl"
    assert direction("ug") == "rtl"
    assert direction("ug-Latn") is None
    assert direction("ar") == "rtl"
    assert direction("zh-Hans") is None
    assert direction(None) is None


def test_terms_in_a_non_chinese_passage_get_their_own_lang() -> None:
    html = passage_markup(
        "The 民族团结 slogan", [Mention(4, 8, "民族团结")], lambda _: "t.html", "en"
    )
    assert html == 'The <a class="term" href="t.html" lang="zh-Hans">民族团结</a> slogan'


def test_unknown_terms_are_left_as_text() -> None:
    html = passage_markup("结亲周", [Mention(0, 2, "结亲")], lambda _: None, "zh-Hans")
    assert html == "结亲周"
