"""Whether a clause grants something (amounts, 给予, 补贴 …) or restricts (差别化, 不得 …), for questions
that ask about support: such questions should be answered with a granting clause, not a penalty."""
from __future__ import annotations

import re

from .text import GROUP_MEMBERS, SYN_INDEX, WEAK, normalize, syn_groups

# question words that ask what an enterprise can get
ASKS_GRANT = {"补贴", "奖励", "优惠", "支持", "扶持", "奖补", "补助", "资助", "好处", "待遇", "减免", "贴息", "奖", "补",
              "有奖", "补点", "给钱", "发钱", "激励"}
_GRANT_GROUP = SYN_INDEX.get("补贴")
# a question about when/how/who to apply asks for procedure, not for what is granted
_PROCEDURE = {"时间", "什么时候", "截止", "时限", "期限", "日期", "申报", "申请", "流程", "手续", "材料", "条件", "部门",
              "哪个部门", "找谁", "平台", "适用"}
_PROCEDURE_GROUPS = {g for w in _PROCEDURE for g in syn_groups(w)}
# a bare amount is often a threshold (投资额10亿元以上), so amounts count only after 最高/按照
_STRONG = re.compile(r"最高\s*(?:不超过)?\s*\d|按照?[^。；]{0,16}\d+(?:\.\d+)?\s*(?:%|元)|给予|补贴|奖励|补助|资助|奖补|贴息|减免|免征|免收|不再增收|"
                     r"全额|减半|返还|降低[^。；]{0,12}成本")
_SOFT = re.compile(r"优先|支持|鼓励|保障|倾斜|绿色通道|容缺")
_RESTRICT = re.compile(r"差别化|限制|加价|不得|禁止|取消|追回|惩戒|淘汰|黑名单|不予|罚|严控|从严")
_SENT = re.compile(r"[^。；;\n]+")
STRONG_BONUS, SOFT_BONUS = 0.08, 0.02
RESTRICT_FACTOR = 0.6  # a clause that only restricts is no answer to "what support is there"


def asks_for_grant(question_words: list[str]) -> bool:
    """True when the question asks about support (补贴/奖励/优惠/支持 …) rather than about procedure."""
    if any(w in _PROCEDURE or set(syn_groups(w)) & _PROCEDURE_GROUPS for w in question_words):
        return False
    return any(w in ASKS_GRANT or (_GRANT_GROUP and _GRANT_GROUP in syn_groups(w)) for w in question_words)


def clause_sentences(text: str) -> tuple[str, ...]:
    """The normalized sentences of a clause, as grant_bias reads them (computed once per clause)."""
    return tuple(x for x in _SENT.findall(normalize(text)) if x.strip())


def grant_bias(text: str | tuple[str, ...], question_words: list[str]) -> tuple[float, float]:
    """(bonus, factor) for ranking: a small bonus for clauses whose sentences about the question grant
    something, a factor below one for ones that only restrict. Sentences naming the question's topic
    words decide; without any, the whole clause does. `text` may be clause_sentences(text)."""
    topic = [w for w in question_words if w not in WEAK and w not in ASKS_GRANT]
    members = {m for w in topic for g in syn_groups(w) for m in GROUP_MEMBERS.get(g, ())}
    sents = clause_sentences(text) if isinstance(text, str) else text
    hit = [s for s in sents if any(w in s for w in topic) or any(m in s for m in members if len(m) >= 2)]
    use = hit or sents
    joined = "。".join(use)
    if _STRONG.search(joined):
        return STRONG_BONUS, 1.0
    if _RESTRICT.search(joined):
        return 0.0, RESTRICT_FACTOR
    if _SOFT.search(joined):
        return SOFT_BONUS, 1.0
    return 0.0, 1.0


_MONEY = r"\d+(?:\.\d+)?\s*(?:万元|亿元|元)"
# in order of preference: a cap says most, then a fixed sum, then a rate
_AMOUNTS = [re.compile(p) for p in (
    r"最高(?:不超过)?\s*" + _MONEY,
    r"(?:给予|奖励|补助|补贴|资助)\s*(?:一次性)?\s*" + _MONEY,
    _MONEY + r"(?:的)?(?:一次性)?(?:奖励|补助|补贴|资助)",
    r"按照?[^。；，,]{0,16}?\d+(?:\.\d+)?\s*%",
)]


def grant_strength(text: str) -> int:
    """2 when a clause grants money or relief, 1 when it only favours (优先, 支持), -1 when it only
    restricts, 0 otherwise."""
    t = normalize(text)
    if _STRONG.search(t):
        return 2
    if _RESTRICT.search(t):
        return -1
    return 1 if _SOFT.search(t) else 0


def amount_of(text: str) -> str:
    """The amount a clause grants as printed (最高10万元, 给予30万元奖励, 按投资额的8%), or ""."""
    t = normalize(text)
    for rx in _AMOUNTS:
        m = rx.search(t)
        if m:
            return re.sub(r"\s+", "", m.group(0))
    return ""
