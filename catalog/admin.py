"""Administrators may look at everything; changes to a catalogue go through the workflow, not the admin."""

from django.contrib import admin

from portal.admin import ReadOnlyAdmin

from .models import AdministrativeService, Catalogue, CatalogueComment, CertificationMatter, NegativeListEntry


@admin.register(AdministrativeService)
class AdministrativeServiceAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "agency")
    list_filter = ("kind",)
    search_fields = ("name", "code")
    raw_id_fields = ("agency",)



class CatalogueCommentInline(admin.TabularInline):
    model = CatalogueComment
    extra = 0
    can_delete = False
    readonly_fields = ("author", "action", "text", "at")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Catalogue)
class CatalogueAdmin(ReadOnlyAdmin):
    list_display = ("agency", "version", "state", "route", "published_at")
    list_filter = ("state", "route")
    search_fields = ("agency__name",)
    inlines = [CatalogueCommentInline]


class NegativeListEntryInline(admin.TabularInline):
    model = NegativeListEntry
    extra = 0


@admin.register(CertificationMatter)
class CertificationMatterAdmin(ReadOnlyAdmin):
    list_display = ("name", "service", "field", "commitment_allowed", "catalogue")
    list_filter = ("field", "commitment_allowed", "catalogue__state")
    search_fields = ("name", "service__name")
    inlines = [NegativeListEntryInline]
