"""The word lists behind name detection, in Simplified characters (detection folds text first).

No offline Chinese named-entity recogniser ships its weights with a package this project may
use (research/privacy-and-editorial.md §3.1), so names are found by rules over these lists:

- ``SURNAMES`` and ``COMPOUND_SURNAMES``: the Han surnames of ``zh.surnames``;
- ``TRANSLITERATION``: the characters with which Uyghur, Kazakh and Kyrgyz names are written
  in Chinese (the syllabary of Xinhua's transliteration tables as used for Turkic names in
  Xinjiang's household registers and press), with the common function characters left out so
  that a run of them stops where a name stops;
- ``NAME_PARTS``: frequent Uyghur, Kazakh and Kyrgyz name components, found even without a cue;
- ``PRIVATE_CUES``: words that introduce a private person (kin terms, household and village
  roles, the campaign's own words for the people it pairs cadres with: 亲戚, 结对户, 户主);
- ``OFFICE_CUES``: words that name a public role (offices, ranks, press roles), before or after
  a name;
- ``GIVEN_STOPS``: characters that end a name: particles, verbs and nouns that follow a name in
  running text far more often than they end one.

The lists are data, reviewed as such: a missed cue lowers recall, measured by the tests in
``tests/privacy/test_names.py`` on sentences built from held-out name parts.
"""

from __future__ import annotations

from shiliao.zh.surnames import COMPOUND_SURNAMES, SURNAMES

__all__ = [
    "ACTIVITIES",
    "COMPOUND_SURNAMES",
    "ETHNIC_WORDS",
    "GIVEN_ALONE_CUES",
    "GIVEN_STOPS",
    "NAME_PARTS",
    "OFFICE_AFTER",
    "OFFICE_CUES",
    "PRIVATE_AFTER",
    "PRIVATE_CUES",
    "SURNAMES",
    "TRANSLITERATION",
]

TRANSLITERATION = frozenset(
    "阿艾爱安昂奥巴拜班比别波伯博布查达丹德迪蒂丁杜多尔恩法菲盖甘格根古哈海汗罕合赫胡吉加佳坚"
    "江杰居卡喀坎克肯库拉莱兰勒雷里力丽莉利林琳卢鲁玛麦买曼米敏明木穆娜纳乃尼妮努帕排潘佩皮普"
    "热茹如若萨赛桑沙莎尚什斯苏索塔泰提铁图吐托瓦万旺韦维吾乌西希夏先谢亚雅叶伊依尤玉再则扎祖"
    "佐孜哲朱洪荪逊送森素甫孙霍旦且赖芙娃衣那穷曲孔彦仁赞汉嘎衮斐孚拂弗傅戈冈贡圭衡亨惠基吉"
    "捷金君喀凯坎柯科夸奎昆阔廖列琳隆伦罗洛迈梅蒙孟莫默姆奈南瑙内涅宁纽诺欧帕庞佩鹏珀蒲奇乔"
    "切钦琼丘让荣瑞撒塞瑟森舍施舒朔丝松宋梭索泰坦特廷通瓦威温沃武锡辛休许雅扬耶英约泽曾札詹"
    "卓兹宗卜地牙马司义来乎音仙山都守外开鼎福"
)
"""Characters used to write Turkic (and other foreign) names in Chinese."""

NAME_PARTS = (
    "阿依古丽",
    "古丽娜尔",
    "帕提古丽",
    "阿娜尔古丽",
    "阿曼古丽",
    "努尔古丽",
    "热娜古丽",
    "米热古丽",
    "阿孜古丽",
    "阿瓦古丽",
    "迪丽努尔",
    "阿依努尔",
    "古丽巴哈尔",
    "热依拉",
    "玛依拉",
    "再努尔",
    "阿米娜",
    "海尼沙",
    "帕丽达",
    "祖丽菲亚",
    "古再丽",
    "加米拉",
    "赛乃姆",
    "木尼热",
    "阿依夏木",
    "买买提",
    "麦麦提",
    "艾买提",
    "艾合买提",
    "阿不都",
    "阿卜杜",
    "阿布都",
    "热合曼",
    "阿不力孜",
    "艾尔肯",
    "吐尔逊",
    "吐尔洪",
    "库尔班",
    "买合木提",
    "伊力哈木",
    "玉素甫",
    "司马义",
    "塔依尔",
    "沙比尔",
    "阿迪力",
    "阿里木",
    "卡德尔",
    "克里木",
    "吾斯曼",
    "吾买尔",
    "帕尔哈提",
    "迪力夏提",
    "米吉提",
    "托合提",
    "斯迪克",
    "艾克拜尔",
    "牙合甫",
    "尼亚孜",
    "萨吾提",
    "木合塔尔",
    "艾则孜",
    "铁木尔",
    "尤努斯",
    "居来提",
    "买尔旦",
    "热西提",
    "叶尔兰",
    "努尔兰",
    "叶尔江",
    "阿斯哈尔",
    "巴合提",
    "加娜尔",
    "阿依达尔",
    "木拉提",
    "赛力克",
    "达吾列提",
    "叶尔肯",
    "哈那提",
    "阿依别克",
    "吐尔地",
)
"""Name components frequent enough to be recognised without any cue."""

