"""Chinese personal names given as one string, split into family and given name.

Zotero keeps a name it cannot divide as a single field, and exports it so: CSL-JSON
``{"literal": "司马光"}``, BibTeX ``author = {司马光}`` or ``{{司马光}}`` (read as a family name
alone, or a literal), RIS ``AU  - 司马光``. Such a name in Han characters is divided where
that is unambiguous, and its original string kept beside the parts (CSL-JSON name objects allow
``family``, ``given`` and ``literal`` together), so that nothing is lost: ``{"family": "司马",
"given": "光", "literal": "司马光"}``. The exchange writers give the literal back as it came
(``bibtex``, ``ris``), and the styles, sorting and citations read the parts
(``record.Person``).

A string is divided when it is a person's name by these rules, and otherwise kept whole:

* it is two to four Han characters and nothing else: no middle dot (阿布都热合曼·吐尔逊 is a
  transliterated name, whose parts are not family and given name), space, Latin letter or
  digit;
* it does not end as an institution's name does (政府, 委员会, 办公室, 局, 厅, 部, 院, 大学,
  出版社, 社, 网, 报...: 国务院, 新华社, 人民网), and is not longer than four characters (新疆维吾尔
  自治区人民政府);
* it starts with a compound surname of ``COMPOUND_SURNAMES`` followed by one or two characters
  (司马光 → 司马 + 光, 欧阳修 → 欧阳 + 修), or, when it has three characters or two, with a
  surname of ``SURNAMES`` (张三 → 张 + 三, 李世民 → 李 + 世民). A two-character string whose first
  character begins a compound surname (司马, 欧阳, 夏侯 alone, but also 钟汉, 夏雨) could be a
  compound surname without its given name and is kept whole; so is a four-character string
  without a compound surname (a double surname as in 范徐丽泰, a Manchu clan name, a
  transliteration), and a string whose first character is not a common surname (买买提).

Surnames are those of the 2020 census's most common, in Simplified and Traditional characters,
and the compound surnames still in use (``zh.surnames``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from shiliao.zh.surnames import COMPOUND_SURNAMES as SIMPLIFIED_COMPOUND_SURNAMES
from shiliao.zh.surnames import SURNAMES as SIMPLIFIED_SURNAMES
from shiliao.zh.surnames import TRADITIONAL_COMPOUND_SURNAMES, TRADITIONAL_SURNAMES

__all__ = [
    "COMPOUND_SURNAMES",
    "INSTITUTION_SUFFIXES",
    "SURNAMES",
    "split_han_name",
    "split_single_field_names",
]

SURNAMES = SIMPLIFIED_SURNAMES | TRADITIONAL_SURNAMES
COMPOUND_SURNAMES = SIMPLIFIED_COMPOUND_SURNAMES | TRADITIONAL_COMPOUND_SURNAMES
#: Endings of the names of governments, offices, schools, publishers and media (Simplified
#: and Traditional), which a personal name of two to four characters does not have.
INSTITUTION_SUFFIXES = (
    *("政府", "委员会", "委員會", "办公室", "辦公室", "办公厅", "辦公廳", "中心", "大学"),
    *("大學", "学院", "學院", "学校", "學校", "出版社", "集团", "集團", "公司", "银行"),
    *("銀行", "协会", "協會", "学会", "學會", "研究会", "研究會", "联合会", "聯合會", "工会"),
    *("工會", "商会", "商會", "日报", "日報", "晚报", "晚報", "电视台", "電視台", "电台"),
    *("電台", "局", "厅", "廳", "部", "院", "处", "處", "署", "委", "社", "网", "網", "报"),
    *("報", "台", "臺", "所", "馆", "館", "组", "組", "办", "辦", "室", "司", "省", "市", "县"),
    *("縣", "区", "區", "州", "团", "團", "队", "隊", "党", "黨", "站", "校", "盟", "联", "聯"),
)
_HAN_ONLY = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]{2,4}")
_COMPOUND_STARTS = frozenset(surname[0] for surname in COMPOUND_SURNAMES)
_NAME_FIELDS = ("author", "editor", "translator", "container-author", "collection-editor")


def split_han_name(value: str) -> tuple[str, str] | None:
    """Divide a Chinese personal name written as one string (rules in the module docstring).

    Args:
        value: the name as written, e.g. ``"司马光"``; surrounding white space is ignored.

    Returns:
        ``(family, given)``, e.g. ``("司马", "光")``, ``("张", "三")``; None when the string is
        not clearly one person's name so divided (``"司马"``, ``"新华社"``, ``"阿布都热合曼·吐尔逊"``,
        ``"新疆维吾尔自治区人民政府"``, ``"Xinhua Net"``).
    """
    name = value.strip()
    if not _HAN_ONLY.fullmatch(name) or name.endswith(INSTITUTION_SUFFIXES):
        return None
    if name[:2] in COMPOUND_SURNAMES and len(name) > 2:
        return name[:2], name[2:]
    if len(name) == 4 or (len(name) == 2 and name[0] in _COMPOUND_STARTS):
        return None
    return (name[0], name[1:]) if name[0] in SURNAMES else None


def split_single_field_names(items: Iterable[dict[str, Any]]) -> None:
    """Divide, in place, the single-field Chinese names of imported CSL-JSON items.

    A single-field name is ``{"literal": ...}``, or ``{"family": ...}`` with no given name (as
    BibTeX reads ``author = {司马光}``). Where ``split_han_name`` divides it, the name object
    gets ``family`` and ``given`` and keeps the original string as ``literal``; other names,
    and names with any other key (particles, a suffix), are left as they are.

    Args:
        items: validated CSL-JSON items (``csl.validate_items``); the CSL name lists
            (``author``, ``editor``, ``translator``, ``container-author``,
            ``collection-editor``) and ``custom["supervisor"]`` are read.
    """
    for item in items:
        extra = item.get("custom")
        lists = [item.get(field) for field in _NAME_FIELDS]
        if isinstance(extra, dict):
            lists.append(extra.get("supervisor"))
        for names in lists:
            if not isinstance(names, list):
                continue
            for name in names:
                if not isinstance(name, dict) or len(name) != 1:
                    continue
                whole = name.get("literal", name.get("family"))
                if not isinstance(whole, str):
                    continue
                parts = split_han_name(whole)
                if parts is not None:
                    name.clear()
                    name.update(family=parts[0], given=parts[1], literal=whole.strip())
