"""The shared kernel's data: accounts, agencies, subjects, the audit trail and the working-day calendar."""

from .agencies import Agency
from .audit import AuditEvent
from .identity import BindingCode
from .messages import Delivery, Message, NotificationSettings
from .notices import NoticeAgency, SupervisionNotice
from .rollup import DailyCount
from .security import LoginThrottle
from .subjects import Subject
from .users import User
from .workdays import HolidaySchedule, ProvisionalDeadline, Workday

__all__ = [
    "Agency", "AuditEvent", "BindingCode", "DailyCount", "Delivery", "HolidaySchedule", "LoginThrottle",
    "Message", "NoticeAgency", "NotificationSettings", "ProvisionalDeadline", "Subject", "SupervisionNotice", "User",
    "Workday",
]
