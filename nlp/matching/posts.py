"""Pure extraction for supply/demand posts and the group-message classifier.

extract_post(text) -> PostFields: kind guess, product terms, specs, quantity, county, validity.
classify_group_message(text) -> "supply" | "demand" | None, tuned for precision: chit-chat,
questions, greetings, news and notices give None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from nlp.matching.features import content
from nlp.matching.lexicon import (
    QTY_RE, WEIGHT_NOUN, analyse, find_region, lexicon, normalize,
)
from nlp.matching.posts_fields import (
    DELIVERY_PLACE, MAX_QUANTITY, MAX_VALIDITY_DAYS, capacity_label, extend_code, is_delivery_word,
    is_negative, is_spec_word, named_dimensions, original_case,
)

DEFAULT_VALIDITY_DAYS = 30

# (pattern, weight): strong cues are 2, weak ones 1. "有需要的联系我" is an offer, so it is
# listed as a supply cue and removed before demand cues are counted.
_SUPPLY_CUES = [
    (r"(如|若|有)?有?需要的(朋友|老板|话|单位|企业|厂家)?(请|可|欢迎)?(联系|私聊|来电|私信|咨询)", 3),
    (r"(如|若)?有需要[^，,。！!？?\s]{0,12}的", 3),
    (r"欢迎(选购|采购|订购|来电|咨询|洽谈)", 3),
    (r"供应(?!商(?!品))|可提供|能提供|可以提供|可供|出售|有现货|现货供应|出租|转让|甩卖|清仓|对外承接|承接|供货|直供|"
     r"我们可以|我司可以|可以做|能做|可做|可定做|专业生产|专业从事|主营|批发|低价处理|处理一批|有一批", 2),
    (r"提供|销售|批发|直销|生产|加工|代加工|定做|定制|经销|代理|低价处理|处理一批|库存|现货|大量出|专线", 1),
]
_DEMAND_CUES = [
    (r"求购|采购|急需|急求|需要|收购|寻找|寻求|想买|要买|求租|想租|要租|招标|需求|征集|求货|谁有|谁家有|哪里有|哪家有|"
     r"有没有|找.{0,12}供应商|寻(?!找|求)", 2),
    (r"收(?![到割费集益入款银藏据尾拾纳听看视])|找(?!到)|要(?![求点是不闻])|求(?![证助教])|回收|缺", 1),
]
# "有没有企业需要液压油缸？我们有库存": asking who needs it while offering stock is a supply post.
_ASK_WHO_NEEDS = re.compile(
    r"(有没有|有无|谁|哪家|哪位|哪个|哪些)[^，,。；;！!?？]{0,8}?(需要|要用|用得上|用得着|要)")
# The offer needs its own subject (我们有库存) or a plain 可供; "谁有现货" asks for stock.
_OFFERING = re.compile(
    r"(我们|我司|本厂|本公司|我厂|厂里|这边|我这|手上|手里)[^，,。？?]{0,4}(有|还有)[^，,。？?]{0,4}(库存|货|现货)|"
    r"(?<![谁哪里人家没])(有库存|有现货)|库存充足|可供|可以供|能供")
_QUESTION_INFO = re.compile(
    r"知道|请问|问一下|问下|怎么|如何|为什么|为啥|什么时候|几点|是不是|能不能告诉|有没有人知道|谁了解|咨询一下")
_QUESTION_END = re.compile(r"[?？]|[吗呢么嘛][\s!！。.~～]*$")
_NEWS = re.compile(
    r"通知|会议|召开|据悉|获悉|同比|环比|增长|下降|签约仪式|举办|举行|报名|活动|政策|文件|会上|记者|"
    r"发布|印发|转发|链接|http|www\.|点击|【|《|新闻|报道|讲话|指出|强调|部署|调研|视察|座谈|培训班|"
    r"开幕|闭幕|表彰|喜报|祝贺|热烈|截至|累计|亿元|万亿|排名|榜单|公示|通报")
_DONE = re.compile(r"已经|已于|已(到|完成|解决|签|提交|发)")
_GREETING = re.compile(r"^(各位|大家|各位领导|各位老师|各位同事|各位老板)(们)?(好|早上好|下午好|晚上好)[,，!！。\s]+(?=.{8})")
# Office business that uses 需要/采购 without being a post (我需要请假, 需要协调土地部门, 报表).
_ADMIN = re.compile(r"请假|报表|台账|协调|部门|开会|准备好|统计|报给|汇报|招工|人才|用工|采购部|经理今天|吃饭|吃个饭|一起去|有没有人")
_CONTENT_CHARS = re.compile(r"[^\u4e00-\u9fffa-z]+")
_CUE_START = re.compile(r"^(收|找|要|求|出|供|提供|处理|租|代理|加工)")
_CHITCHAT = re.compile(
    r"^(早上好|上午好|下午好|晚上好|大家好|各位好|各位领导好|收到|好的|谢谢|感谢|辛苦|ok|嗯|哈哈|"
    r"明白|了解|同意|赞|点赞|祝|恭喜|新年快乐|节日快乐)")


@dataclass
class PostFields:
    """What the bot shows back to a poster for confirmation."""

    kind: str | None
    products: list = field(default_factory=list)
    specs: list = field(default_factory=list)
    quantity: str | None = None
    quantity_value: float | None = None
    quantity_unit: str | None = None
    region: str | None = None
    validity_days: int = DEFAULT_VALIDITY_DAYS
    capacity: str | None = None  # 月产能2000吨: shown apart, never taken as the quantity
    notes: list = field(default_factory=list)  # Chinese notes for the card (capped, ignored values)
    validity_requested: int | None = None  # the period the text asked for, before bounds


def _cue_score(text: str, cues: list) -> tuple[int, int]:
    """(total weight, position of the first strong cue or a large number)."""
    total, first = 0, 10**6
    for rx, w in cues:
        for m in re.finditer(rx, text):
            total += w
            if w >= 2:
                first = min(first, m.start())
    return total, first


def guess_kind(text: str) -> str | None:
    """'supply', 'demand' or None from cue words; a clear majority or the earliest strong cue."""
    t = normalize(text)
    if _OFFERING.search(t) and _ASK_WHO_NEEDS.search(t):
        return "supply"  # "有没有企业需要X？我们有库存": the 需要 is part of the offer
    s, s_first = _cue_score(t, _SUPPLY_CUES)
    for rx, _ in _SUPPLY_CUES[:3]:
        t = re.sub(rx, " ", t)  # "有需要的联系我" must not count as 需要
    d, d_first = _cue_score(t, _DEMAND_CUES)
    if s == d == 0:
        return None
    if not s or not d:
        return "supply" if s else "demand"
    if s >= d + 2 or (s > d and s_first < d_first):
        return "supply"
    if d >= s + 2 or (d > s and d_first < s_first):
        return "demand"
    if s_first != d_first:
        return "supply" if s_first < d_first else "demand"
    return None


_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9, "十": 10, "半": 0.5}


def _num(s: str) -> float | None:
    """Arabic or simple Chinese numeral (一 .. 九十九) as a number."""
    try:
        return float(s)
    except ValueError:
        pass
    if s == "半":
        return 0.5
    if "十" in s:
        a, _, b = s.partition("十")
        return float((_CN_DIGITS.get(a, 1) if a else 1) * 10 + (_CN_DIGITS.get(b, 0) if b else 0))
    if s and all(c in _CN_DIGITS for c in s):
        return float(_CN_DIGITS[s[0]]) if len(s) == 1 else None
    return None


_NUM = r"(\d+(?:\.\d+)?|[一二两三四五六七八九十半]+)"
_VALIDITY = [
    # An explicit "有效期 N 天/周/个月" wins over "长期供应" elsewhere in the post.
    (re.compile(r"有效期?(?:为|是|至)?\s*" + _NUM + r"\s*(?:个)?(?:天|日)"), lambda m: _num(m.group(1))),
    (re.compile(r"有效期?(?:为|是|至)?\s*" + _NUM + r"\s*(?:个)?(?:周|星期)"), lambda m: 7 * _num(m.group(1))),
    (re.compile(r"有效期?(?:为|是|至)?\s*" + _NUM + r"\s*个?月"), lambda m: 30 * _num(m.group(1))),
    (re.compile(r"有效期?(?:为|是|至)?\s*" + _NUM + r"\s*年"), lambda m: 365 * _num(m.group(1))),
    (re.compile(r"长期|常年|长年"), lambda m: 180),
    (re.compile(_NUM + r"\s*(?:个)?(?:天|日)(?:内|之内|以内)?"), lambda m: _num(m.group(1))),
    (re.compile(_NUM + r"\s*(?:个)?(?:周|星期|礼拜)(?:内|之内|以内)?"), lambda m: 7 * _num(m.group(1))),
    (re.compile(_NUM + r"\s*个?月(?:内|之内|以内|有效)"), lambda m: 30 * _num(m.group(1))),
    (re.compile(r"(?<![每/])" + _NUM + r"\s*个月"), lambda m: 30 * _num(m.group(1))),
    (re.compile(r"半年"), lambda m: 180),
    (re.compile(r"一年|全年"), lambda m: 365),
    (re.compile(r"本周|这周|这个星期"), lambda m: 7),
    (re.compile(r"今天|当天|今日"), lambda m: 1),
    (re.compile(r"明天|明日"), lambda m: 2),
    (re.compile(r"本月|这个月|月底前"), lambda m: 30),
]
_VALIDITY_CONTEXT = re.compile(r"内|有效|以内|之内|长期|常年|长年|本周|这周|今天|当天|明天|本月|月底|半年|全年")


def requested_validity(text: str) -> float | None:
    """The period the text names in days (may be 0, negative or huge), or None."""
    t = normalize(text)
    if not _VALIDITY_CONTEXT.search(t) and not re.search(r"个月|周|星期", t):
        return None
    for i, (rx, fn) in enumerate(_VALIDITY):
        m = rx.search(t)
        if m:
            days = fn(m)
            if days is None:
                continue
            if m.groups() and re.search(r"[-−－负]\s*$", t[:m.start(1)]):
                days = -days  # 有效期-5天
            if days or i < 4:  # an explicit 有效期0天 is kept so the card can say why it changed
                return days
    return None


def validity_days(text: str) -> int:
    """Days a post stays open: 30 unless the text names a period (长期, 一周内, 3个月 ...)."""
    days = requested_validity(text)
    if days is None or days < 1:
        return DEFAULT_VALIDITY_DAYS
    return max(1, min(MAX_VALIDITY_DAYS, int(round(days))))


_MULT = {"万": 10000, "千": 1000, "百": 100}


def _spec_display(kind: str, value: str, raw: str, text: str, original: str) -> str:
    if kind == "dia":
        return "Φ" + value
    if kind == "grade":
        m = re.search(re.escape(value) + r"\s*(不锈钢|铝合金|铝|钢|铜)", text)
        return extend_code(original, original_case(original, value)) + (m.group(1) if m else "")
    return extend_code(original, original_case(original, raw))


def _product_like(phrase: tuple, surface: tuple) -> bool:
    """A phrase that can name a product: a known term or a word of two or more characters."""
    lex = lexicon()
    return any(u in lex.terms for u in phrase) or any(len(w) >= 2 for w in (surface or phrase))


def has_product(text: str) -> bool:
    """Whether the text names at least one product-like term (我想问一下 does not)."""
    return bool(extract_post(text).products)


def _quantity(t: str, notes: list) -> tuple:
    """(quantity, value, unit, capacity): the first quantity that is not a capacity, within bounds."""
    capacity = found = None
    for m in QTY_RE.finditer(t):
        num = _num(m.group(1))
        if num is None:
            continue
        shown = m.group(0).replace(" ", "")
        label = capacity_label(t[:m.start()])
        if label:
            capacity = capacity or label + shown
            continue
        if found is not None:
            continue  # the first quantity is the one on offer; keep looking for a capacity
        found = (None, None, None)
        if is_negative(t[:m.start()]):
            notes.append(f"数量不能为负数，已忽略“-{shown}”，请修改内容写明数量。")
            continue
        value = num * _MULT.get(m.group(2) or "", 1)
        if value > MAX_QUANTITY:
            notes.append(f"数量“{shown}”超过1亿，疑似输入有误，已忽略，请修改内容。")
            continue
        found = (shown, value, m.group(3))
    return (*(found or (None, None, None)), capacity)


def extract_post(text: str) -> PostFields:
    """Fields of a supply or demand post (pure; no database)."""
    a = analyse(text)
    t = a.text
    products, codes, spec_words = [], [], []
    for phrase, surface, w in sorted(zip(a.phrases, a.surfaces, a.weights), key=lambda x: -x[2]):
        if w >= WEIGHT_NOUN * 0.95 and _product_like(phrase, surface):
            name = "".join(surface) or "".join(phrase)
            if is_delivery_word(name):
                continue  # 送货到, 可送: how goods travel
            if is_spec_word(name, text):
                spec_words.append(original_case(text, name))
                continue
            shown = original_case(text, name)
            if name.isascii():
                codes.append(shown)  # UHP, HP: a grade code unless it is all there is
            elif shown not in products:
                products.append(shown)
    if not products:
        products = list(dict.fromkeys(codes))
        codes = []
    specs = [_spec_display(k, v, raw, t, text) for k, v, raw in a.specs]
    dims = named_dimensions(text)
    spec_words = [w for w in spec_words if not any(d.startswith(w) for d in dims)]
    specs = list(dict.fromkeys(codes + specs + dims + spec_words))
    # 50mm inside 直径50mm, H32 inside 5052-H32: keep only the fuller form
    specs = [x for x in specs if not any(x != y and x.lower() in y.lower() for y in specs)]
    notes: list = []
    quantity, value, unit, capacity = _quantity(t, notes)
    requested = requested_validity(text)
    days = validity_days(text)
    if requested is not None and requested < 1:
        notes.append(f"有效期须至少1天，已按默认{DEFAULT_VALIDITY_DAYS}天。")
    elif requested is not None and requested > MAX_VALIDITY_DAYS:
        notes.append(f"有效期最长{MAX_VALIDITY_DAYS}天，已按{MAX_VALIDITY_DAYS}天。")
    return PostFields(
        kind=guess_kind(text), products=products[:5], specs=specs[:6], quantity=quantity,
        quantity_value=value, quantity_unit=unit, region=find_region(DELIVERY_PLACE.sub(" ", t)),
        validity_days=days, capacity=capacity, notes=notes,
        validity_requested=None if requested is None else int(round(requested)),
    )


def classify_group_message(text: str) -> str | None:
    """'supply' / 'demand' for a plain group message that reads as a post, else None.

    A message needs a cue (a strong one, or a weak one with a quantity, a spec or at the start)
    and some description left once cues and boilerplate are out, known to the lexicon or not;
    it must not read as a question, a greeting, chit-chat, news or a notice.
    """
    t = _GREETING.sub("", normalize(text))  # "各位好，我们长期需要…" is a post after its greeting
    if len(t) < 4 or len(t) > 400 or _CHITCHAT.match(t) or _NEWS.search(t) or _ADMIN.search(t):
        return None
    if _QUESTION_INFO.search(t) or _DONE.search(t):
        return None
    kind = guess_kind(t)
    if kind is None:
        return None
    strong = _cue_score(t, (_SUPPLY_CUES if kind == "supply" else _DEMAND_CUES)[:-1])[0] > 0
    strong = strong or (kind == "supply" and _OFFERING.search(t) is not None)  # 我们有库存
    if _QUESTION_END.search(t) and not strong:
        return None
    a = analyse(t)
    # What is left once cues, boilerplate, quantities and places are out must name something;
    # whether the lexicon knows it does not matter (羧甲基纤维素钠 is as good as 钢板).
    described = len(_CONTENT_CHARS.sub("", content(t))) >= 2
    if described and (strong or a.quantities or a.specs or _CUE_START.match(t)):
        return kind
    return None
