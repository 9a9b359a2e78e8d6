"""All tables; importing this package registers every model on Base.metadata."""
from . import accounts, appeals, audit, calendar, chat, org, policy, power, reminders, supply  # noqa: F401
from .accounts import PlatformAccount
from .appeals import CATEGORIES, Appeal, AppealAttachment, AppealEvent, AppealStatus, STATUS_NAMES
from .audit import AuditEntry
from .base import Base, utcnow
from .chat import ChatGroup, DialogState, Invite, Outbox, OutboxStatus, ProcessedUpdate
from .org import ROLE_NAMES, CadreEnterprise, Enterprise, OrgUnit, Role, UnitKind, User

__all__ = [
    "Appeal", "AppealAttachment", "AppealEvent", "AppealStatus", "AuditEntry", "Base", "CATEGORIES", "CadreEnterprise",
    "ChatGroup", "DialogState", "Enterprise", "Invite", "OrgUnit", "Outbox", "OutboxStatus", "PlatformAccount",
    "ProcessedUpdate", "ROLE_NAMES", "Role", "STATUS_NAMES", "UnitKind", "User", "utcnow",
]
