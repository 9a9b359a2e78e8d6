"""Chinese labels shared by the stats text, the ledger workbook and the charts."""
from __future__ import annotations

# Figure names, in display order (key -> label).
FIGURES = {
    "received": "受理诉求",
    "finished": "已办结",
    "resolved": "解决办结",
    "explained": "解释说明办结",
    "finish_rate": "办结率",
    "on_time_rate": "按期办结率",
    "satisfaction_rate": "满意率",
    "dissatisfied": "企业曾不满意",
    "explained_share": "解释说明占比",
    "redo_share": "重办率",
    "median_days": "办结用时中位数（工作日）",
    "open": "在办",
    "overdue_now": "当前逾期",
}

DIMENSIONS = {"county": "县区", "unit": "责任单位", "category": "类别"}
UNASSIGNED = "未分派"

# How each figure is defined (shown in /stats 口径 and the README).
DEFINITIONS = (
    "统计口径：按诉求提交日期（北京时间）落入统计期间计入“受理诉求”，标记为重复的诉求不计；",
    "办结率 =（解决办结 + 解释说明办结）÷ 受理诉求；",
    "按期办结率 = 办结日期不晚于完成时限的办结诉求 ÷ 有完成时限的办结诉求；",
    "满意率 =（满意 + 基本满意）÷ 已评价诉求；企业曾不满意 = 企业至少评价过一次“不满意”的诉求（重办后满意也计入）；",
    "解释说明占比 = 解释说明办结 ÷ 办结诉求；重办率 = 发生过重办的诉求 ÷ 受理诉求；",
    "办结用时 = 提交日至办结日之间的工作日数（按国家法定节假日及调休）；",
    "当前逾期 = 未办结且完成时限早于今天的诉求（不受统计期间限制）。",
)

FUNNEL = {
    "posts": "供需信息",
    "matches": "推荐匹配",
    "both_interested": "双方有意向",
    "intents": "合作意向",
    "deals": "签约成交",
    "amount_wan": "签约金额（万元）",
}

POLICY = {"asked": "政策咨询", "answered": "已解答", "not_covered": "未覆盖（转诉求）"}

CHART_TITLES = (
    "各类别诉求按月分布", "各县区办结率、按期办结率与满意率", "供需对接转化漏斗", "诉求数量", "月份", "比率",
    "暂无数据", "件", "条", "万元", "季度", "年", "月", "日", "周", "至", "合计", "总数", "第", "一二三四五六七八九十", "办结率", "按期办结率", "满意率", "汇总", "台账", "逾期", "其他",
)

ALL_LABELS = (
    *FIGURES.values(), *DIMENSIONS.values(), UNASSIGNED, *DEFINITIONS, *FUNNEL.values(), *POLICY.values(),
    *CHART_TITLES,
)


def pct(value: float | None) -> str:
    """A rate as '96.5%', or '—' when there is nothing to divide."""
    return "—" if value is None else f"{value * 100:.1f}%"
