"""Redaction as removal: a placeholder of fixed form, overlapping spans merged, every writing
of a withheld string found."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from shiliao.privacy.redact import PLACEHOLDERS, Span, Withholding, redact_text


def test_placeholders_do_not_show_length() -> None:
    short, _ = redact_text("亲戚王芳说", [Span(2, 4, "name")])
    long, _ = redact_text("亲戚阿依古丽·买买提说", [Span(2, 10, "name")])
    assert short == "亲戚［姓名］说" and long == "亲戚［姓名］说"
    english, counts = redact_text("Call 13812345678 now", [Span(5, 16, "phone")])
    assert english == "Call [phone number withheld] now" and counts == {"phone": 1}


def test_overlapping_and_touching_spans_are_one_placeholder() -> None:
    text = "户主阿依古丽·买买提说"
    redacted, counts = redact_text(
        text, [Span(2, 6, "name"), Span(2, 10, "name"), Span(7, 10, "name")]
    )
    assert redacted == "户主［姓名］说" and counts == {"name": 1}
    touching, counts = redact_text(
        "电话13812345678团结路12号", [Span(2, 13, "phone"), Span(13, 19, "address")]
    )
    assert touching == "电话［电话］" and counts == {"phone": 1}


def test_every_writing_of_a_withheld_string() -> None:
    withholding = Withholding([("阿依古丽·买买提", "name"), ("張秀蘭", "name")])
    for written in (
        "阿依古丽·买买提",
        "阿依古丽・买买提",
        "阿依古丽‧买买提",
        "阿依古丽-买买提",
        "阿依古丽 买买提",
        "阿依古丽买买提",
        "阿依古麗·買買提",
    ):
        text = f"亲戚{written}来了"
        assert redact_text(text, withholding.spans(text))[0] == "亲戚［姓名］来了", written
    assert redact_text("户主张秀兰", withholding.spans("户主张秀兰"))[0] == "户主［姓名］"


@given(
    st.text(alphabet="阿依古丽买提王芳张 ·说了", min_size=0, max_size=40),
    st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), max_size=6),
)
def test_nothing_of_a_span_survives(text: str, pairs: list[tuple[int, int]]) -> None:
    spans = [Span(min(a, b), min(max(a, b), len(text)), "name") for a, b in pairs]
    spans = [s for s in spans if s.start < s.end]
    redacted, counts = redact_text(text, spans)
    placeholder = (
        PLACEHOLDERS["name"][0]
        if any("\u4e00" <= c <= "\u9fff" for c in text)
        else PLACEHOLDERS["name"][1]
    )
    kept = [i for i in range(len(text)) if not any(s.start <= i < s.end for s in spans)]
    # What is left is exactly the characters outside every span, in order, around placeholders.
    assert redacted.replace(placeholder, "") == "".join(text[i] for i in kept)
    assert sum(counts.values()) == redacted.count(placeholder)
