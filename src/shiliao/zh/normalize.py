"""The one normalization of text for search: width, case and Traditional/Simplified folded.

Every code point of a text is normalized on its own, in three steps:

1. Unicode NFKC (``unicodedata.normalize("NFKC", char)``): full-width ``Ａ`` and ``２`` become
   ``A`` and ``2``, the ideographic space U+3000 becomes a space, compatibility ideographs
   become unified ones, ``㈠`` becomes ``(一)``.
2. Lower case (``str.lower``, JavaScript's ``toLowerCase``), applied to that one code point's
   NFKC result, so that no context rule (Greek final sigma) applies.
3. Traditional to Simplified, code point by code point, by the table of ``t2s_table``: OpenCC's
   ``t2s`` conversion of each CJK ideograph taken alone.

Because the steps work per code point (never on phrases, and never composing a letter with the
next combining mark), the result is the same whether a text is normalized whole or in pieces,
the website's JavaScript can do the same with ``String.prototype.normalize``, ``toLowerCase``
and the exported table, and every normalized code point comes from exactly one original code
point (see ``normalize_with_offsets``). Indexing and queries both go through ``normalize``; the
original text is what is kept and shown. Whitespace is kept where it is (NFKC may turn some of
it into U+0020, but never removes or adds any), so offsets stay meaningful.

Per-character Traditional-to-Simplified merges some distinct words (乾隆 and 干隆 normalize alike;
so do 瞭解 and 了解): for search that is wanted, since a reader looking for 干部 must find
幹部.
"""

from __future__ import annotations

import re
import threading
import unicodedata

import opencc

__all__ = ["normalize", "normalize_char", "normalize_with_offsets", "t2s_table"]

# The CJK blocks converted for the table: Extension A, the URO, the compatibility ideographs,
# and the supplementary ideographic plane (Extensions B-F and the compatibility supplement);
# OpenCC's t2s has about 900 pairs there, so leaving it out would miss rare Traditional forms.
_CJK_RANGES = (
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x20000, 0x2FA1F),
)

# Two locks: building the table happens inside learning new characters.
_table_lock = threading.Lock()
_learn_lock = threading.Lock()
_t2s: dict[str, str] | None = None
# str.translate table for every code point met so far whose normalized form differs from it;
# filled lazily (there are 1.1 million code points, a text uses a few thousand).
_translate: dict[int, str] = {}
_seen: set[str] = set()
# The code points met so far whose normalized form differs (the keys of _translate, as str).
_changing: set[str] = set()
# Code points met so far that normalize to more than one code point (only these move offsets).
_expanding: set[str] = set()
# Up to this many distinct changing code points in a text, normalize uses str.replace.
_REPLACE_MAX = 8
# Every code point of the Basic Multilingual Plane whose normalized form differs, learned at
# once (about 8,000 of them, 0.1 s), as one regex class with the supplementary planes added:
# finding which changing characters a text has is then one C-level scan, four times faster
# than building the set of its characters (Chinese characters are not interned, so set(text)
# allocates a string per character). Supplementary code points are learned lazily.
_bmp_lock = threading.Lock()
_bmp_changing: re.Pattern[str] | None = None


def t2s_table() -> dict[str, str]:
    """The per-character Traditional-to-Simplified table used by ``normalize``.

    Built once per process from OpenCC's ``t2s`` configuration: every code point of the CJK
    blocks (U+3400-U+4DBF, U+4E00-U+9FFF, U+F900-U+FAFF, U+20000-U+2FA1F) is converted in one
    call, one per line, so that OpenCC sees each character alone and applies no phrase rules.
    Pairs whose output differs and is a single character are kept. Chains are followed to their
    end (OpenCC maps 薴 to 苧 and 苧 to 苎, so the table maps both to 苎), which makes
    ``normalize`` idempotent.

    Returns:
        A new dict from one Traditional character to one Simplified character (about 5,100
        pairs); the site exports it as JSON for its JavaScript. Mutating it changes nothing here.
    """
    return dict(_t2s_pairs())


def _t2s_pairs() -> dict[str, str]:
    global _t2s
    if _t2s is None:
        with _table_lock:
            if _t2s is None:
                _t2s = _build_t2s()
    return _t2s


