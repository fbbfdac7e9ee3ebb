"""Read-mostly admin: signed commitments and the audit trail are changed only through services."""

from django.contrib import admin

from portal.admin import ReadOnlyAdmin

from .models import Application, Commitment, OneTimeNotice, ProofDocument, Requirement


class RequirementInline(admin.TabularInline):
    model = Requirement
    extra = 0
    fields = ("seq", "matter", "mode", "proof_only")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ("number", "service", "subject", "agency", "channel", "state", "created_at")
    list_filter = ("state", "channel", "agency")
    search_fields = ("number", "service__name", "subject__name")
    list_select_related = ("service", "subject", "agency")
    inlines = [RequirementInline]


@admin.register(Commitment)
class CommitmentAdmin(ReadOnlyAdmin):
    list_display = ("letter_number", "matter_name", "subject_name", "method", "state", "signed_at")
    list_filter = ("state", "method")
    search_fields = ("letter_number", "matter_name")
    # No file fields: the admin would link to the object (a presigned URL with S3); the views stream files.
    exclude = ("notification", "letter_file", "paper_scan")


@admin.register(ProofDocument)
class ProofDocumentAdmin(ReadOnlyAdmin):
    list_display = ("original_name", "content_type", "size", "uploaded_at")
    exclude = ("file",)  # downloaded through commitments:proof, which checks access


@admin.register(OneTimeNotice)
class OneTimeNoticeAdmin(ReadOnlyAdmin):
    list_display = ("number", "application", "due_date", "issued_at")
