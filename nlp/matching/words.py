"""Word classes of the supply/demand analyser: cue, purpose, form, service and generic words."""

# How much a unit looks like a product, by jieba part of speech: nouns name products,
# verbs and adjectives (维修, 加厚, 早熟) describe them.
_NOUN_FLAGS = ("n", "nz", "ng", "nr", "nrt", "nrfg", "eng", "l", "j")  # not ns/nt: places, organisations
WEIGHT_TERM, WEIGHT_NOUN, WEIGHT_OTHER, WEIGHT_PURPOSE = 1.0, 0.85, 0.45, 0.4
# Words after which the phrase before is what the goods are *for* (锂电用, 口罩用的).
_PURPOSE_AFTER = frozenset({"用", "专用", "用的", "使用", "配套"})
# Words before which the phrase after is a purpose (用于芯片扩散).
_PURPOSE_BEFORE = frozenset({"用于", "适用于", "应用于", "用在", "适合", "供"})
# Generic heads that name a form or category, not the product itself (磷酸铁锂正极材料).
WEAK_HEADS = frozenset({"正极材料", "负极材料", "片材", "颗粒", "粒子", "件", "制品", "系列", "服务",
                        "粉体", "成品", "半成品", "毛坯", "材", "料", "组", "套", "台", "个", "装",
                        "只", "支", "根", "条", "块", "批", "款", "类", "种"})
# Cue verbs: a phrase right before one of these, with another phrase after it in the same
# clause, names who is asking (电池厂求购隔膜, 仓库要托盘), not the goods.
CUES = frozenset({"需要", "求购", "采购", "收", "收购", "要", "寻找", "找", "急需", "急求", "想要",
                  "购买", "订购", "供应", "出售", "提供", "可提供", "长期供应", "大量供应", "销售",
                  "生产", "有现货", "现货供应", "长期收", "回收", "招标"})
WEIGHT_IDENTITY = 0.6
_AND = frozenset({"和", "与", "及", "或", "或者", "以及", "跟"})
_SELL_WORDS = frozenset({"销售", "出售", "供应", "出租", "批发", "直销"})
# Form words that add nothing after a known product (pvc树脂粉, 浮法玻璃原片, 石墨烯粉末).
FORM_HEADS = frozenset({"树脂", "树脂粉", "粉", "粉末", "颗粒", "粒子", "原片", "料", "原料", "材料",
                        "产品", "卷", "系列产品", "成品", "溶液", "气体", "原液", "电站"})
# Form words that stand for a one-character head (pvc板材 = pvc板, 不锈钢管材 = 不锈钢管).
_FORM_TO_CHAR = {"板材": "板", "管材": "管", "棒材": "棒", "卷材": "卷"}
# Process words that link two products inside one compound (木方加工机械 is a machine).
_LINK_WORDS = frozenset({"加工", "制造", "开采", "检测", "清洗", "安装", "维修", "保养", "维保", "改造", "翻新",
                         "调试", "拆装", "拆卸", "搬运", "设计", "教学", "查询"})
# ... of which these name a different service when they end the phrase (碳酸锂检测 is not
# 碳酸锂); 加工/制造 at the end just say the poster makes the product (齿轮加工 = gears).
_SERVICE_WORDS = frozenset({"开采", "检测", "清洗", "维修", "保养", "维保", "改造", "翻新", "调试", "拆装",
                            "拆卸", "搬运", "教学", "查询"})
# Unknown words ending in a form suffix name the stem product (丙烷气 -> 丙烷, 氧化铝粉 -> 氧化铝).
_FORM_SUFFIXES = ("溶液", "粉末", "粉体", "颗粒", "气", "粉", "液")
# Words too generic to be a product on their own (设备 in 设备正常运转).
_GENERIC_LONE = frozenset({"设备", "机械", "配件", "材料", "服务", "系统", "工程", "装置", "器材", "零件", "产品",
                          "开采", "检测", "清洗", "安装", "维修", "加工", "制造", "保养", "维保", "改造",
                          "翻新", "调试", "拆装", "拆卸", "搬运", "司机", "师傅", "设计", "教学", "查询"})
# One-character words jieba leaves alone that name a product family (涤纶布 -> 涤纶 + 面料).
_CHAR_HEADS = {"布": "面料"}
# Markers that the phrase before them qualifies a later product (纸箱厂的废纸).
_OF = frozenset({"的", "之"})
