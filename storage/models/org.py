"""The organisation: units (city office, task forces, factor groups, counties), enterprises, users."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow


class UnitKind(StrEnum):
    """What kind of organisational unit a row is."""

    CITY_OFFICE = "city_office"  # 市指挥部办公室
    TASK_FORCE = "task_force"  # 产业集群发展专班
    FACTOR_GROUP = "factor_group"  # 要素保障组
    COUNTY = "county"  # 县级指挥部 (also the unit for appeals handled at county level)


class Role(StrEnum):
    """A user's role in the bot."""

    CADRE = "cadre"  # 驻企干部
    HANDLER = "handler"  # 责任单位经办人 (专班/保障组/县部门)
    REVIEWER = "reviewer"  # 县级指挥部审核人
    ADMIN = "admin"  # 市指挥部办公室


ROLE_NAMES = {Role.CADRE: "驻企干部", Role.HANDLER: "责任单位", Role.REVIEWER: "县级审核", Role.ADMIN: "市指挥部办公室"}


class OrgUnit(Base):
    """A unit of the 1+7+7+N structure; seeded by the first migration."""

    __tablename__ = "org_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    # Task forces: the industry cluster they serve. Factor groups: the appeal category they take.
    cluster: Mapped[str | None] = mapped_column(String(40))
    category: Mapped[str | None] = mapped_column(String(20))


class Enterprise(Base):
    """A climbing enterprise (攀登企业) and its file (一企一档) basics."""

    __tablename__ = "enterprises"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    credit_code: Mapped[str | None] = mapped_column(String(32), unique=True)
    # 户号: the grid company's account number, matched by the power-use import.
    power_account: Mapped[str | None] = mapped_column(String(40), unique=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    cluster: Mapped[str] = mapped_column(String(40))
    # e.g. ["规上", "专精特新", "高新技术企业"]
    tags: Mapped[list] = mapped_column(JSON, default=list)
    revenue_wan: Mapped[float | None] = mapped_column(Float)  # 营业收入, 万元
    employees: Mapped[int | None] = mapped_column()
    main_products: Mapped[str | None] = mapped_column(Text)
    contact_name: Mapped[str | None] = mapped_column(String(40))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    county: Mapped[OrgUnit] = relationship(lazy="joined")


class User(Base):
    """A person using the bot; bound to chat accounts (platform_accounts) through an invite or an import."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(20), index=True)
    phone: Mapped[str | None] = mapped_column(String(40), unique=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)  # handlers, admins
    county_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)  # reviewers
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    blocked_bot: Mapped[bool] = mapped_column(Boolean, default=False)
    mute_weekly: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[OrgUnit | None] = relationship(foreign_keys=[unit_id], lazy="joined")
    county: Mapped[OrgUnit | None] = relationship(foreign_keys=[county_id], lazy="joined")


class CadreEnterprise(Base):
    """Which enterprises a resident cadre is stationed in (one cadre may serve several)."""

    __tablename__ = "cadre_enterprises"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), primary_key=True)
