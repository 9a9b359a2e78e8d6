"""Appeal (问题诉求) classifier: a character n-gram linear model, plus the documented boundary rules.

Usage::

    from nlp.classify import classify_appeal, CATEGORIES
    c = classify_appeal("新上的生产线需要增容2000千伏安，供电公司迟迟未批复")
    c.category, c.confidence   # ("能源", 0.9x)

Method. TF-IDF over character 1-3-grams of the CJK runs and whole ASCII words (scikit-learn,
sublinear TF), and a linear SVM (scikit-learn's LinearSVC, one-vs-rest) trained at first use on ALL
labelled appeals shipped in ``nlp/data/appeals_labelled.jsonl`` (under a second; nothing downloads).
Its margins times SCALE are the logits; the boundary rules below, as a small keyword table
(``nlp.classify_rules``), add RULE_WEIGHT points per keyword; confidence is the softmax. Texts without any known feature (empty, emoji, "asdf")
go to 其他 with low confidence, and so does a weak, split decision (top probability < OTHER_BELOW).
Constants were chosen by 5-fold cross-validation on the shipped rows
(``benchmarks/eval_classify.py --tune``); the fresh set benchmarks/data/classify_fresh.jsonl
(110 appeals, 2026-12-03) is never trained on and is the held-out figure now.

Boundary rules (what decides between two plausible categories):
  * The object of the ask decides, not the office that signs a form: an EIA / 排污许可 / 总量
    approval is 生态环境; 能评 / 节能审查 / 能耗指标 is 能源; 用地预审 / 不动产证 / 房产证 is 土地;
    generic project approvals (立项备案, 规划/施工许可, 消防验收, 竣工验收, trade permits) are 审批.
  * 金融 is debt (loans, credit lines, guarantees, bills, 转贷/过桥 bridging funds even when called
    "基金"); 基金 is equity (government guidance / industry funds, VC, 入股, valuation, 对赌).
  * 人才 vs 政策 (the brief's rule): getting, keeping and housing people (hiring, training,
    人才公寓, schooling and spouse jobs for recruited talent, titles such as 领军人才/职称) is 人才.
    Applying for or cashing a *named* subsidy or award is 政策, whoever it benefits: 技改奖补,
    贷款贴息, 展位费补贴, tax refunds, and also 人才住房补贴 / 安家费 / 个税返还 / 招工补贴; so is
    policy interpretation. A factor problem where a subsidy is only floated as a remedy stays
    with the factor (危废处置费太高 → 生态环境, 电价太高 → 能源).
  * Children's schooling with no talent angle, roads, logistics, security, disputes, debts owed to
    the enterprise, water, network, tax audits: 其他.
"""

from __future__ import annotations

import json
import logging
import math
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from nlp.classify_rules import match_rules

CATEGORIES: tuple[str, ...] = (
    "金融", "基金", "土地", "能源", "人才", "生态环境", "政策", "审批", "市场", "其他",
)
FALLBACK = "其他"
DATA_PATH = Path(__file__).parent / "data" / "appeals_labelled.jsonl"

# Chosen by 5-fold cross-validation on the shipped rows (benchmarks/eval_classify.py --tune): CV accuracy
# 0.929 with the best confidence NLL (0.333); the grid spread was 0.909-0.933.
C = 1.0              # inverse L2 strength of the linear SVM
SCALE = 5.0          # SVM margin to logit (mean confidence close to accuracy)
RULE_WEIGHT = 2.0    # logit points per boundary-rule point
OTHER_BELOW = 0.25   # below this top probability, without a rule keyword, answer 其他
MAX_CHARS = 2000     # longer texts are cut: the first paragraphs carry the ask

_CJK = re.compile(r"[\u4e00-\u9fff]+")
_ASCII_WORD = re.compile(r"[a-z]{2,}")
_WORDISH = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")


@dataclass(frozen=True)
class Classification:
    """Result of classifying one appeal: best category, its confidence and the ranked alternatives."""

    category: str
    confidence: float
    alternatives: tuple[tuple[str, float], ...] = field(default=())


