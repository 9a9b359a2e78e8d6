"""Text analysis for policy retrieval: own jieba tokenizer, stop words, policy synonyms, bigrams."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import jieba

from nlp.jieba_tokenizer import new_tokenizer

# Groups of words that mean the same thing in policy questions; each group gets one shared token.
SYNONYMS: list[tuple[str, ...]] = [
    ("贷款", "融资", "借款", "信贷", "借钱", "贷", "放贷", "授信", "银行贷款", "信用贷款", "首贷"),
    ("补贴", "奖补", "奖励", "补助", "资助", "扶持资金", "资金支持", "奖金", "发钱", "给钱", "补钱", "奖", "补",
     "激励", "后补助", "一次性奖励", "支持资金"),
    ("研发", "科研", "研究开发", "技术开发", "研发投入", "研发费用", "创新投入"),
    ("人才", "人员", "员工", "职工", "工人", "技术工人", "毕业生", "大学生", "研究生"),
    ("厂房", "用地", "土地", "工业用地", "地块", "车间用房"),
    ("贴息", "利息补贴", "贷款贴息", "利息", "利率补贴"),
    ("上市", "ipo", "首发上市", "挂牌", "北交所", "沪深交易所", "证券交易所"),
    ("技术改造", "技改", "设备更新", "设备投资", "设备购置", "改造升级", "更新设备", "买设备", "新设备"),
    ("智能化", "数字化", "智能工厂", "数字化车间", "智能制造"),
    ("规上", "规模以上", "升规", "升规纳统", "小升规", "纳统", "规下"),
    ("专精特新", "专精特新企业"),
    ("高新技术企业", "高企", "高新企业"),
    ("房租", "租金", "租房", "房租补贴", "租赁费"),
    ("购房", "买房", "购买住房", "住房", "买房子"),
    ("展会", "展览", "博览会", "参展", "会展", "展位"),
    ("节能", "降耗", "节约能源", "省电", "能耗"),
    ("光伏", "太阳能", "分布式光伏"),
    ("电价", "电费", "用电成本", "用电"),
    ("环评", "环境影响评价", "环保审批"),
    ("知识产权", "专利", "发明专利"),
    ("培训", "技能培训", "职业技能", "考证", "证书"),
    ("子女", "孩子", "小孩", "入学", "上学"),
    ("猎头", "猎头机构", "中介机构引才"),
    ("转贷", "过桥", "过桥资金", "续贷", "倒贷", "周转资金"),
    ("担保", "担保费", "融资担保"),
    ("标准", "国家标准", "行业标准", "国际标准", "标准制定"),
    ("出口信用保险", "信保", "出口保险"),
    ("跨境电商", "跨境电子商务", "外贸电商"),
    ("申报", "申请", "报名", "提交材料"),
    ("时间", "什么时候", "截止", "时限", "期限", "日期"),
    ("股权投资", "基金", "投资入股", "产业基金", "入股"),
    ("品牌", "自主品牌", "商标品牌"),
    ("营业收入", "营收", "销售收入", "收入", "产值", "主营业务收入"),
    ("首台套", "首台", "首台（套）"),
    ("最高", "上限", "封顶", "最多", "顶格", "最高不超过"),
    ("首次", "第一次", "初次", "头一次", "首度"),
    ("物流", "运输", "货运", "运费", "物流费"),
    ("重复", "叠加", "同时享受", "重复享受", "就高不重复", "多项"),
    ("适用于", "适用", "适用对象", "支持对象", "所称企业", "适用范围", "哪些企业", "哪些单位", "什么企业",
     "哪类企业", "申报主体", "申报条件", "是指"),
    ("施行", "实施", "有效期", "生效", "执行期", "执行", "开始执行"),
    ("高校", "学校", "大学", "院校", "高等院校", "科研院所"),
    ("突破", "超过", "达到", "超出", "迈上"),
    ("工作", "就业", "岗位", "上班"),
    ("上市", "深交所", "上交所", "主板", "创业板", "科创板", "首发"),
    ("境外", "国外", "海外", "国际", "出国"),
    ("标准煤", "标煤", "吨标煤"),
    ("停限产", "停产", "限产", "停工停产"),
    ("吸纳", "招收", "招用", "招工", "录用", "雇用"),
    ("仓储", "仓库", "库房"),
    ("货运", "货物", "运货", "发货"),
    ("损失", "坏账", "损失补偿"),
    ("合作", "合办", "共建", "联合", "校企合作"),
    ("家属", "配偶", "家人", "爱人", "随迁"),
    ("取得", "考取", "考下", "拿到证"),
]

# Pure question fluff: dropped from queries and documents alike.
STOP = set("""
的 了 吗 呢 吧 啊 呀 么 是 有 在 和 与 及 或 对 给 把 被 让 能 可 都 也 还 又 再 就 这 那 该 其 之 等 个 为 以 于 从 按 由
可以 能否 能不能 是否 有没有 有无 怎么 怎样 如何 怎么办 哪些 哪个 哪里 哪儿 什么 多少 几 多 要 需要 想 想要 请问 一下 下
我们 我 咱们 咱 你们 你 他们 本 这个 那个 这些 那些 啥 嘛 呗 可不可以 行不行 能够 会 应该 需 哪 谁 多大 多久 多长
政策 规定 文件 相关 方面 具体 情况 问题 一般 目前 现在 今年 已经 刚 刚刚 如果 的话 时候 有关 关于 对于 还有 以及 或者
公司 企业 单位 我司 厂里 厂子 咱家 本企业 我市 济宁 济宁市 一些 知道 了解 告诉 说 问 看看 到底 究竟 大概 方面 上 里
自己 别的 其他 其它 一部分 部分 一点 有点 比较 特别 非常 太 挺 真的 那么 这么 怎么样 好不好 对不对 是不是 不是
政府 国家 领导 干部 老板 我们厂 咱们厂 本公司 刚刚 最近 之前 以后 将来 打算 准备 正在 一直 每个 一个 一家 这家
不能 不要 不用 不会 没有 没 不 别 能不能不 不能不 一遍 一次 下来 外面 专门 好几个 几个 本地 当地 这边 那边 多久 多长时间
过来 起来 出来 上来 不过 不了 一下子 大约 左右 差不多 一些
""".split())
# Generic action words: kept for ranking but they do not decide whether the handbook covers a question.
WEAK = set("""
申请 申报 办理 享受 支持 给予 补贴 奖励 补助 条件 要求 标准 怎么 多少钱 钱 最高 能拿 拿 领 领取 给 资格 符合 流程 手续
材料 提交 认定 新 获得 获批 鼓励 优惠 待遇 扶持 帮助 解决 办 万元 元 金额 额度 比例 部门 哪个部门 找 谁 年 每年 今年
帮忙 处理 安排 好处 对接 包括 通过 报销 返还 用 做 搞 弄 买 拿到 评上 评为 成为 进 入选 得到 有啥 能有 会有 有奖 补点
""".split())
# Words that steer ranking (a question about dates) but name no topic: alone they make a question vague.
GENERIC = WEAK | set("时间 什么时候 截止 时限 期限 日期 多久 哪里 哪儿 平台".split())
_EXTRA_WORDS = [w for g in SYNONYMS for w in g if len(w) >= 2] + [
    "专精特新", "小巨人", "单项冠军", "瞪羚", "独角兽", "链主", "攀登企业", "首台套", "贴息", "应急转贷", "加计扣除",
    "创新券", "容积率", "标准厂房", "弹性年期", "亩产效益", "绿色工厂", "标准煤", "人才公寓", "高级技师", "技术中心",
    "新型研发机构", "供应链金融", "应收账款", "风险补偿", "产融对接", "培育库", "专精特新贷", "能耗指标", "自主减排",
    "容缺受理", "跨境电商", "质量奖", "规上工业企业", "升规纳统", "多少钱", "哪些企业", "哪些单位", "什么企业",
    "哪类企业",
]

SYN_INDEX: dict[str, str] = {}
for _i, _group in enumerate(SYNONYMS):
    for _w in _group:
        SYN_INDEX.setdefault(unicodedata.normalize("NFKC", _w).lower(), f"@{_i}")

# group token -> its member words (normalized), for substring tests
GROUP_MEMBERS: dict[str, tuple[str, ...]] = {}
for _w, _g in SYN_INDEX.items():
    GROUP_MEMBERS[_g] = GROUP_MEMBERS.get(_g, ()) + (_w,)

_CJK = re.compile(r"[\u4e00-\u9fff]+")
_KEEP = re.compile(r"^[\u4e00-\u9fffa-z0-9.%]+$")


@lru_cache(maxsize=1)
def tokenizer() -> jieba.Tokenizer:
    """The module's own jieba Tokenizer, created lazily with the policy vocabulary."""
    return new_tokenizer(words=(unicodedata.normalize("NFKC", w).lower() for w in _EXTRA_WORDS), freq=20000)


