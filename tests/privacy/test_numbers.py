"""Resident ID numbers, phone numbers, e-mail addresses and licence plates: every common
writing found, and nothing in the sample's 88 official reports (their years, figures and
statute numbers)."""

from __future__ import annotations

import datetime
import json

from hypothesis import given
from hypothesis import strategies as st

from shiliao.privacy.addresses import find_addresses
from shiliao.privacy.numbers import (
    find_emails,
    find_licence_plates,
    find_phone_numbers,
    find_resident_ids,
    id_check_character,
    is_resident_id,
    iter_codes,
)
from tests.conftest import SAMPLE

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _reference_check(first17: str) -> str:
    """ISO 7064 MOD 11-2 written out from the standard: the check character makes the
    weighted sum of all 18 characters (X counting 10) congruent to 1 modulo 11."""
    for check in "0123456789X":
        value = 10 if check == "X" else int(check)
        weights = [pow(2, 17 - i, 11) for i in range(18)]
        total = sum(int(d) * w for d, w in zip(first17, weights[:17], strict=True))
        if (total + value * weights[17]) % 11 == 1:
            return check
    raise AssertionError("no check character")


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_check_character_is_iso_7064_mod_11_2(first17: str) -> None:
    assert id_check_character(first17) == _reference_check(first17)
    # The weights are those of GB 11643-1999, 2^(17-i) mod 11.
    assert [pow(2, 17 - i, 11) for i in range(17)] == list(_WEIGHTS)


@given(
    st.sampled_from(["110101", "650102", "653101", "654002", "440305", "820000"]),
    st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2020, 12, 31)),
    st.integers(min_value=0, max_value=999),
    st.integers(min_value=0, max_value=16),
    st.integers(min_value=1, max_value=9),
)
def test_a_valid_number_is_found_and_one_changed_digit_is_not(
    area: str, born: datetime.date, sequence: int, position: int, change: int
) -> None:
    first17 = f"{area}{born:%Y%m%d}{sequence:03d}"
    number = first17 + id_check_character(first17)
    assert is_resident_id(number)
    text = f"身份证号{number}，户主"
    assert [m.text for m in find_resident_ids(text)] == [number]
    changed = list(number)
    changed[position] = str((int(changed[position]) + change) % 10)
    altered = "".join(changed)
    # MOD 11-2 catches every single-digit error; a changed date may also be impossible.
    assert not is_resident_id(altered)


def test_older_xinjiang_numbers_are_accepted() -> None:
    # 650102 (Tianshan district, Urumqi) is younger than someone born in 1955: python-stdnum's
    # area-by-year check rejects such numbers; detection must not.
    first17 = "65010219550312123"
    number = first17 + id_check_character(first17)
    assert is_resident_id(number)
    assert find_resident_ids(f"户主身份证：{number}")[0].text == number


def test_id_number_writings() -> None:
    first17 = "65310119881105002"
    number = first17 + id_check_character(first17)
    spaced = f"{number[:6]} {number[6:14]} {number[14:]}"
    for written in (number, number.lower(), _full_width(number), spaced):
        text = f"证件号码{written}。"
        found = find_resident_ids(text)
        assert [m.text for m in found] == [written], written
        assert text[found[0].start : found[0].end] == written
    old = "650102550312123"  # first-generation 15 digits, born 1955-03-12
    assert [m.text for m in find_resident_ids(f"旧证{old}")] == [old]
    # Not a date, not a province, a future birth, or part of a longer number: not an ID.
    for wrong in ("650102195513321237", "990102195503121236", "6501021955031212371"):
        assert find_resident_ids(f"号码{wrong}") == []
    future = "65010230000101123"
    assert find_resident_ids(future + id_check_character(future)) == []


def test_phone_number_writings() -> None:
    for written in (
        "13812345678",
        "138-1234-5678",
        "138 1234 5678",
        "+86 139 1234 5678",
        "0086 13812345678",
        "１３８１２３４５６７８",
        "0991-2345678",
        "（0998）2812345",
        "（０９９１）２３４５６７８",
        "138　1234　5678",
    ):
        text = f"联系电话：{written}，请转告。"
        found = find_phone_numbers(text)
        assert [m.text for m in found] == [written], written


def test_a_phone_inside_an_id_number_is_one_finding() -> None:
    first17 = "11010119900307101"
    number = first17 + id_check_character(first17)
    kinds = [m.kind for m in iter_codes(f"身份证{number}")]
    assert kinds == ["resident_id"]


def test_emails_and_plates() -> None:
    assert [m.text for m in find_emails("邮箱：aygul.m@example.cn；")] == ["aygul.m@example.cn"]
    assert [m.text for m in find_emails("邮箱：ａｙｇｕｌ＠ｅｘａｍｐｌｅ．ｃｎ")] == [
        "ａｙｇｕｌ＠ｅｘａｍｐｌｅ．ｃｎ"
    ]
    for plate in ("新A·12345", "新A12345", "京B 6C789", "粤AD12345", "新Q1234学"):
        assert [m.text for m in find_licence_plates(f"车牌号{plate}停在门口")] == [plate]
    # A grade or a model name is not a plate.
    assert find_licence_plates("新A级景区，新ABCDE型号") == []


def test_addresses_need_a_house_number() -> None:
    assert [m.text for m in find_addresses("她家住团结路12号，门口有树。")] == ["团结路12号"]
    assert [m.text for m in find_addresses("现住幸福小区5号楼2单元301室。")] == [
        "幸福小区5号楼2单元301室"
    ]
    assert [m.text for m in find_addresses("家住阿克苏村3组15号")] == ["阿克苏村3组15号"]
    assert [m.text for m in find_addresses("住在團結路１２號")] == ["團結路１２號"]
    # Document numbers and an address with no number are not addresses.
    for text in ("国发〔2016〕12号文件", "主席令第12号", "沿着团结路向前走", "家住3组"):
        assert find_addresses(text) == [], text


def test_no_number_or_address_in_the_sample_reports() -> None:
    """The 88 reports hold years, percentages, statute numbers and figures, and no personal
    data: nothing may be found in them."""
    found = []
    for path in sorted((SAMPLE / "sources").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                text = json.loads(line)["content"]
                found += [m.text for m in iter_codes(text)]
                found += [m.text for m in find_addresses(text)]
    assert found == []
