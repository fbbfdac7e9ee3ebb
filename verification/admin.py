from django.contrib import admin

from portal.admin import ReadOnlyAdmin

from . import services
from .models import (
    AssistanceRequest,
    SpotCheckPlan,
    SpotCheckRun,
    VerificationPolicy,
    VerificationTask,
)


@admin.register(VerificationPolicy)
class VerificationPolicyAdmin(admin.ModelAdmin):
    list_display = ("level", "sample_percent", "verify_exempt_matters", "force_on_site", "note", "updated_at")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        values = {f: form.cleaned_data[f] for f in form.changed_data}
        services.update_policy(VerificationPolicy.objects.get(pk=obj.pk), actor=request.user, request=request, **values)


@admin.register(SpotCheckPlan)
class SpotCheckPlanAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "frequency", "ratio_permille", "inspectors_per_check", "active")
    filter_horizontal = ("agencies", "inspectors")



@admin.register(SpotCheckRun)
class SpotCheckRunAdmin(ReadOnlyAdmin):
    list_display = ("plan", "period", "pool_size", "sample_size", "seed", "drawn_at", "published_at")


@admin.register(VerificationTask)
class VerificationTaskAdmin(ReadOnlyAdmin):
    list_display = ("pk", "agency", "matter", "method", "origin", "state", "result", "due_date", "claimed_by")
    list_filter = ("state", "method", "origin")
    list_select_related = ("agency", "matter", "claimed_by")


@admin.register(AssistanceRequest)
class AssistanceRequestAdmin(ReadOnlyAdmin):
    list_display = ("number", "from_agency", "to_agency", "state", "due_date", "answered_on_time")
    list_filter = ("state",)
    list_select_related = ("from_agency", "to_agency")