PRIVATE_CUES = (
    "结对亲戚",
    "结亲对象",
    "结亲户",
    "结对认亲户",
    "结对户",
    "认亲户",
    "亲戚",
    "户主",
    "村民",
    "牧民",
    "老乡",
    "贫困户",
    "帮扶对象",
    "困难户",
    "低保户",
    "妇女",
    "老人",
    "老大爷",
    "老大娘",
    "大妈",
    "大娘",
    "大爷",
    "大叔",
    "大婶",
    "大姐",
    "大哥",
    "阿姨",
    "奶奶",
    "爷爷",
    "母亲",
    "父亲",
    "妈妈",
    "爸爸",
    "丈夫",
    "妻子",
    "爱人",
    "老伴",
    "儿子",
    "女儿",
    "儿媳",
    "女婿",
    "孙子",
    "孙女",
    "哥哥",
    "姐姐",
    "弟弟",
    "妹妹",
    "孩子",
    "小孩",
    "小朋友",
    "邻居",
    "家属",
    "亲属",
    "学员",
    "名叫",
    "她叫",
    "他叫",
    "名字叫",
    "姓名：",
    "姓名:",
)
"""Words that introduce a private person (the name follows)."""

GIVEN_ALONE_CUES = frozenset(
    {
        "户主",
        "亲戚",
        "结对亲戚",
        "丈夫",
        "妻子",
        "爱人",
        "老伴",
        "儿子",
        "女儿",
        "儿媳",
        "女婿",
        "孙子",
        "孙女",
        "哥哥",
        "姐姐",
        "弟弟",
        "妹妹",
        "母亲",
        "父亲",
        "名叫",
        "她叫",
        "他叫",
        "名字叫",
    }
)
"""Cues strong enough that a given name alone after them (户主秀兰) is taken as a name."""

PRIVATE_AFTER = (
    "大妈",
    "大娘",
    "大爷",
    "大叔",
    "大婶",
    "大姐",
    "大哥",
    "阿姨",
    "老人",
    "老汉",
    "奶奶",
    "爷爷",
    "婆婆",
    "一家",
    "夫妇",
    "夫妻",
    "老两口",
    "小朋友",
    "同学",
    "（化名）",
    "(化名)",
)
"""Words that follow a private person's name."""

OFFICE_CUES = (
    "第一书记",
    "总书记",
    "副书记",
    "书记",
    "副主席",
    "主席",
    "副总理",
    "总理",
    "委员长",
    "副部长",
    "部长",
    "副省长",
    "省长",
    "副市长",
    "市长",
    "副县长",
    "县长",
    "区长",
    "乡长",
    "镇长",
    "村长",
    "副主任",
    "主任",
    "副局长",
    "局长",
    "厅长",
    "处长",
    "科长",
    "所长",
    "站长",
    "院长",
    "校长",
    "副会长",
    "会长",
    "团长",
    "副队长",
    "队长",
    "组长",
    "副总领事",
    "总领事",
    "领事",
    "大使",
    "参赞",
    "董事长",
    "总经理",
    "主编",
    "编辑",
    "记者",
    "通讯员",
    "作者",
    "教授",
    "研究员",
    "民警",
    "警官",
    "法官",
    "检察官",
    "驻村干部",
    "干部",
    "工作队员",
    "常委",
    "委员",
    "代表",
    "发言人",
    "司令员",
    "政委",
)
"""Offices and public roles that come before a name (书记王明)."""

OFFICE_AFTER = (
    "同志",
    "总书记",
    "副书记",
    "书记",
    "主席",
    "总理",
    "部长",
    "省长",
    "副省长",
    "市长",
    "副市长",
    "县长",
    "副县长",
    "主任",
    "局长",
    "教授",
    "院士",
    "摄",
    "报道",
)
"""Offices and press roles that follow a name (王明书记, 刘通摄)."""

ETHNIC_WORDS = (
    "维吾尔族",
    "哈萨克族",
    "柯尔克孜族",
    "塔吉克族",
    "乌孜别克族",
    "蒙古族",
    "锡伯族",
    "回族",
    "汉族",
)
"""Ethnic descriptors that may stand between a cue and a name (老人, 维吾尔族, 阿不都)."""

GIVEN_STOPS = frozenset(
    "的了在是和与及向给对也都就说讲告诉表示笑一今年岁们把被让从为又还已正将这那里上下中去来到着"
    "过等地得之而但却并同跟带看望问拉帮送请叫做住吃喝夫妇妻儿女子孙家户村乡县镇组队号院楼室会"
    "自治委员工作社区个位名人共有没不能要想曾便每所其"
)
"""Characters that end a name: what follows a name in running text."""

ACTIVITIES = frozenset(
    {
        "上学",
        "读书",
        "念书",
        "参军",
        "当兵",
        "工作",
        "打工",
        "务工",
        "务农",
        "种地",
        "放牧",
        "在家",
        "生病",
        "患病",
        "住院",
        "结婚",
        "出嫁",
        "离婚",
        "去世",
        "病逝",
        "外出",
        "毕业",
        "考上",
        "上班",
        "做饭",
        "干活",
    }
)
"""What a kin term is often followed by that is not a given name (女儿上学, 儿子参军)."""
