"""Passages: one per non-blank line, offsets into the page text, numbered across pages; OCR
passages carry the confidence of their weakest line."""

from __future__ import annotations

from dataclasses import replace

from shiliao.extract import split_passages
from shiliao.extract.passages import attach_ocr_confidence
from shiliao.model import Page, Passage


def test_each_non_blank_line_is_a_passage_with_exact_offsets() -> None:
    pages = [
        Page(1, "\u3000\u3000第一段，缩进两格。\n\n  第二段  \n"),
        Page(2, ""),
        Page(3, "\n\t第三段\r"),
    ]
    passages = split_passages("notice-1", pages, "text")
    assert passages == [
        Passage("notice-1", 1, 1, 2, 11, "第一段，缩进两格。", "text", language="zh-Hans"),
        Passage("notice-1", 1, 2, 15, 18, "第二段", "text", language="zh-Hans"),
        Passage("notice-1", 3, 3, 2, 5, "第三段", "text", language="zh-Hans"),
    ]
    texts = {page.number: page.text for page in pages}
    for passage in passages:
        assert texts[passage.page][passage.char_start : passage.char_end] == passage.text


def test_offsets_count_code_points_not_bytes_or_utf16_units() -> None:
    page = Page(1, "𠮷野家\n䶮")
    first, second = split_passages("x", [page], "html")
    assert (first.char_start, first.char_end) == (0, 3)
    assert (second.char_start, second.char_end) == (4, 5)


def test_no_text_no_passages() -> None:
    assert split_passages("x", [Page(1, ""), Page(2, " \n\u3000\n")], "pdf-text-layer") == []


def _line(page: int, text: str, confidence: float) -> dict:
    return {"page": page, "text": text, "confidence": confidence, "box": [0, 0, 1, 1]}


def test_each_ocr_passage_takes_the_lowest_confidence_of_its_lines() -> None:
    # Page 1 as OCR makes it: two printed lines joined into one paragraph (CJK, no space), two
    # Latin lines joined with a space, a sign's "西" twice; the OCR engine read "第二条" with an
    # ASCII space where the page has U+3000, and "Café" decomposed (NFD).
    pages = [
        Page(
            1,
            "第一条\u3000中华人民共和国是社会主义国家。\n第二条\u3000一切权力属于人民。\n"
            "西\nYuyuan Rd. Café\n西",
            method="ocr",
        ),
        Page(2, "第一条\u3000中华人民共和国是社会主义国家。"),
        Page(3, "无法辨认的一行", method="ocr"),
    ]
    lines = [
        _line(1, "第一条 中华人民共和国是社会", 0.99),
        _line(1, "主义国家。", 0.71),
        _line(1, "第二条 一切权力", 0.95),
        _line(1, "属于人民。", 0.97),
        _line(1, "西", 0.9),
        _line(1, "Yuyuan", 0.93),
        _line(1, "Rd. Cafe\u0301", 0.64),
        _line(1, "西", 0.55),
        _line(3, "完全不同", 0.5),
    ]
    passages = split_passages("scan", pages, "pdf-text-layer")

    marked = attach_ocr_confidence(passages, lines)

    assert [(p.page, p.text, p.confidence) for p in marked] == [
        (1, "第一条\u3000中华人民共和国是社会主义国家。", 0.71),
        (1, "第二条\u3000一切权力属于人民。", 0.95),
        (1, "西", 0.9),
        (1, "Yuyuan Rd. Café", 0.64),
        (1, "西", 0.55),
        # The text layer's page is no OCR; the OCR page whose line matches nothing keeps None.
        (2, "第一条\u3000中华人民共和国是社会主义国家。", None),
        (3, "无法辨认的一行", None),
    ]
    # Only the confidence changes; the passages given are left as they were.
    assert [replace(p, confidence=None) for p in marked] == passages
    assert all(p.confidence is None for p in passages)


def test_passages_without_ocr_lines_keep_no_confidence() -> None:
    passages = split_passages("notice", [Page(1, "第一段\n第二段")], "text")
    assert attach_ocr_confidence(passages, None) == passages
    assert attach_ocr_confidence(passages, []) == passages


