"""Generate the .docx documents of the demo policy handbook (nlp/data/handbook/)."""
from __future__ import annotations

import sys
from pathlib import Path

from docx import Document

HANDBOOK = Path(__file__).resolve().parent.parent / "nlp" / "data" / "handbook"

# Each document: (file stem, list of (style, text)); style None means a normal paragraph.
DOCS = {
    "济宁市强化金融支持制造业企业发展若干措施": [
        ("Title", "济宁市强化金融支持制造业企业发展的若干措施"),
        (None, "济宁市地方金融监督管理局 2026年1月18日"),
        (None, "一、应急转贷支持。设立市级应急转贷资金，为贷款到期、续贷有困难的企业提供短期周转资金，"
               "单笔最高3000万元，使用费率按日万分之一收取，使用期限最长不超过15天。"),
        ("Heading 1", "二、贷款贴息"),
        (None, "（一）对制造业企业用于技术改造和设备购置的中长期贷款，按照贷款市场报价利率的50%给予贴息，"
               "单个企业每年最高200万元。"),
        (None, "（二）对攀登企业通过“鲁担惠企贷”获得的担保贷款，给予年化1%的担保费补贴。"),
        ("Heading 1", "三、支持企业上市挂牌"),
        (None, "（一）对在上海、深圳证券交易所首发上市的企业，分阶段给予总额1000万元奖励。"),
        (None, "（二）对在区域性股权市场挂牌的企业，给予10万元奖励。"),
        (None, "四、发展供应链金融。鼓励链主企业依托应收账款融资服务平台为上下游中小企业确权，"
               "对年度确权金额超过5亿元的链主企业给予50万元奖励。"),
        (None, "五、信用贷款风险补偿。合作银行向科技型中小企业和专精特新企业发放的首贷、信用贷款发生损失的，"
               "由市级风险补偿资金按照本金损失的40%给予补偿。"),
        (None, "六、本措施适用于全市制造业企业，申报受理时间为2026年3月1日至2026年11月30日。"),
    ],
    "邹城市支持企业开拓国内外市场若干措施": [
        ("Title", "邹城市支持企业开拓国内外市场的若干措施"),
        (None, "邹城市人民政府办公室 2026年2月28日"),
        (None, "第一条 支持企业参加展会。企业参加市级以上政府部门组织的国内重点展会，按照展位费的50%给予补贴；"
               "参加境外展会的，按照展位费的70%给予补贴，每家企业每年最高30万元。"),
        (None, "第二条 鼓励企业投保出口信用保险，按照实际缴纳保费的50%给予补助，每家企业每年最高20万元。"),
        (None, "第三条 支持企业开展跨境电商业务，对年跨境电商交易额500万元以上的企业，给予10万元奖励。"),
        (None, "第四条 对获得中国质量奖、山东省省长质量奖的企业，分别给予200万元、100万元奖励。"),
        (None, "第五条 对主导制定国际标准、国家标准、行业标准的企业，分别给予50万元、30万元、10万元奖励。"),
        (None, "第六条 鼓励企业打造自主品牌，对新获得“好品山东”品牌认证的企业，给予5万元奖励。"),
        (None, "第七条 本措施适用于在邹城市注册的规模以上工业企业，政策兑现申报时间为每年10月1日至10月31日。"),
    ],
}


def write(out_dir: Path = HANDBOOK) -> list[Path]:
    """Write every demo .docx into out_dir and return the paths."""
    written = []
    for stem, paras in DOCS.items():
        doc = Document()
        for style, text in paras:
            if style:
                doc.add_paragraph(text, style=style)
            else:
                doc.add_paragraph(text)
        path = out_dir / f"{stem}.docx"
        doc.save(path)
        written.append(path)
    return written


if __name__ == "__main__":
    for p in write(Path(sys.argv[1]) if len(sys.argv) > 1 else HANDBOOK):
        print(p)
