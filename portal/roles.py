"""Roles (Django groups) and the checks views use. Scoping of rows lives in each app's selectors."""

from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Role:
    name: str
    label: str
    staff: bool


APPLICANT = "applicant"
WINDOW_CLERK = "window_clerk"
VERIFIER = "verifier"
INSPECTOR = "inspector"
CATALOGUE_EDITOR = "catalogue_editor"
JUSTICE_REVIEWER = "justice_reviewer"
GOVERNMENT_APPROVER = "government_approver"
CREDIT_OFFICER = "credit_officer"
COMPLAINTS_OPERATOR = "complaints_operator"
SUPERVISOR = "supervisor"
# §三: 市行政审批服务局 leads with the justice bureau (window service standards, one-time notices, complaint follow-up)
SERVICE_STANDARDS_OFFICER = "service_standards_officer"

ROLES: dict[str, Role] = {
    r.name: r
    for r in [
        Role(APPLICANT, _("申请人（群众和企业）"), staff=False),
        Role(WINDOW_CLERK, _("窗口工作人员"), staff=True),
        Role(VERIFIER, _("核查人员"), staff=True),
        Role(INSPECTOR, _("现场检查人员"), staff=True),
        Role(CATALOGUE_EDITOR, _("清单编制人员"), staff=True),
        Role(JUSTICE_REVIEWER, _("司法局审核人员"), staff=True),
        Role(GOVERNMENT_APPROVER, _("政府审批人员"), staff=True),
        Role(CREDIT_OFFICER, _("信用管理人员"), staff=True),
        Role(COMPLAINTS_OPERATOR, _("12345 热线话务员"), staff=True),
        Role(SUPERVISOR, _("监督人员"), staff=True),
        Role(SERVICE_STANDARDS_OFFICER, _("行政审批服务局窗口标准人员"), staff=True),
    ]
}
STAFF_ROLES = tuple(name for name, role in ROLES.items() if role.staff)

# Roles that must log in with a second factor (a TOTP authenticator app), as must superusers:
# credit officers put people on the public blacklist, approvers approve and publish catalogues.
TWO_FACTOR_ROLES = (CREDIT_OFFICER, GOVERNMENT_APPROVER)


def role_names(user) -> set[str]:
    """The user's roles, read once per request object."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_role_names", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._role_names = cached
    return cached


def has_role(user, *names: str) -> bool:
    return bool(role_names(user) & set(names))


def is_staff_member(user) -> bool:
    return has_role(user, *STAFF_ROLES)


def requires_two_factor(user) -> bool:
    """Whether this account must prove a second factor (superusers and ``TWO_FACTOR_ROLES``)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or has_role(user, *TWO_FACTOR_ROLES))


def second_factor_pending(user) -> bool:
    """Logged in with a password only, though the account needs a verified second factor.

    ``is_verified`` is installed on ``request.user`` by django-otp's middleware; a user object
    without it (not from a request) has proved nothing."""
    if not requires_two_factor(user):
        return False
    is_verified = getattr(user, "is_verified", None)
    return not (callable(is_verified) and is_verified())


def role_required(*names: str):
    """View decorator: anonymous → login page; logged in without one of ``names`` → 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not (request.user.is_superuser or has_role(request.user, *names)):
                raise PermissionDenied(_("您没有访问此页面的权限。"))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
