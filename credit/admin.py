"""Admin: read-mostly views of credit data. Status changes go through the services (the portal's UI)."""

from django.contrib import admin

from portal.admin import ReadOnlyAdmin

from .models import (
    Attachment,
    CommitmentOutcome,
    CreditRepair,
    DishonestyRecord,
    JointPunishmentCheck,
    Objection,
    PushOutbox,
    SeverityPolicy,
)


@admin.register(SeverityPolicy)
class SeverityPolicyAdmin(ReadOnlyAdmin):
    """Shown only: the credit officers' page (信用管理 › 失信分级规则) changes a policy after 确认身份."""

    list_display = ["severity", "min_publicity_months", "default_publicity_months", "max_publicity_months",
                    "bars_commitment", "mandatory_onsite", "blacklists", "min_months_before_repair", "repair_cooldown_months"]


@admin.register(DishonestyRecord)
class DishonestyRecordAdmin(ReadOnlyAdmin):
    list_display = ["decision_number", "subject", "kind", "severity", "status", "publicity_end", "blacklisted"]
    list_filter = ["status", "severity", "kind", "blacklisted"]
    search_fields = ["decision_number", "subject__name"]
    raw_id_fields = ["subject", "deciding_agency", "entered_by"]


@admin.register(CreditRepair)
class CreditRepairAdmin(ReadOnlyAdmin):
    list_display = ["pk", "record", "status", "due_on", "overdue"]
    list_filter = ["status", "overdue"]


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    list_display = ["pk", "record", "status", "due_on", "overdue"]
    list_filter = ["status", "overdue"]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "content_type", "size", "uploaded_at"]
    exclude = ["file"]  # no link to the stored object (a presigned URL with S3); credit:attachment streams it


@admin.register(CommitmentOutcome)
class CommitmentOutcomeAdmin(ReadOnlyAdmin):
    list_display = ["commitment_ref", "subject", "outcome", "recorded_at"]


@admin.register(PushOutbox)
class PushOutboxAdmin(ReadOnlyAdmin):
    list_display = ["pk", "record", "event", "status", "attempts", "last_error", "created_at", "delivered_at"]
    list_filter = ["status", "event"]


@admin.register(JointPunishmentCheck)
class JointPunishmentCheckAdmin(ReadOnlyAdmin):
    """联合惩戒名单查询: the national platform's answers, each with its time (eligibility records)."""

    list_display = ["subject", "state", "checked_at", "error"]
    list_filter = ["state"]
