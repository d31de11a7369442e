"""A labelled corpus of cadre-post passages, generated: private names with the cues such posts
use, referred to again without a cue; public officials with their office.

The names come from lists kept here, apart from the detector's own lists: the Uyghur, Kazakh
and Kyrgyz parts below are *not* in ``privacy.lexicon.NAME_PARTS`` (a held-out set), so that
recall measures the rules (cues, transliteration characters, separators) and not a lookup of
the names they were written for. Every name is labelled with its span.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import opencc

# Held out: none of these is a detector name part.
TURKIC_PARTS = (
    "阿布来提",
    "艾尼瓦尔",
    "吐尔洪江",
    "努尔艾合买提",
    "阿力木江",
    "克依木",
    "玉山江",
    "艾沙",
    "吾拉音",
    "阿合买提江",
    "热依汗古丽",
    "米娜瓦尔",
    "努尔比亚",
    "布再娜甫",
    "阿依提拉",
    "古丽米热",
    "排孜拉",
    "阿依仙木",
    "则乃甫",
    "祖丽皮亚",
    "萨迪克",
    "巴图尔",
    "卡哈尔",
    "热合木江",
    "吐逊江",
    "艾克热木",
    "麦尔丹",
    "尼加提",
    "塔西",
    "赛都拉",
    "阿吾提",
    "依力哈尔",
    "马木提",
    "沙吾提",
    "巴拉提",
    "叶尔森",
    "波拉提",
    "别克江",
    "哈米提",
    "加尔肯",
    "阿曼别克",
    "努尔江",
    "哈孜木",
    "阿丽米拉",
    "玛丽亚木",
    "托乎提",
    "图尔荪",
)
SEPARATORS = ("·", "・", "‧", "•", "．", "-", " ", "")
HAN_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔向汤常温康施"
GIVEN = "秀兰英华明建国军平芳红玉桂梅文志强伟海德福金春霞燕凤云娟敏静婷杰涛磊超勇刚斌鹏宇浩亮辉成永生荣富贵香琴珍淑艳芬"
OFFICES = ("县委书记", "乡长", "工作队队长", "第一书记", "村党支部书记", "副县长", "记者")


@dataclass
class Labelled:
    """One generated passage and its names: ``(start, end, role)`` spans."""

    text: str
    names: list[tuple[int, int, str]] = field(default_factory=list)


class _Writer:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.names: list[tuple[int, int, str]] = []

    def say(self, text: str) -> None:
        self.parts.append(text)

    def name(self, name: str, role: str) -> None:
        start = sum(len(p) for p in self.parts)
        self.parts.append(name)
        self.names.append((start, start + len(name), role))

    def done(self) -> Labelled:
        return Labelled("".join(self.parts), self.names)


def turkic_name(rng: random.Random) -> tuple[str, str]:
    """A two-part name with a random separator, and its first part."""
    first, second = rng.sample(TURKIC_PARTS, 2)
    return first + rng.choice(SEPARATORS) + second, first


def han_name(rng: random.Random) -> tuple[str, str]:
    """A Han name of two or three characters, and its given name."""
    given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(HAN_SURNAMES) + given, given


def post(rng: random.Random) -> list[Labelled]:
    """One cadre post: passages that introduce private people with a cue, name them again
    without one, and name an official with an office."""
    relative, relative_first = turkic_name(rng)
    child = rng.choice(TURKIC_PARTS)
    neighbour, neighbour_given = han_name(rng)
    husband, _ = han_name(rng)
    official, _ = han_name(rng)
    age = rng.randint(30, 80)
    passages = []
    w = _Writer()
    w.say(rng.choice(("今天，我来到结对亲戚", "我又一次看望了亲戚", "入户走访了村民", "户主")))
    w.name(relative, "private")
    w.say(f"家中。她今年{age}岁，身体还算硬朗。")
    passages.append(w.done())
    w = _Writer()
    w.name(relative_first, "private")
    w.say("拉着我的手说，现在的日子越过越好。她的女儿")
    w.name(child, "private")
    w.say("在县城读高中。")
    passages.append(w.done())
    w = _Writer()
    w.say(rng.choice(("回族妇女", "邻居", "老乡")))
    w.name(neighbour, "private")
    w.say("和丈夫")
    w.name(husband, "private")
    w.say("也来了，")
    w.name(neighbour, "private")
    w.say("说她家今年种了十亩棉花。")
    passages.append(w.done())
    w = _Writer()
    w.say(rng.choice(OFFICES))
    w.name(official, "public")
    w.say("陪同走访，")
    w.name(official, "public")
    w.say(rng.choice(("书记", "同志", "县长")) + "指出，要把好事办实。")
    passages.append(w.done())
    if neighbour_given and len(neighbour_given) == 2:
        w = _Writer()
        w.say("临走时，")
        w.name(neighbour_given, "private")
        w.say("送我们到门口。")
        passages.append(w.done())
    return passages


def traditional(passages: list[Labelled]) -> list[Labelled]:
    """The same passages in Traditional characters (OpenCC s2t keeps lengths here)."""
    converter = opencc.OpenCC("s2t")
    converted = []
    for passage in passages:
        text = converter.convert(passage.text)
        assert len(text) == len(passage.text)
        converted.append(Labelled(text, passage.names))
    return converted


def corpus(posts: int = 200, seed: int = 2026) -> list[list[Labelled]]:
    """``posts`` posts (a list of passages each); every fourth in Traditional characters."""
    rng = random.Random(seed)
    made = []
    for number in range(posts):
        passages = post(rng)
        made.append(traditional(passages) if number % 4 == 3 else passages)
    return made
