from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from portal import login_guard, two_factor
from portal.models import Agency, AuditEvent, Subject, User, Workday


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records written only through services (audit, signed letters, spot checks): look, never touch."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Staff accounts are created here, by administrators only (citizens register themselves)."""

    list_display = ("username", "full_name", "agency", "mobile", "is_active", "last_login")
    list_filter = ("groups", "agency", "is_active", "is_superuser")
    search_fields = ("username", "full_name", "mobile")
    autocomplete_fields = ("agency",)
    raw_id_fields = ("subject",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("full_name", "mobile", "email")}),
        (_("所属"), {"fields": ("agency", "subject")}),
        (_("角色和权限"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("时间"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "full_name", "agency", "groups", "password1", "password2")}),
    )
    actions = ["reset_two_factor", "unlock_login"]

    @admin.action(description=_("重置双因素认证（手机丢失或更换时）"))
    def reset_two_factor(self, request, queryset):
        """The user binds a new authenticator app at the next login (docs/roles/administrator.md)."""
        users = list(queryset)
        for user in users:
            two_factor.reset_devices(user, actor=request.user, request=request)
        self.message_user(request, _("已重置 %(n)s 个账号的验证器绑定；这些用户下次登录时须重新绑定。") % {"n": len(users)},
                          messages.SUCCESS)


    @admin.action(description=_("解除登录锁定（已核实本人身份后）"))
    def unlock_login(self, request, queryset):
        """Lifts the per-account login lock before it runs out (docs/roles/administrator.md)."""
        users = list(queryset)
        for user in users:
            login_guard.unlock(user, actor=request.user, request=request)
        self.message_user(request, _("已解除 %(n)s 个账号的登录锁定。") % {"n": len(users)}, messages.SUCCESS)


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "level", "parent", "is_active")
    list_filter = ("kind", "level", "is_active")
    search_fields = ("name", "code")
    autocomplete_fields = ("parent",)


@admin.register(Subject)
class SubjectAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "id_masked", "created_at")
    list_filter = ("kind",)
    search_fields = ("name",)
    readonly_fields = ("id_masked",)
    exclude = ("id_number",)

    def has_add_permission(self, request):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("seq", "at", "action", "actor", "agency", "object_type", "object_id", "from_state", "to_state")
    list_filter = ("action", "object_type")
    date_hierarchy = "at"


@admin.register(Workday)
class WorkdayAdmin(admin.ModelAdmin):
    """Administrators add next year's holidays and 调休 days here when the package lags behind."""

    list_display = ("date", "is_workday", "note")
    list_filter = ("is_workday",)
    date_hierarchy = "date"
