"""Security events in the audit trail (安全事件审计): logins, logouts, address lockouts (django-axes).

Failed logins, the login protection's refusals and account locks are written by
portal/login_guard.py; password changes and resets by portal/views/passwords.py; admin changes of
policy tables by portal/admin.py's ``AuditedPolicyAdmin``.
"""

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import post_save
from django.utils.translation import gettext as _

from portal import audit


def _logged_in(sender, request, user, **kwargs):
    audit.record("auth.login", obj=user, actor=user, request=request, summary=_("登录"))


def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit.record("auth.logout", obj=user, actor=user, request=request, summary=_("退出登录"))


def _locked_out(sender, request, username, ip_address, **kwargs):
    user = get_user_model().objects.filter(username=(username or "").strip()).first()
    audit.record("auth.login.address_locked", obj=user, request=request,
                 summary=_("同一地址连续登录失败，该用户名在此地址暂时锁定"))


# Never copied from an admin change into the trail: secrets and the encrypted ID number.
_SECRET_FIELDS = {"password", "id_number", "id_hash", "lookup_hash", "key", "secret"}


def _admin_changed(sender, instance, created, **kwargs):
    """Every add, change or delete made in the admin site (policy tables, accounts and their roles,
    agencies, the calendar …) lands in the audit trail with the values it left behind."""
    from django.contrib.admin.models import ADDITION, CHANGE, DELETION

    if not created:
        return
    entry = instance
    action = {ADDITION: "admin.added", CHANGE: "admin.changed", DELETION: "admin.deleted"}.get(entry.action_flag)
    if action is None:
        return
    model = entry.content_type.model_class() if entry.content_type_id else None
    values = {}
    obj = None
    if model is not None and entry.action_flag != DELETION:
        obj = model._default_manager.filter(pk=entry.object_id).first()
    if obj is not None:
        for field in obj._meta.concrete_fields:
            if field.name in _SECRET_FIELDS or "hash" in field.name:
                continue
            value = field.value_from_object(obj)
            values[field.name] = value if isinstance(value, bool | int | type(None)) else str(value)[:200]
        if hasattr(obj, "groups") and model._meta.label_lower == "portal.user":
            values["groups"] = sorted(obj.groups.values_list("name", flat=True))
    audit.record(
        action, obj=obj, actor=entry.user,
        summary=_("管理后台：%(what)s %(obj)s") % {
            "what": entry.get_change_message() or entry.get_action_flag_display(), "obj": entry.object_repr},
        data={"model": model._meta.label_lower if model else "", "object_id": entry.object_id, "values": values},
    )


def connect() -> None:
    user_logged_in.connect(_logged_in, dispatch_uid="portal.security_events.logged_in")
    user_logged_out.connect(_logged_out, dispatch_uid="portal.security_events.logged_out")
    user_locked_out.connect(_locked_out, dispatch_uid="portal.security_events.locked_out")
    from django.contrib.admin.models import LogEntry

    post_save.connect(_admin_changed, sender=LogEntry, dispatch_uid="portal.security_events.admin_changed")
