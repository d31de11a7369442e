"""Street addresses with a house number, in Chinese (团结路12号, 3组15号, 5号楼2单元301室).

An address is personal data when it leads to a household, which takes a number: a house
(``号``, ``号院``), a building (``号楼``, ``栋``, ``幢``), an entrance (``单元``) or a flat
(``室``, ``户``). So a match needs a street, lane, village, community or group word followed by
such a number; the administrative places written before it (省, 自治区, 州, 市, 县, 区, 乡, 镇,
村) are taken into the match, and a verb that introduces it (家住, 住在, 位于) is not. Document
numbers (国发〔2016〕12号, 主席令第12号) have no street word before the number and are not
matched.
"""

from __future__ import annotations

import re

from shiliao.privacy.fold import fold

__all__ = ["AddressMatch", "find_addresses"]

# Possessive (``++``): a number never gives back its digits, so a long run of digits costs one
# pass, not one pass per digit.
_NUMERAL = "0-9一二三四五六七八九十百零〇两"
_NUMBER = rf"[{_NUMERAL}]++"
_PLACE = (
    r"[\u4e00-\u9fff]{1,12}?(?:路|街|大街|大道|巷|胡同|弄|里|道|村|社区|小区|花园|新村|公寓|大院|"
    r"组|队|屯|庄)"
)
_UNIT = rf"(?:第?{_NUMBER}\s*(?:号院|号楼|号|栋|幢|单元|室|组|队)(?:之{_NUMBER})?\s*)"
# Every address has a house, building, entrance or flat number; texts without one are skipped.
_HOUSE = re.compile(rf"(?<=[{_NUMERAL}])\s*(?:号|栋|幢|单元|室)")
_ADDRESS = re.compile(rf"{_PLACE}\s*(?:{_NUMBER}\s*(?:组|队)\s*)?{_UNIT}+")
# Words that introduce an address and are not part of it.
_LEADING = ("家住在", "家住", "居住在", "住在", "住址", "地址", "位于", "现住", "住")


class AddressMatch(tuple[int, int, str]):
    """``(start, end, text)``: an address in a text, offsets in code points."""

    __slots__ = ()

    @property
    def start(self) -> int:
        """Offset of the first character."""
        return self[0]

    @property
    def end(self) -> int:
        """Offset one past the last character."""
        return self[1]

    @property
    def text(self) -> str:
        """The address as written."""
        return self[2]


def find_addresses(text: str, folded: str | None = None) -> list[AddressMatch]:
    """Every street address with a house number in ``text``.

    Args:
        text: any text.
        folded: ``fold(text)`` when the caller has it.

    Returns:
        ``AddressMatch`` values in text order; full-width digits and Traditional characters
        are matched (``fold``).
    """
    folded = fold(text) if folded is None else folded
    if not _HOUSE.search(folded):
        return []
    found = []
    for match in _ADDRESS.finditer(folded):
        start, end = match.start(), match.end()
        value = folded[start:end]
        for word in _LEADING:
            position = value.find(word)
            if 0 <= position <= 4:
                start += position + len(word)
                break
        while end > start and folded[end - 1].isspace():
            end -= 1
        if end - start >= 4 and _HOUSE.search(folded, start, end):
            found.append(AddressMatch((start, end, text[start:end])))
    return found
