"""Nobody's queue: an appeal whose next actor does not exist goes to the level above.

A county without an active reviewer hands its reviews (and extension decisions) to the city office;
a unit without an active handler leaves its appeals with the county reviewer (county-level appeals)
or the city office. The rule is computed from who is enrolled now, so enrolling someone later puts
the appeal back in their queue without any data change.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, or_, select

from storage.models import Appeal, AppealStatus, OrgUnit, Role, User, UnitKind
from storage.models.appeals import CLOCK_RUNNING

from .rules import short_unit

S = AppealStatus
RUNNING = list(CLOCK_RUNNING)


def no_reviewer():
    """SQL: the appeal's county has no active reviewer."""
    return ~exists(select(User.id).where(User.role == Role.REVIEWER, User.active.is_(True), User.county_id == Appeal.county_id))


def no_handler():
    """SQL: the appeal's responsible unit has no active handler."""
    return ~exists(select(User.id).where(User.role == Role.HANDLER, User.active.is_(True), User.unit_id == Appeal.unit_id))


def waits_on_missing_for_admin():
    """SQL: appeals the city office must take because the person who should act does not exist."""
    county_level = Appeal.level == "county"
    return or_(
        (Appeal.status == S.SUBMITTED) & no_reviewer(),
        Appeal.status.in_(RUNNING) & Appeal.unit_id.is_not(None) & no_handler() & (~county_level | no_reviewer()),
        Appeal.status.in_(RUNNING) & county_level & (Appeal.extension_state == "pending") & no_reviewer(),
        (Appeal.status == S.DISPUTED) & county_level & no_reviewer(),
    )


def waits_on_missing_for_reviewer(county_id: int):
    """SQL: county-level appeals of the county whose unit has nobody to work them."""
    return (Appeal.county_id == county_id) & (Appeal.level == "county") & Appeal.status.in_(RUNNING) \
        & Appeal.unit_id.is_not(None) & no_handler()


async def has_reviewer(session, county_id: int) -> bool:
    """True when the county has an active reviewer."""
    return bool(await session.scalar(select(exists().where(User.role == Role.REVIEWER, User.active.is_(True),
                                                           User.county_id == county_id))))


async def has_handler(session, unit_id: int) -> bool:
    """True when the unit has an active handler."""
    return bool(await session.scalar(select(exists().where(User.role == Role.HANDLER, User.active.is_(True),
                                                           User.unit_id == unit_id))))


@dataclass(frozen=True)
class StandIn:
    """Who takes the appeal instead of the missing person, and the line the card shows."""

    who: str  # admin | reviewer
    note: str


async def stand_in(session, appeal: Appeal) -> StandIn | None:
    """The level above that takes this appeal now, or None when the next actor exists."""
    status = S(appeal.status)
    county = appeal.county.name if appeal.county else "该县区"
    reviewer = await has_reviewer(session, appeal.county_id)
    if status == S.SUBMITTED and not reviewer:
        return StandIn("admin", f"⚠️ {county}暂无县级审核人员，由市指挥部办公室代为审核。")
    if status == S.DISPUTED and appeal.level == "county" and not reviewer:
        return StandIn("admin", f"⚠️ {county}暂无县级审核人员，由市指挥部办公室裁定。")
    if status in CLOCK_RUNNING and appeal.unit_id is not None and not await has_handler(session, appeal.unit_id):
        unit = short_unit(appeal.unit.name) if appeal.unit else "责任单位"
        if appeal.level == "county" and reviewer:
            return StandIn("reviewer", f"⚠️ {unit}暂无办理人员，由{county}县级指挥部代为跟进（可转办其他单位）。")
        return StandIn("admin", f"⚠️ {unit}暂无办理人员，由市指挥部办公室代为跟进（可转办或改派）。")
    if status in CLOCK_RUNNING and appeal.level == "county" and appeal.extension_state == "pending" and not reviewer:
        return StandIn("admin", f"⚠️ {county}暂无县级审核人员，延期申请由市指挥部办公室审批。")
    return None


async def unstaffed(session) -> tuple[list[OrgUnit], list[OrgUnit]]:
    """Counties without an active reviewer, and units (task forces, factor groups, county units
    that have appeals assigned) without an active handler."""
    units = list(await session.scalars(select(OrgUnit).where(OrgUnit.kind != UnitKind.CITY_OFFICE).order_by(OrgUnit.id)))
    reviewers = set(await session.scalars(select(User.county_id).where(User.role == Role.REVIEWER, User.active.is_(True))))
    handlers = set(await session.scalars(select(User.unit_id).where(User.role == Role.HANDLER, User.active.is_(True))))
    used = set(await session.scalars(select(Appeal.unit_id).where(Appeal.status.in_(RUNNING))))
    counties = [u for u in units if u.kind == UnitKind.COUNTY and u.id not in reviewers]
    empty = [u for u in units if u.id not in handlers and (u.kind != UnitKind.COUNTY or u.id in used)]
    return counties, empty
