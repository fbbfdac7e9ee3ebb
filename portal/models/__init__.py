"""The shared kernel's data: accounts, agencies, subjects, the audit trail and the working-day calendar."""

from .agencies import Agency
from .audit import AuditEvent
from .messages import Delivery, Message, NotificationSettings
from .notices import NoticeAgency, SupervisionNotice
from .subjects import Subject
from .users import User
from .workdays import Workday

__all__ = [
    "Agency", "AuditEvent", "Delivery", "Message", "NoticeAgency", "NotificationSettings", "Subject",
    "SupervisionNotice", "User", "Workday",
]
