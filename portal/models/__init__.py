"""The shared kernel's data: accounts, agencies, subjects, the audit trail and the working-day calendar."""

from .agencies import Agency
from .audit import AuditEvent
from .notices import NoticeAgency, SupervisionNotice
from .security import LoginThrottle
from .subjects import Subject
from .users import User
from .workdays import Workday

__all__ = ["Agency", "AuditEvent", "LoginThrottle", "NoticeAgency", "Subject", "SupervisionNotice", "User", "Workday"]