def _texts(page_text: str, method: str = "text") -> list[str]:
    return [p.text for p in split_passages("x", [Page(1, page_text)], method)]


def test_a_web_copy_that_breaks_at_every_link_gives_whole_paragraphs() -> None:
    # Paragraphs apart by blank lines, a line break wherever the page had a link.
    page = Page(
        1,
        "本作品来自中国共产党文件，所以属于\n公有领域\n。\n\n\n"
        "（《\n共产主义运动中的“左派”幼稚病\n》）列宁同德帝国主义签订条约。\n\n"
        "毛主席早就说过，\n人不犯我，我不犯人\n。他们一定要打。\n\n↑\n",
    )
    passages = split_passages("copy", [page], "record")
    assert [p.text for p in passages] == [
        "本作品来自中国共产党文件，所以属于公有领域。",
        "（《共产主义运动中的“左派”幼稚病》）列宁同德帝国主义签订条约。",
        "毛主席早就说过，人不犯我，我不犯人。他们一定要打。",
    ]
    first = passages[0]
    assert page.text[first.char_start : first.char_end].replace("\n", "") == first.text
    assert [p.paragraph for p in passages] == [1, 2, 3]


def test_one_paragraph_per_line_stays_one_passage_per_line() -> None:
    # An official notice: title, salutation, indented paragraphs, items, no blank lines.
    text = (
        "关于做好结亲工作的通知\n各县市：\n"
        "\u3000\u3000为深入开展活动，现就有关事项通知如下\n"
        "一、提高认识\n\u3000\u3000各级要高度重视。\n"
        "（二）加强领导\n\u3000\u3000落实责任。\n新疆维吾尔自治区某某办公室\n二〇一七年三月二十四日"
    )
    assert _texts(text) == [
        "关于做好结亲工作的通知",
        "各县市：",
        "为深入开展活动，现就有关事项通知如下",
        "一、提高认识",
        "各级要高度重视。",
        "（二）加强领导",
        "落实责任。",
        "新疆维吾尔自治区某某办公室",
        "二〇一七年三月二十四日",
    ]


def test_text_wrapped_at_a_fixed_width_is_joined_back() -> None:
    body = "自治区各级党组织深入开展民族团结一家亲活动，干部职工与各族群众结对认亲，属于公有领域的文件也照录。"
    # Wrapped at 16 characters, the two ideographic spaces of the indent included.
    wrapped = "\n".join([body[:14], *(body[i : i + 16] for i in range(14, len(body), 16))])
    second = "这是第二段，它很短。"
    text = "\u3000\u3000" + wrapped + "\n\u3000\u3000" + second
    assert _texts(text) == [body, second]
    latin = (
        "The cadres were sent to the villages of\nthe south for a week each month in the\n"
        "campaign's first year, to live with the\nfamilies.\nShort line.\nAnother."
    )
    assert _texts(latin) == [
        "The cadres were sent to the villages of the south for a week each month in the "
        "campaign's first year, to live with the families.",
        "Short line.",
        "Another.",
    ]


def test_closing_punctuation_never_starts_a_passage_whatever_the_layout() -> None:
    # Laid-out pages keep their line breaks except before closing punctuation and after
    # opening punctuation; a line of punctuation alone is no passage.
    page = Page(
        1, "他们说“好”\n。\n第二行在这里\n第三行\n《\n人民日报》报道\n***\n……", method="ocr"
    )
    assert [p.text for p in split_passages("scan", [page], "pdf-text-layer")] == [
        "他们说“好”。",
        "第二行在这里",
        "第三行",
        "《人民日报》报道",
    ]


def test_markdown_paragraphs_join_their_lines_but_not_blocks() -> None:
    text = "# 标题\n第一段的第一行\n第一段的第二行。\n- 一项\n- 二项\n\n| 表 | 格 |\n| 一 | 二 |"
    assert _texts(text, "markdown") == [
        "# 标题",
        "第一段的第一行第一段的第二行。",
        "- 一项",
        "- 二项",
        "| 表 | 格 |",
        "| 一 | 二 |",
    ]