def normalize(text: str) -> str:
    """NFKC (full-width to half-width) and lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def words(text: str, tokens: list[str] | None = None) -> list[str]:
    """Content words of a normalized text (stop words and punctuation dropped, single chars kept
    only when they belong to a synonym group)."""
    out = []
    for w in tokens if tokens is not None else tokenizer().lcut(text, HMM=False):
        w = w.strip()
        if not w or w in STOP or not _KEEP.match(w):
            continue
        if len(w) == 1 and w not in SYN_INDEX and not w.isdigit():
            continue
        out.append(w)
    return out


def content_runs(text: str, tokens: list[str] | None = None) -> list[str]:
    """Runs of consecutive non-stop tokens of a normalized text (single characters kept), so that
    bigrams of a question ignore its fluff but keep rare phrases jieba splits into characters."""
    runs, cur = [], []
    for w in tokens if tokens is not None else tokenizer().lcut(text, HMM=False):
        if w in STOP or not _CJK.fullmatch(w):
            if cur:
                runs.append("".join(cur))
                cur = []
        else:
            cur.append(w)
    if cur:
        runs.append("".join(cur))
    return runs


def orphan_runs(text: str, tokens: list[str] | None = None) -> list[str]:
    """Strings of two or more consecutive single-character content tokens (稳/岗 -> 稳岗): jieba without
    HMM splits rare words into characters, which words() drops."""
    out, cur = [], []
    for w in tokens if tokens is not None else tokenizer().lcut(text, HMM=False):
        if len(w) == 1 and _CJK.fullmatch(w) and w not in STOP:
            cur.append(w)
            continue
        if len(cur) >= 2:
            out.append("".join(cur))
        cur = []
    if len(cur) >= 2:
        out.append("".join(cur))
    return out


def short_runs(tokens: list[str]) -> list[str]:
    """Runs of consecutive single-character CJK tokens, stop characters included (上/云 -> 上云): short
    verb-object terms such as 上云, 用云, 稳岗 that jieba splits into characters. At least one character
    of a run must be a content character."""
    out, cur = [], []
    for w in tokens + [""]:
        if len(w) == 1 and _CJK.fullmatch(w):
            cur.append(w)
            continue
        if len(cur) >= 2 and any(ch not in STOP for ch in cur):
            out.append("".join(cur))
        cur = []
    return out


# Messages that are not questions at all: greetings, thanks, tests.
CHATTER = set("""
你好 您好 你们好 大家好 hi hello hey 嗨 哈喽 哈罗 在吗 在不在 在么 在嘛 谢谢 谢了 多谢 感谢 好的 好 嗯 嗯嗯 哦 噢 收到 知道了
明白 ok okay 测试 test 早 早上好 上午好 中午好 下午好 晚上好 晚安 再见 拜拜 辛苦了 辛苦 您辛苦了 老师好 领导好 哈哈 哈哈哈 呵呵 ？ ?
""".split())


def is_chatter(question: str) -> bool:
    """True for messages that ask nothing: greetings, one letter, no content word at all."""
    q = normalize(question).strip()
    core = re.sub(r"[\s\W_]+", "", q)
    if len(core) < 2 or core in CHATTER:
        return True
    toks = tokenizer().lcut(q, HMM=False)
    content = [w for w in words(q, toks) if w not in CHATTER]
    return not content and not short_runs(toks)


_SEGMENT_BREAK = re.compile(r"^[，,。；;！!？?、：:\s]+$")


def focus_segment(tokens: list[str]) -> str | None:
    """The part of a long question that asks (……，设备投资2000万，有什么补贴？ -> 设备投资2000万): the last
    comma-separated segment holding a non-generic content word. None for one-segment questions."""
    segments, cur = [], []
    for w in tokens:
        if _SEGMENT_BREAK.match(w):
            if cur:
                segments.append(cur)
            cur = []
        else:
            cur.append(w)
    if cur:
        segments.append(cur)
    if len(segments) < 2:
        return None
    for seg in reversed(segments):
        text = "".join(seg)
        if any(w not in GENERIC and not w.isdigit() for w in words(text, seg)):
            return text
    return None


def syn_groups(word: str) -> list[str]:
    """Synonym-group tokens of a word, including groups of synonym words inside a longer word."""
    g = SYN_INDEX.get(word)
    if g:
        return [g]
    found = []
    n = len(word)
    if n == 2:  # 有奖, 补点: a single-character synonym inside a two-character word
        for ch in word:
            g = SYN_INDEX.get(ch)
            if g and g not in found:
                found.append(g)
    if n >= 3:
        for size in range(n - 1, 1, -1):
            for i in range(n - size + 1):
                g = SYN_INDEX.get(word[i:i + size])
                if g and g not in found:
                    found.append(g)
    return found


def bigrams(text: str) -> list[str]:
    """Character bigrams of each CJK run, prefixed with '#'."""
    out = []
    for run in _CJK.findall(text):
        out.extend("#" + run[i:i + 2] for i in range(len(run) - 1))
    return out
