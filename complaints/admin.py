from django.contrib import admin

from .models import DeadlinePolicy, ReplyTemplate, Ticket, TicketAttachment


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(admin.ModelAdmin):
    list_display = ("kind", "sign_days", "reply_days", "rating_days")


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(admin.ModelAdmin):
    list_display = ("title", "agency", "kind", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("title", "body")
    autocomplete_fields = ("agency",)


class AttachmentInline(admin.TabularInline):
    model = TicketAttachment
    extra = 0
    can_delete = False
    fields = ("part", "original_name", "content_type", "size", "uploaded_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Read-only: tickets change only through the desk's services (each change is audited)."""

    list_display = ("number", "kind", "channel", "state", "agency", "sign_due", "reply_due", "rating", "created_at")
    list_filter = ("kind", "channel", "state", "rating")
    search_fields = ("number", "title")
    inlines = [AttachmentInline]
    exclude = ("lookup_hash",)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name != "lookup_hash"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
