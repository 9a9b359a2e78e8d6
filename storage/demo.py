"""Fictional demo data: about 50 enterprises across clusters and counties, users in every role."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import CadreEnterprise, ChatGroup, Enterprise, OrgUnit, Role, User

DEMO_GROUP_CHAT_ID = -1001000000001

# (name, county, cluster, tags, revenue 万元, employees, main products); all fictional.
ENTERPRISES = [
    ("济宁恒泰重工机械有限公司", "任城区", "高端装备", ["规上", "专精特新", "高新技术企业"], 86000, 820, "液压挖掘机、装载机结构件"),
    ("山东鲁岳液压科技有限公司", "任城区", "高端装备", ["规上", "小巨人", "专精特新"], 42000, 360, "液压油缸、液压阀组"),
    ("济宁华工智能装备有限公司", "济宁高新区", "高端装备", ["规上", "高新技术企业", "瞪羚"], 23000, 210, "工业机器人、自动化生产线"),
    ("兖州金鼎精密铸造有限公司", "兖州区", "高端装备", ["规上"], 15000, 260, "精密铸件、球墨铸铁件"),
    ("邹城鑫源矿山装备有限公司", "邹城市", "高端装备", ["规上", "链主"], 120000, 1100, "液压支架、刮板输送机"),
    ("梁山通达专用车制造有限公司", "梁山县", "高端装备", ["规上", "专精特新"], 56000, 640, "半挂车、专用车"),
    ("嘉祥锐力叉车有限公司", "嘉祥县", "高端装备", ["规上", "高新技术企业"], 18000, 190, "电动叉车、搬运车"),
    ("济宁经开区精工轴承有限公司", "济宁经济技术开发区", "高端装备", ["规上", "专精特新"], 9800, 130, "深沟球轴承、圆锥滚子轴承"),
    ("金乡宏达数控机床有限公司", "金乡县", "高端装备", [], 3200, 60, "数控车床、加工中心"),
    ("鱼台瑞丰农机装备有限公司", "鱼台县", "高端装备", ["规上"], 7600, 150, "收获机械、植保无人机"),
    ("济宁泰和新材化工有限公司", "邹城市", "高端化工", ["规上", "链主", "高新技术企业"], 150000, 980, "己内酰胺、尼龙6切片"),
    ("兖州鲁信精细化工有限公司", "兖州区", "高端化工", ["规上", "专精特新"], 31000, 270, "医药中间体、表面活性剂"),
    ("微山湖光化工科技有限公司", "微山县", "高端化工", ["规上"], 12500, 160, "环氧树脂、固化剂"),
    ("汶上恒晟新材料化工有限公司", "汶上县", "高端化工", ["规上", "高新技术企业"], 27000, 230, "聚氨酯组合料、发泡剂"),
    ("济宁碳素科技有限公司", "任城区", "新材料", ["规上", "单项冠军", "小巨人"], 64000, 520, "石墨电极、特种石墨"),
    ("山东烯创石墨烯科技有限公司", "济宁高新区", "新材料", ["高新技术企业", "专精特新", "瞪羚"], 5200, 85, "石墨烯粉体、导电浆料"),
    ("曲阜圣源新材料有限公司", "曲阜市", "新材料", ["规上"], 14800, 170, "碳纤维复合材料、玻纤制品"),
    ("泗水鲁源纺织新材料有限公司", "泗水县", "新材料", ["规上"], 21000, 640, "功能性纱线、无纺布"),
    ("嘉祥明瑞建材有限公司", "嘉祥县", "新材料", ["规上"], 8800, 120, "石材、新型墙体材料"),
    ("济宁金丰铝业有限公司", "济宁经济技术开发区", "新材料", ["规上", "专精特新"], 39000, 310, "铝型材、铝合金模板"),
    ("济宁芯联电子科技有限公司", "济宁高新区", "新一代信息技术", ["规上", "高新技术企业", "专精特新"], 26000, 290, "功率半导体器件、芯片封装"),
    ("山东孔孟软件技术有限公司", "曲阜市", "新一代信息技术", ["高新技术企业"], 3600, 95, "工业软件、MES系统"),
    ("济宁光电显示科技有限公司", "太白湖新区", "新一代信息技术", ["规上", "瞪羚"], 17000, 240, "LED显示屏、背光模组"),
    ("兖州智联通信设备有限公司", "兖州区", "新一代信息技术", ["规上"], 9200, 140, "光纤连接器、通信机柜"),
    ("济宁恒芯半导体材料有限公司", "任城区", "新一代信息技术", ["专精特新", "高新技术企业"], 6800, 90, "扩散纸源、掺杂剂"),
    ("邹城阳光新能源科技有限公司", "邹城市", "新能源", ["规上", "高新技术企业"], 48000, 420, "光伏组件、逆变器"),
    ("济宁锂动新能源电池有限公司", "济宁经济技术开发区", "新能源", ["规上", "瞪羚", "专精特新"], 73000, 760, "锂离子电池、储能系统"),
    ("金乡绿能生物质能源有限公司", "金乡县", "新能源", ["规上"], 11000, 110, "生物质颗粒燃料、蒸汽"),
    ("梁山风电装备制造有限公司", "梁山县", "新能源", ["规上", "专精特新"], 34000, 300, "风电塔筒、法兰"),
    ("汶上氢源能源科技有限公司", "汶上县", "新能源", ["高新技术企业"], 4200, 60, "氢燃料电池电堆、制氢设备"),
    ("济宁鲁抗康泰制药有限公司", "任城区", "医药", ["规上", "链主", "高新技术企业"], 98000, 1500, "抗生素原料药、制剂"),
    ("曲阜华康生物医药有限公司", "曲阜市", "医药", ["规上", "专精特新"], 19000, 260, "生物制剂、诊断试剂"),
    ("金乡蒜宝生物科技有限公司", "金乡县", "医药", ["规上", "高新技术企业"], 16000, 210, "大蒜素、保健食品"),
    ("泗水仁和中药饮片有限公司", "泗水县", "医药", ["规上"], 8700, 180, "中药饮片、中药材"),
    ("济宁高新医疗器械有限公司", "济宁高新区", "医药", ["专精特新", "高新技术企业"], 5600, 80, "医用敷料、一次性输液器"),
    ("济宁绿源环保科技有限公司", "任城区", "节能环保", ["规上", "高新技术企业"], 13000, 150, "污水处理设备、膜组件"),
    ("微山清风节能设备有限公司", "微山县", "节能环保", ["规上"], 9500, 120, "余热锅炉、换热器"),
    ("鱼台净源水处理有限公司", "鱼台县", "节能环保", [], 2600, 45, "净水剂、聚合氯化铝"),
    ("兖州再生资源科技有限公司", "兖州区", "节能环保", ["规上"], 22000, 200, "废旧轮胎再生、再生胶"),
    ("太白湖智慧环保科技有限公司", "太白湖新区", "节能环保", ["高新技术企业", "瞪羚"], 4800, 70, "环境监测仪器、VOCs治理"),
    ("邹城宏图纸业包装有限公司", "邹城市", "节能环保", ["规上"], 17500, 280, "瓦楞纸箱、纸托盘"),
    ("嘉祥鲁星电机有限公司", "嘉祥县", "高端装备", ["规上", "专精特新"], 14000, 200, "永磁电机、减速电机"),
    ("济宁天元橡塑制品有限公司", "济宁经济技术开发区", "高端化工", ["规上"], 10200, 160, "橡胶密封件、塑料管材"),
    ("任城宏业钢结构有限公司", "任城区", "高端装备", ["规上"], 25000, 230, "钢结构厂房、网架"),
    ("曲阜古泉食品机械有限公司", "曲阜市", "高端装备", [], 2900, 55, "食品包装机械、灌装机"),
    ("梁山华宇挂车配件有限公司", "梁山县", "高端装备", ["规上"], 6300, 110, "车轴、悬挂系统"),
    ("汶上鲁泰纺织有限公司", "汶上县", "新材料", ["规上", "链主"], 88000, 2100, "色织面料、衬衫"),
    ("泗水恒信农产品加工有限公司", "泗水县", "医药", ["规上"], 7300, 140, "地瓜制品、淀粉"),
    ("济宁高新区云图数据科技有限公司", "济宁高新区", "新一代信息技术", ["高新技术企业", "专精特新"], 2800, 65, "工业互联网平台、数据服务"),
    ("鱼台恒通电缆有限公司", "鱼台县", "新能源", ["规上"], 15500, 170, "电力电缆、光伏电缆"),
]

# (name, role, phone, unit code or None, county name or None, enterprise indexes for cadres)
USERS = [
    ("王建国", Role.ADMIN, "13900000001", "city", None, []),
    ("刘红梅", Role.ADMIN, "13900000002", "city", None, []),
    ("李卫东", Role.REVIEWER, "13900000011", "cty_rencheng", "任城区", []),
    ("孙丽", Role.REVIEWER, "13900000012", "cty_zoucheng", "邹城市", []),
    ("周强", Role.REVIEWER, "13900000013", "cty_gaoxin", "济宁高新区", []),
    ("赵敏", Role.HANDLER, "13900000021", "fg_finance", None, []),
    ("钱磊", Role.HANDLER, "13900000022", "fg_policy", None, []),
    ("吴静", Role.HANDLER, "13900000023", "fg_energy", None, []),
    ("郑涛", Role.HANDLER, "13900000024", "fg_land", None, []),
    ("冯雪", Role.HANDLER, "13900000025", "fg_talent", None, []),
    ("陈刚", Role.HANDLER, "13900000026", "fg_eco", None, []),
    ("褚燕", Role.HANDLER, "13900000027", "fg_fund", None, []),
    ("卫东升", Role.HANDLER, "13900000028", "tf_equipment", None, []),
    ("蒋芳", Role.HANDLER, "13900000029", "tf_it", None, []),
    ("沈冰", Role.HANDLER, "13900000030", "cty_rencheng", "任城区", []),
    ("韩梅", Role.HANDLER, "13900000031", "tf_materials", None, []),
    ("张伟", Role.CADRE, "13900000101", None, None, [0]),
    ("杨帆", Role.CADRE, "13900000102", None, None, [1, 14]),
    ("朱琳", Role.CADRE, "13900000103", None, None, [2, 15, 20]),
    ("秦海", Role.CADRE, "13900000104", None, None, [4, 10, 25]),
    ("许诺", Role.CADRE, "13900000105", None, None, [24, 40]),
    ("何平", Role.CADRE, "13900000106", None, None, [6, 41]),
    ("吕青", Role.CADRE, "13900000107", None, None, [26, 29]),
    ("施展", Role.CADRE, "13900000108", None, None, [30, 35]),
]


@dataclass
class DemoRefs:
    """Ids of the demo rows, for tests and the console."""

    enterprise_ids: list[int]
    user_ids: dict[str, int]  # by name


async def has_demo(session: AsyncSession) -> bool:
    """True when the demo enterprises are already there."""
    first = ENTERPRISES[0][0]
    return bool(await session.scalar(select(func.count()).select_from(Enterprise).where(Enterprise.name == first)))


async def seed_demo(session: AsyncSession) -> DemoRefs:
    """Insert the demo data once (idempotent) and return the ids."""
    units = {u.name: u for u in (await session.scalars(select(OrgUnit))).all()}
    units_by_code = {u.code: u for u in units.values()}
    if not await has_demo(session):
        ents = []
        for i, (name, county, cluster, tags, revenue, staff, products) in enumerate(ENTERPRISES):
            ent = Enterprise(
                name=name, county_id=units[county].id, cluster=cluster, tags=list(tags), revenue_wan=revenue,
                employees=staff, main_products=products, contact_name="企业联系人",
                contact_phone=f"0537-{3100000 + i:07d}", credit_code=f"91370800MA{i:08d}",
            )
            ents.append(ent)
        session.add_all(ents)
        await session.flush()
        for name, role, phone, unit_code, county, ent_idx in USERS:
            unit = units_by_code.get(unit_code) if unit_code else None
            user = User(
                name=name, role=str(role), phone=phone, unit_id=unit.id if unit else None,
                county_id=units[county].id if county else None, active=True, blocked_bot=False, mute_weekly=False,
            )
            session.add(user)
            await session.flush()
            for idx in ent_idx:
                session.add(CadreEnterprise(user_id=user.id, enterprise_id=ents[idx].id))
        admin = await session.scalar(select(User).where(User.phone == USERS[0][2]))
        session.add(ChatGroup(chat_id=DEMO_GROUP_CHAT_ID, title="攀登干部交流群（演示）", enrolled_by=admin.id, active=True))
        await session.flush()
    ent_rows = (await session.scalars(select(Enterprise).where(Enterprise.name.in_([e[0] for e in ENTERPRISES])))).all()
    by_name = {e.name: e.id for e in ent_rows}
    users = (await session.scalars(select(User).where(User.phone.in_([u[2] for u in USERS])))).unique().all()
    return DemoRefs([by_name[e[0]] for e in ENTERPRISES], {u.name: u.id for u in users})
