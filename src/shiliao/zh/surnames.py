"""Han surnames, the lists that both name detection (``privacy``) and the division of
single-field names in bibliographies (``cite``) read.

- ``SURNAMES``: the single-character surnames among the 2020 census's 300 most common (about
  96 % of the population), in Simplified characters;
- ``COMPOUND_SURNAMES``: the two-character surnames still in use, in Simplified characters;
- ``TRADITIONAL_SURNAMES`` and ``TRADITIONAL_COMPOUND_SURNAMES``: the Traditional forms of those
  that have one, for readers of text that is not folded first.
"""

from __future__ import annotations

__all__ = [
    "COMPOUND_SURNAMES",
    "SURNAMES",
    "TRADITIONAL_COMPOUND_SURNAMES",
    "TRADITIONAL_SURNAMES",
]

SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞"
    "左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕"
    "屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应"
    "臧闵苟邬边卞姬师仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
"""Single-character Han surnames (和, a surname in Yunnan, is left out: as a conjunction it
stands before a word after a cue far more often: 妇女和未成年人)."""

COMPOUND_SURNAMES = frozenset(
    {
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "长孙",
        "宇文",
        "司徒",
        "夏侯",
        "令狐",
        "端木",
        "独孤",
        "南宫",
        "西门",
        "万俟",
        "闻人",
        "轩辕",
        "呼延",
        "澹台",
        "百里",
        "东郭",
        "申屠",
        "钟离",
    }
)
"""Han surnames of two characters."""

TRADITIONAL_SURNAMES = frozenset(
    "張劉陳楊黃趙吳孫馬羅鄭謝許韓馮鄧蔣葉蘇呂盧鍾譚陸賈韋鄒閆龍賀顧龔萬錢嚴湯溫齊喬龐顏莊聶"
    "魯歐關蘭寧紀畢單駱藍鮑華饒陽時農繆簡車項連蘆麥婁竇黨宮費衛應閔鄔邊師欒榮叢鞏遲鄺鐘"
)
"""The Traditional forms of ``SURNAMES`` that differ from their Simplified forms."""

TRADITIONAL_COMPOUND_SURNAMES = frozenset(
    {
        *("歐陽", "司馬", "諸葛", "東方", "尉遲", "公孫", "長孫", "獨孤", "南宮", "西門"),
        *("萬俟", "聞人", "軒轅", "澹臺", "東郭", "鍾離", "鐘離"),
    }
)
"""The Traditional forms of ``COMPOUND_SURNAMES`` that differ from their Simplified forms."""
