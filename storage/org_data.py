"""The real structure of Jining's headquarters (1+7+7+14), as seeded by the first migration."""
from __future__ import annotations

CLUSTERS = ("高端装备", "高端化工", "新一代信息技术", "新能源", "新材料", "医药", "节能环保")

# (code, name, kind, cluster, category)
CITY_OFFICE = ("city", "市制造强市建设指挥部办公室", "city_office", None, None)
TASK_FORCES = [
    ("tf_equipment", "高端装备产业集群发展专班", "task_force", "高端装备", None),
    ("tf_chemical", "高端化工产业集群发展专班", "task_force", "高端化工", None),
    ("tf_it", "新一代信息技术产业集群发展专班", "task_force", "新一代信息技术", None),
    ("tf_newenergy", "新能源产业集群发展专班", "task_force", "新能源", None),
    ("tf_materials", "新材料产业集群发展专班", "task_force", "新材料", None),
    ("tf_medicine", "医药产业集群发展专班", "task_force", "医药", None),
    ("tf_green", "节能环保产业集群发展专班", "task_force", "节能环保", None),
]
FACTOR_GROUPS = [
    ("fg_talent", "人才要素保障组", "factor_group", None, "人才"),
    ("fg_policy", "政策支持要素保障组", "factor_group", None, "政策"),
    ("fg_finance", "金融要素保障组", "factor_group", None, "金融"),
    ("fg_fund", "基金要素保障组", "factor_group", None, "基金"),
    ("fg_land", "土地要素保障组", "factor_group", None, "土地"),
    ("fg_eco", "生态环境要素保障组", "factor_group", None, "生态环境"),
    ("fg_energy", "能源要素保障组", "factor_group", None, "能源"),
]
COUNTIES = [
    ("cty_rencheng", "任城区", "county", None, None),
    ("cty_yanzhou", "兖州区", "county", None, None),
    ("cty_qufu", "曲阜市", "county", None, None),
    ("cty_zoucheng", "邹城市", "county", None, None),
    ("cty_weishan", "微山县", "county", None, None),
    ("cty_yutai", "鱼台县", "county", None, None),
    ("cty_jinxiang", "金乡县", "county", None, None),
    ("cty_jiaxiang", "嘉祥县", "county", None, None),
    ("cty_wenshang", "汶上县", "county", None, None),
    ("cty_sishui", "泗水县", "county", None, None),
    ("cty_liangshan", "梁山县", "county", None, None),
    ("cty_gaoxin", "济宁高新区", "county", None, None),
    ("cty_jingkai", "济宁经济技术开发区", "county", None, None),
    ("cty_taibaihu", "太白湖新区", "county", None, None),
]
ALL_UNITS = [CITY_OFFICE, *TASK_FORCES, *FACTOR_GROUPS, *COUNTIES]

# Short names people type for counties (经开区 for 济宁经济技术开发区 ...).
COUNTY_ALIASES = {"高新区": "济宁高新区", "经开区": "济宁经济技术开发区", "济宁经开区": "济宁经济技术开发区", "太白湖": "太白湖新区"}