def normalise(text: str) -> str:
    """NFKC-fold (full-width to half-width), lower-case, collapse blanks and cut overly long text."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    text = unicodedata.normalize("NFKC", text[: MAX_CHARS * 2]).lower()
    return " ".join(text.split())[:MAX_CHARS]


def char_features(text: str) -> list[str]:
    """Character 1-3-grams of each CJK run and whole ASCII words of a normalised text."""
    out = []
    for run in _CJK.findall(text):
        for n in (1, 2, 3):
            out.extend(run[i:i + n] for i in range(len(run) - n + 1))
    out.extend("_" + w for w in _ASCII_WORD.findall(text))
    return out


def load_examples(split: str | None = None, path: Path = DATA_PATH) -> list[dict]:
    """Labelled appeals from a JSONL file; split='train'/'test' filters, None returns all."""
    rows = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                row = json.loads(line)
                if split is None or row.get("split", "train") == split:
                    rows.append(row)
    return rows


class AppealClassifier:
    """Char n-gram linear SVM + boundary rules; immutable after construction, so safe to share."""

    def __init__(
        self,
        examples: Iterable[dict] | None = None,
        *,
        c: float = C,
        scale: float = SCALE,
        rule_weight: float = RULE_WEIGHT,
        use_rules: bool = True,
        use_lexicon: bool | None = None,
        other_below: float = OTHER_BELOW,
    ) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.svm import LinearSVC

        if use_lexicon is not None:  # the old name of the switch
            use_rules = use_lexicon
        self.rule_weight = rule_weight if use_rules else 0.0
        self.scale = scale
        self.other_below = other_below
        rows = list(load_examples() if examples is None else examples)
        texts = [normalise(r["text"]) for r in rows]
        labels = [r["category"] for r in rows]
        self.vec = TfidfVectorizer(analyzer=char_features, sublinear_tf=True)
        x = self.vec.fit_transform(texts)
        self.classes: list[str] = sorted(set(labels), key=CATEGORIES.index)
        if len(self.classes) == 1:
            self.model = None
        else:
            self.model = LinearSVC(C=c).fit(x, labels)
            self.classes = list(self.model.classes_)

    def classify(self, text: str) -> Classification:
        """Classify one appeal text; never raises, garbage goes to 其他 with low confidence."""
        norm = normalise(text)
        if not norm or not _WORDISH.search(norm):
            return _fallback(0.1)
        x = self.vec.transform([norm])
        rules = match_rules(norm) if self.rule_weight else {}
        if x.nnz == 0 and not rules:
            return _fallback(0.15)
        if self.model is None:
            logits = {self.classes[0]: 0.0}
        else:
            margins = self.model.decision_function(x)[0]
            if len(self.classes) == 2:  # a binary SVM has one margin, for the second class
                margins = [-float(margins), float(margins)]
            logits = dict(zip(self.classes, (self.scale * float(v) for v in margins)))
        raw = {c: logits.get(c, -30.0) + self.rule_weight * rules.get(c, 0.0) for c in CATEGORIES}
        top = max(raw.values())
        exp = {c: math.exp(s - top) for c, s in raw.items()}
        z = sum(exp.values())
        ranked = sorted(((c, exp[c] / z) for c in CATEGORIES), key=lambda t: (-t[1], CATEGORIES.index(t[0])))
        best, p = ranked[0]
        if p < self.other_below and best != FALLBACK and not rules.get(best):
            # weak, split evidence without a rule keyword: 其他 is the honest bucket
            p_other = dict(ranked).get(FALLBACK, 0.0)
            ranked = [(FALLBACK, max(p, p_other))] + [t for t in ranked if t[0] != FALLBACK]
            best, p = ranked[0]
        # very little evidence (a handful of known n-grams, no rule): damp the confidence
        damp = 1.0 if rules or x.nnz >= 6 else 0.6
        return Classification(
            category=best,
            confidence=round(max(0.0, min(1.0, p * damp)), 4),
            alternatives=tuple((c, round(q, 4)) for c, q in ranked[:3]),
        )


def _fallback(conf: float) -> Classification:
    return Classification(category=FALLBACK, confidence=conf, alternatives=((FALLBACK, conf),))


_lock = threading.Lock()
_default: AppealClassifier | None = None


def get_classifier() -> AppealClassifier:
    """The shared default classifier, trained lazily (thread-safe) on all shipped labelled appeals."""
    global _default
    if _default is None:
        with _lock:
            if _default is None:
                _default = AppealClassifier()
    return _default


def classify_appeal(text: str) -> Classification:
    """Classify an appeal text into one of CATEGORIES with a confidence in 0..1."""
    try:
        return get_classifier().classify(text)
    except Exception:  # noqa: BLE001 - callers (bot handlers, benchmark) must never see a crash
        logging.getLogger(__name__).exception("classify_appeal failed")
        return _fallback(0.05)