def _build_t2s() -> dict[str, str]:
    chars = [chr(code) for first, last in _CJK_RANGES for code in range(first, last + 1)]
    converted = opencc.OpenCC("t2s").convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):
        raise RuntimeError(
            f"OpenCC t2s returned {len(converted)} lines for {len(chars)} characters; "
            "the per-character table cannot be built with this OpenCC version"
        )
    pairs = {
        char: simple
        for char, simple in zip(chars, converted, strict=True)
        if simple != char and len(simple) == 1
    }
    for char, simple in pairs.items():
        seen = {char}
        while simple in pairs and simple not in seen:
            seen.add(simple)
            simple = pairs[simple]
        pairs[char] = simple
    return pairs


def normalize_char(char: str) -> str:
    """Normalize one code point: NFKC, then lower case, then Traditional to Simplified.

    Args:
        char: a string of exactly one code point.

    Returns:
        The normalized form: usually one code point, sometimes several (``㈠`` gives ``(一)``,
        ``ﬁ`` gives ``fi``), never empty.

    Raises:
        ValueError: when ``char`` is not exactly one code point.
    """
    if len(char) != 1:
        raise ValueError(f"normalize_char takes one code point, got {len(char)}")
    # is_normalized is a quick check; most code points are already NFKC.
    if unicodedata.is_normalized("NFKC", char):
        folded = char.lower()
    else:
        folded = unicodedata.normalize("NFKC", char).lower()
    table = _t2s_pairs()
    return "".join(table.get(c, c) for c in folded)


def _learn(chars: set[str]) -> None:
    new = chars - _seen
    if not new:
        return
    with _learn_lock:
        for char in new:
            folded = normalize_char(char)
            if folded != char:
                _translate[ord(char)] = folded
                _changing.add(char)
                if len(folded) != 1:
                    _expanding.add(char)
            _seen.add(char)


def _bmp_pattern() -> re.Pattern[str]:
    global _bmp_changing
    if _bmp_changing is None:
        with _bmp_lock:
            if _bmp_changing is None:
                table = _t2s_pairs()
                changing = []
                for code in range(0x10000):
                    if 0xD800 <= code <= 0xDFFF:
                        continue
                    char = chr(code)
                    # Most code points are NFKC-stable, lower case and not Traditional: skip
                    # them without calling normalize_char.
                    if (
                        char not in table
                        and char.lower() == char
                        and unicodedata.is_normalized("NFKC", char)
                    ):
                        continue
                    if normalize_char(char) != char:
                        changing.append(char)
                _learn(set(changing))
                klass = "".join(re.escape(char) for char in changing)
                _bmp_changing = re.compile(f"[{klass}\U00010000-\U0010ffff]")
    return _bmp_changing


def normalize(text: str) -> str:
    """Normalize a text for indexing or querying (see the module docstring for the steps).

    Args:
        text: any text.

    Returns:
        The normalized text; ``normalize(a + b) == normalize(a) + normalize(b)`` and
        ``normalize(normalize(t)) == normalize(t)``. Same length as ``text`` except where a code
        point expands under NFKC (``normalize_with_offsets`` maps positions back).
    """
    changing = set(_bmp_pattern().findall(text))
    if not changing:
        return text
    if any(ord(char) > 0xFFFF for char in changing):
        _learn(changing)
        changing &= _changing
    if len(changing) > _REPLACE_MAX:
        return text.translate(_translate)
    # A few str.replace scans beat translate's per-character lookups on paragraphs (about 2x
    # on the sample). Replacements are already normalized, so their order does not matter.
    for char in changing:
        text = text.replace(char, _translate[ord(char)])
    return text


def normalize_with_offsets(text: str) -> tuple[str, list[int]]:
    """Normalize a text and map each normalized code point back to the original.

    Args:
        text: any text.

    Returns:
        ``(normalized, offsets)`` where ``normalized == normalize(text)`` and ``offsets`` has
        ``len(normalized) + 1`` entries: ``offsets[i]`` is the index in ``text`` of the code point
        that produced ``normalized[i]``, and the last entry is ``len(text)``. A half-open span
        ``[i, j)`` of the normalized text (``j > i``) comes from ``text[offsets[i]:offsets[j - 1] +
        1]``; ``offsets[j]`` is the same end except where ``j`` falls inside the expansion of one
        code point (``一`` inside ``(一)`` from ``㈠``).
    """
    normalized = normalize(text)
    if len(normalized) == len(text):
        # No code point expanded (the common case): positions are unchanged.
        return normalized, list(range(len(text) + 1))
    offsets: list[int] = []
    for index, char in enumerate(text):
        width = len(_translate[ord(char)]) if char in _expanding else 1
        offsets.extend([index] * width)
    offsets.append(len(text))
    return normalized, offsets
