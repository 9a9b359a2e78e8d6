"""Core schema: organisation, users, enterprises, appeals, chat plumbing; seeds the real structure.

Revision ID: 0001_core
Revises:
"""
import sqlalchemy as sa
from alembic import op

from storage.models.base import BigInt, UTCDateTime

revision = "0001_core"
down_revision = None
branch_labels = None
depends_on = None

# Inlined on purpose: a migration must not change when application constants do.
UNITS = [
    ("city", "市制造强市建设指挥部办公室", "city_office", None, None),
    ("tf_equipment", "高端装备产业集群发展专班", "task_force", "高端装备", None),
    ("tf_chemical", "高端化工产业集群发展专班", "task_force", "高端化工", None),
    ("tf_it", "新一代信息技术产业集群发展专班", "task_force", "新一代信息技术", None),
    ("tf_newenergy", "新能源产业集群发展专班", "task_force", "新能源", None),
    ("tf_materials", "新材料产业集群发展专班", "task_force", "新材料", None),
    ("tf_medicine", "医药产业集群发展专班", "task_force", "医药", None),
    ("tf_green", "节能环保产业集群发展专班", "task_force", "节能环保", None),
    ("fg_talent", "人才要素保障组", "factor_group", None, "人才"),
    ("fg_policy", "政策支持要素保障组", "factor_group", None, "政策"),
    ("fg_finance", "金融要素保障组", "factor_group", None, "金融"),
    ("fg_fund", "基金要素保障组", "factor_group", None, "基金"),
    ("fg_land", "土地要素保障组", "factor_group", None, "土地"),
    ("fg_eco", "生态环境要素保障组", "factor_group", None, "生态环境"),
    ("fg_energy", "能源要素保障组", "factor_group", None, "能源"),
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


def _id():
    return sa.Column("id", BigInt, primary_key=True)


def _ts(name, nullable=True, index=False):
    return sa.Column(name, UTCDateTime(), nullable=nullable, index=index)


def upgrade() -> None:
    units = op.create_table(
        "org_units",
        _id(),
        sa.Column("code", sa.String(40), nullable=False, unique=True),
        sa.Column("name", sa.String(80), nullable=False, unique=True),
        sa.Column("kind", sa.String(20), nullable=False, index=True),
        sa.Column("cluster", sa.String(40)),
        sa.Column("category", sa.String(20)),
    )
    op.create_table(
        "enterprises",
        _id(),
        sa.Column("name", sa.String(120), nullable=False, unique=True),
        sa.Column("credit_code", sa.String(32), unique=True),
        sa.Column("county_id", BigInt, sa.ForeignKey("org_units.id"), nullable=False, index=True),
        sa.Column("cluster", sa.String(40), nullable=False),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("revenue_wan", sa.Float),
        sa.Column("employees", BigInt),
        sa.Column("main_products", sa.Text),
        sa.Column("contact_name", sa.String(40)),
        sa.Column("contact_phone", sa.String(40)),
        sa.Column("address", sa.String(200)),
        _ts("created_at", nullable=False),
    )
    op.create_table(
        "users",
        _id(),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("role", sa.String(20), nullable=False, index=True),
        sa.Column("phone", sa.String(40), unique=True),
        sa.Column("unit_id", BigInt, sa.ForeignKey("org_units.id"), index=True),
        sa.Column("county_id", BigInt, sa.ForeignKey("org_units.id"), index=True),
        sa.Column("telegram_id", sa.BigInteger, unique=True),
        sa.Column("telegram_username", sa.String(64)),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("blocked_bot", sa.Boolean, nullable=False),
        sa.Column("mute_weekly", sa.Boolean, nullable=False),
        _ts("created_at", nullable=False),
    )
    op.create_table(
        "cadre_enterprises",
        sa.Column("user_id", BigInt, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("enterprise_id", BigInt, sa.ForeignKey("enterprises.id", ondelete="CASCADE"), primary_key=True),
    )
    op.create_table(
        "appeals",
        _id(),
        sa.Column("enterprise_id", BigInt, sa.ForeignKey("enterprises.id"), nullable=False, index=True),
        sa.Column("cadre_id", BigInt, sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("county_id", BigInt, sa.ForeignKey("org_units.id"), nullable=False, index=True),
        sa.Column("category", sa.String(20), nullable=False, index=True),
        sa.Column("category_confidence", sa.Float),
        sa.Column("urgency", sa.String(1), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("level", sa.String(10), nullable=False),
        sa.Column("routed_unit_id", BigInt, sa.ForeignKey("org_units.id")),
        sa.Column("unit_id", BigInt, sa.ForeignKey("org_units.id"), index=True),
        sa.Column("consulted", sa.Boolean, nullable=False),
        _ts("assigned_at"),
        sa.Column("deadline", sa.Date, index=True),
        sa.Column("extension_state", sa.String(10)),
        sa.Column("extension_days", sa.Integer),
        sa.Column("extension_reason", sa.Text),
        sa.Column("result", sa.Text),
        sa.Column("explanation", sa.Text),
        sa.Column("outcome", sa.String(10)),
        _ts("finished_at"),
        sa.Column("satisfaction", sa.String(10)),
        sa.Column("redo_count", sa.Integer, nullable=False),
        sa.Column("duplicate_of_id", BigInt, sa.ForeignKey("appeals.id")),
        _ts("closed_at"),
        _ts("last_activity_at", nullable=False),
        _ts("created_at", nullable=False, index=True),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_table(
        "appeal_events",
        _id(),
        sa.Column("appeal_id", BigInt, sa.ForeignKey("appeals.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("actor_id", BigInt, sa.ForeignKey("users.id")),
        _ts("at", nullable=False),
        sa.Column("action", sa.String(30), nullable=False),
        sa.Column("from_status", sa.String(20)),
        sa.Column("to_status", sa.String(20)),
        sa.Column("note", sa.Text),
    )
    op.create_table(
        "appeal_attachments",
        _id(),
        sa.Column("appeal_id", BigInt, sa.ForeignKey("appeals.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("file_id", sa.String(200), nullable=False),
        sa.Column("file_name", sa.String(200)),
        _ts("created_at", nullable=False),
    )
    op.create_table(
        "dialog_states",
        sa.Column("user_id", BigInt, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("chat_id", sa.BigInteger, nullable=False),
        sa.Column("flow", sa.String(40), nullable=False),
        sa.Column("step", sa.String(40), nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        _ts("updated_at", nullable=False),
    )
    op.create_table(
        "processed_updates",
        sa.Column("platform", sa.String(16), primary_key=True),
        sa.Column("update_id", sa.BigInteger, primary_key=True, autoincrement=False),
        _ts("at", nullable=False, index=True),
    )
    op.create_table(
        "outbox",
        _id(),
        sa.Column("user_id", BigInt, sa.ForeignKey("users.id"), index=True),
        sa.Column("chat_id", sa.BigInteger),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("buttons", sa.JSON),
        sa.Column("dedupe_key", sa.String(200), unique=True),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        _ts("next_attempt_at", nullable=False, index=True),
        _ts("claimed_until"),
        sa.Column("last_error", sa.Text),
        _ts("created_at", nullable=False),
        _ts("sent_at"),
    )
    op.create_table(
        "chat_groups",
        _id(),
        sa.Column("chat_id", sa.BigInteger, nullable=False, unique=True),
        sa.Column("title", sa.String(200)),
        sa.Column("enrolled_by", BigInt, sa.ForeignKey("users.id")),
        sa.Column("active", sa.Boolean, nullable=False),
        _ts("created_at", nullable=False),
    )
    op.create_table(
        "invites",
        sa.Column("code", sa.String(40), primary_key=True),
        sa.Column("user_id", BigInt, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_by", BigInt, sa.ForeignKey("users.id")),
        _ts("created_at", nullable=False),
        _ts("used_at"),
        sa.Column("note", sa.Text),
    )
    op.bulk_insert(
        units,
        [dict(code=c, name=n, kind=k, cluster=cl, category=cat) for c, n, k, cl, cat in UNITS],
    )


def downgrade() -> None:
    for table in (
        "invites", "chat_groups", "outbox", "processed_updates", "dialog_states", "appeal_attachments",
        "appeal_events", "appeals", "cadre_enterprises", "users", "enterprises", "org_units",
    ):
        op.drop_table(table)
