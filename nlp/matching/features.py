"""Sparse features of a post: char 1-3 grams of what is left after boilerplate, heads, specs.

A post is normalised, stripped of phone numbers, greetings, contact lines, trade boilerplate
(量大从优, 欢迎来电), cue verbs (供应, 求购), quantities and place names; what remains is the
product description. Its features are the character 1-3 grams of each CJK phrase, the phrase's
head (the product named last), ASCII words (pac, kn95), spec values (dn:200) and, for a lexicon
synonym, the canonical term (锂离子电池 -> 锂电池), so known synonyms meet without deciding anything.
Pure Python on purpose: about 0.1 ms a post, no tokenizer in the loop.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from nlp.matching.lexicon import PHONE_RE, QTY_RE, SPEC_RES, _REGION_ALIASES, lexicon, normalize
from nlp.matching.words import _SERVICE_WORDS, FORM_HEADS, WEAK_HEADS

# Phrases that say nothing about the goods. Longest first inside each alternative.
_BOILERPLATE = re.compile("|".join((
    r"(各位|大家)(领导|老师|老板|同事|朋友|同仁|群友|伙伴)?(们)?(好|早上好|下午好|晚上好)?",
    r"(打扰|麻烦)(一下|大家|各位)?", r"(谢谢|感谢|多谢)(大家|各位|领导)?", r"拜托", r"辛苦",
    r"(如|若)?有(需要|需求|意向)?的?(朋友|老板|企业|单位|厂家|同志|领导|话)?(请|可以|可|欢迎)?"
    r"(联系|私聊|私信|来电|咨询|详谈|洽谈|电话联系)(我|我们|本人|王经理|李经理|张经理)?",
    r"(请|欢迎|可|可以)?(私聊|私信|来电|电话|联系|咨询|洽谈|详询|垂询|选购|订购|考察|指导|来厂|参观)+(我|我们|指导)?",
    r"(有|推荐)(资源|渠道|货源|门路|合适)的?(朋友|老板|领导)?(请|麻烦)?(推荐|介绍|联系)?(一下|下)?",
    r"(麻烦|帮忙)?(推荐|介绍)(一下|下)?", r"(价格|价钱|费用)(优惠|合适|好商量|可谈|可议|美丽|实惠|面议|从优)",
    r"量大(从优|价优|优惠)", r"(质量|品质)(保证|稳定|可靠|过硬|好)", r"(厂家|工厂|源头)(直销|直供|直发|供货)",
    r"(长期|稳定)(合作|供货|供应)", r"(可以|可)?(开|带)(专票|发票|票)", r"(送货|配送)(上门|到厂)",
    r"全国(发货|包邮)", r"(每|一个)(月|天|周|年)(用量|需求量|大概|大约)?", r"月(用量|需求)", r"长期", r"我们是|是做|做的", r"欢迎(各位|新老客户)?", r"有意者?", r"详情", r"谢谢", r"急急急", r"[一]手货源",
    r"经理|老板|先生|女士|师傅|电话|微信|手机|联系人|联系方式|联系",
)))
# Cue verbs of both kinds: who offers or asks, not what.
_CUES = re.compile(
    r"长期供应|大量供应|常年供应|现货供应|对外供应|对外承接|可以提供|可提供|能提供|供应|供货|提供|出售|销售|"
    r"出租|转让|承接|批发|直销|求购|采购|急需|急求|急用|需要|需求|收购|回收|寻找|寻求|想买|要买|购买|订购|求租|"
    r"想租|要租|租赁|招标|谁有|谁家有|哪里有|哪家有|有没有|有无|我们|我司|本公司|我公司|本厂|我厂|公司|厂里|"
    r"企业|单位|厂家|客户|这边|那边|一批|一台|一套|一个|左右|大概|大约|专业|主营|现货|库存|能做|可以做|经销|直供|"
    r"(?<=[厂店里])要|以及|或者|[及与]|"
    r"[的了吗呢吧啊呀]")
# Every alternative above starts with one of these: a cheap look-ahead skips the rest (5x faster).
_FIRST = "各大打麻谢感拜辛如若有请欢可价量质厂工源长稳开带送配全每一月我是做详急经老先女师电微手联推介私来咨洽垂选订考指参费帮多品"
_NOISE = re.compile(f"(?=[{_FIRST}])(?:{_BOILERPLATE.pattern})|{_CUES.pattern}")
_ASCII_WORD = re.compile(r"[a-z]{2,}[0-9]*|[a-z][0-9]+[a-z0-9]*")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_HAS_SPEC = re.compile(r"[0-9a-zφøΦØ]")
_UNIT_WORDS = frozenset({"mm", "cm", "kg", "kw", "kv", "kva", "kwh", "mah", "ah", "mpa", "hz", "mw", "pcs", "ok"})
_REGIONS = re.compile("|".join(sorted(map(re.escape, _REGION_ALIASES), key=len, reverse=True)) + r"|济宁|山东|省内|本地")
_WASTE = re.compile(r"废(?![气水渣液]处理|气|水)|回收|边角料")  # 废气处理 is a purpose, not scrap
_RENTAL = re.compile(r"租")
_OWNER_END = re.compile(r"(?<=..)(厂|店|站|公司|商行|商)$")
_TRADE_WORDS: frozenset | None = None  # trade words that end a phrase (现货, 加工, 批发): from the lexicon


def _trade_words() -> frozenset:
    global _TRADE_WORDS
    if _TRADE_WORDS is None:
        _TRADE_WORDS = frozenset({w for w in lexicon().stop if len(w) >= 2 and w not in _SERVICE_WORDS}
                                 | _TRADE_EXTRA)
    return _TRADE_WORDS


_FORM_WORDS = frozenset(WEAK_HEADS | FORM_HEADS)


def _strip_end(stem: str, words: frozenset) -> str:
    """Take words of the set off the end of a phrase, longest first, as long as any match."""
    while stem:
        for n in range(min(6, len(stem)), 0, -1):
            if stem[-n:] in words:
                stem = stem[:-n]
                break
        else:
            return stem
    return stem


_TRADE_EXTRA = frozenset({"大量出", "另算", "都能做", "都有", "切割", "生产厂家", "发货", "出货", "可定", "定染",
                          "成型", "加工厂", "厂家", "来图加工", "来样", "技术服务", "一站式", "配套"})
TERM_WEIGHT = 1.5  # a canonical synonym feature counts like a few shared characters
HEAD_WEIGHT = 1.0


@dataclass(frozen=True)
class PostFeatures:
    """Weighted features of one text and the facts the small bonuses and penalties look at."""

    weights: dict  # feature string -> weight (sublinear tf times class weight)
    terms: tuple  # canonical lexicon terms named (for the look-alike check)
    specs: tuple  # "kind:value" spec strings
    heads: tuple  # the product named last in each phrase (canonical when the lexicon knows it)
    runs: tuple  # the product phrases themselves, to explain a match in Chinese
    rental: bool
    waste: bool


def _specs(work: str) -> tuple[str, list]:
    """Take spec values out of the text; returns the rest and 'kind:value' strings."""
    out = []
    if not _HAS_SPEC.search(work):
        return work, out
    for kind, rx in SPEC_RES:
        for m in rx.finditer(work):
            out.append(f"{kind}:{''.join(g for g in m.groups() if g)}")
        work = rx.sub(" ", work)
    return work, out


def _terms(run: str, canon: dict, max_len: int) -> list[tuple[str, str]]:
    """Greedy longest lexicon terms (surface, canonical) in a CJK run."""
    out, i, n = [], 0, len(run)
    while i < n:
        for L in range(min(max_len, n - i), 1, -1):
            w = run[i:i + L]
            c = canon.get(w)
            if c is not None:
                out.append((w, c))
                i += L
                break
        else:
            i += 1
    return out


def head_of(run: str) -> str | None:
    """The product a phrase names last, as Chinese compounds do (酒精检测仪 is a 检测仪, 工业酒精 is
    酒精), known or not: form words (正极材料, 颗粒, 原片) are skipped, a lexicon term ending the
    phrase gives its canonical name (光伏板 -> 光伏组件), else its last two characters."""
    lex = lexicon()
    if run.endswith(("用", "用的")) or run in lex.stop:
        return None  # 电工用 says what for, 直径 / 各种规格 name no product
    stem = _strip_end(run, _trade_words())  # 脱硫石膏大量出 names 脱硫石膏
    if not stem:
        return None
    stem = _OWNER_END.sub("", stem if len(stem) >= 2 else run)  # 水泥厂 sells 水泥
    term = _ending_term(stem, lex)
    if term is not None and term not in WEAK_HEADS and term not in FORM_HEADS:
        return term  # 防腐涂料 stays 涂料 although 料 is a form word
    bare = _strip_end(stem, _FORM_WORDS)
    stem = bare if len(bare) >= 2 else stem  # 面粉 stays 面粉
    return _ending_term(stem, lex) or stem[-2:]


def _ending_term(stem: str, lex) -> str | None:
    """Canonical name of the longest lexicon term ending `stem`."""
    for n in range(min(lex.max_len, len(stem)), 1, -1):
        c = lex.canon.get(stem[-n:])
        if c is not None:
            return c
    return None


def content(text: str) -> str:
    """The product description left once phones, boilerplate, cues, quantities and places are out."""
    t = QTY_RE.sub(" ", PHONE_RE.sub(" ", normalize(text)))
    return _NOISE.sub(" ", _REGIONS.sub(" ", t))


@lru_cache(maxsize=2048)
def features(text: str) -> PostFeatures:
    """Features of a post or query (cached: the same text is often searched right after adding)."""
    lex = lexicon()
    canon, max_len = lex.canon, lex.max_len
    raw = normalize(text)
    work, specs = _specs(QTY_RE.sub(" ", PHONE_RE.sub(" ", raw)))
    work = _NOISE.sub(" ", _REGIONS.sub(" ", work))
    counts: dict[str, float] = {}
    get = counts.get
    terms, heads, runs = [], [], []
    for run in _CJK_RUN.findall(work):
        n = len(run)
        for i in range(n):
            g = run[i]
            counts[g] = get(g, 0.0) + 1.0
            if i + 1 < n:
                g = run[i:i + 2]
                counts[g] = get(g, 0.0) + 1.0
                if i + 2 < n:
                    g = run[i:i + 3]
                    counts[g] = get(g, 0.0) + 1.0
        if n >= 2:  # a lone character (月, 约) is left-over noise, not a product phrase
            runs.append(run)
            head = head_of(run)
            if head is not None:
                heads.append(head)
                g = "h" + head
                counts[g] = get(g, 0.0) + HEAD_WEIGHT
        for surface, canonical in _terms(run, canon, max_len):
            terms.append(canonical)
            if canonical != surface:
                g = "t" + canonical
                counts[g] = get(g, 0.0) + TERM_WEIGHT
    for w in _ASCII_WORD.findall(work):
        if w not in _UNIT_WORDS:
            g = "a" + w
            counts[g] = get(g, 0.0) + 1.0
            runs.append(w)
    for sp in specs:
        g = "s" + sp
        counts[g] = get(g, 0.0) + 1.0
    weights = {f: (1.0 + math.log(c)) if c > 1.0 else c for f, c in counts.items()}
    return PostFeatures(weights, tuple(dict.fromkeys(terms)), tuple(dict.fromkeys(specs)),
                        tuple(dict.fromkeys(heads)), tuple(dict.fromkeys(runs)),
                        bool(_RENTAL.search(raw)), bool(_WASTE.search(raw)))
