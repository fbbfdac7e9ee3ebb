from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from portal import holidays, login_guard, two_factor
from portal.models import (
    Agency,
    AuditEvent,
    Delivery,
    HolidaySchedule,
    ProvisionalDeadline,
    Subject,
    User,
    Workday,
)


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
    list_display = ("name", "kind", "id_type", "id_masked", "created_at")
    list_filter = ("kind", "id_type")
    search_fields = ("name",)
    readonly_fields = ("id_type", "id_masked")
    exclude = ("id_number",)

    def has_add_permission(self, request):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "chain", "seq", "action", "actor", "agency", "object_type", "object_id", "from_state", "to_state")
    list_filter = ("action", "object_type")
    date_hierarchy = "at"


@admin.register(Workday)
class WorkdayAdmin(admin.ModelAdmin):
    """Single days of the calendar; a whole year's schedule is entered under 年度节假日安排."""

    list_display = ("date", "is_workday", "note")
    list_filter = ("is_workday",)
    date_hierarchy = "date"


class HolidayScheduleForm(forms.ModelForm):
    text = forms.CharField(
        label=_("通知正文或CSV"), required=False, widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("粘贴国务院办公厅通知中“一、元旦：……”至“七、国庆节：……”各行；或CSV，每行“日期,类型,说明”，"
                    "类型为“休”或“班”。留空表示已在“工作日历”中逐日录入，只标记该年度安排已发布。"),
    )

    class Meta:
        model = HolidaySchedule
        fields = ["year", "document"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].required = False
        self.fields["year"].help_text = _("通知正文写明年份时可不填。")

    def validate_unique(self):
        """Entering a year again replaces it (a corrected notice), so an existing year is no error."""

    def clean(self):
        data = super().clean()
        text, year = data.get("text", ""), data.get("year")
        if text.strip():
            try:
                self.parsed = holidays.parse_schedule(text, year=year)
            except ValidationError as exc:
                self.add_error("text", exc)
                return data
            self.source = HolidaySchedule.Source.CSV if self.parsed.document == "CSV" else HolidaySchedule.Source.NOTICE
            if data.get("document"):
                self.parsed.document = data["document"]
        elif not year:
            self.add_error("year", _("请填写年份，或粘贴通知正文。"))
        else:
            self.parsed = holidays.ParsedSchedule(year=year, days={}, document=data.get("document") or "")
            self.source = HolidaySchedule.Source.ADMIN
        return data


@admin.register(HolidaySchedule)
class HolidayScheduleAdmin(admin.ModelAdmin):
    """年度节假日安排: paste the State Council's notice each November/December (docs/operations.md)."""

    form = HolidayScheduleForm
    list_display = ("year", "source", "document", "entered_by", "entered_at")
    readonly_fields = ("source", "entered_by", "entered_at")

    def has_change_permission(self, request, obj=None):
        return False  # enter the year again to correct it

    def save_model(self, request, obj, form, change):
        schedule = holidays.enter_schedule(form.parsed, source=form.source, actor=request.user, request=request,
                                           replace_days=form.source != HolidaySchedule.Source.ADMIN)
        obj.pk = obj.year = schedule.year
        # Counted again at once (bounded, idempotent); the hourly beat would do it anyway.
        transaction.on_commit(holidays.settle_provisional_deadlines)
        self.message_user(request, _("%(year)d年节假日安排已录入；暂定期限将按新安排重算并通知相关人员。") % {"year": schedule.year},
                          messages.SUCCESS)


@admin.register(ProvisionalDeadline)
class ProvisionalDeadlineAdmin(ReadOnlyAdmin):
    list_display = ("model", "object_id", "field", "start", "workdays", "due", "settled_at", "settled_due")
    list_filter = ("model", ("settled_at", admin.EmptyFieldListFilter))
@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    """The e-mail/SMS outbox: what is pending, sent or failed, and why (docs/operations.md)."""

    list_display = ("created_at", "channel", "status", "attempts", "last_error", "sent_at", "message")
    list_filter = ("status", "channel")
    date_hierarchy = "created_at"
    raw_id_fields = ("message",)
