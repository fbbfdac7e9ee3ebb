"""Administrators may look at everything; changes to a catalogue go through the workflow, not the admin."""

from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from portal import audit, roles
from portal.admin import ReadOnlyAdmin

from .models import (
    AdministrativeService,
    Catalogue,
    CatalogueComment,
    CertificationMatter,
    ImportSynonym,
    NegativeListEntry,
)


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


def _keeps_synonyms(user) -> bool:
    """The justice bureau (司法局审核人员) and superusers keep the import synonyms."""
    return bool(user.is_active and (user.is_superuser or roles.has_role(user, roles.JUSTICE_REVIEWER)))


@admin.register(ImportSynonym)
class ImportSynonymAdmin(admin.ModelAdmin):
    """导入同义词: what a wording on a published list means. A change counts from the next import."""

    list_display = ("text", "kind", "value_label", "note", "updated_by", "updated_at")
    list_filter = ("kind",)
    search_fields = ("text", "value", "note")
    fields = ("kind", "text", "value", "note")
    readonly_fields = ()

    @admin.display(description=_("对应的标准项"))
    def value_label(self, obj):
        return obj.value_label

    def has_module_permission(self, request):
        return _keeps_synonyms(request.user)

    def has_view_permission(self, request, obj=None):
        return _keeps_synonyms(request.user)

    def has_add_permission(self, request):
        return _keeps_synonyms(request.user)

    def has_change_permission(self, request, obj=None):
        return _keeps_synonyms(request.user)

    def has_delete_permission(self, request, obj=None):
        return _keeps_synonyms(request.user)

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            obj.updated_by = request.user
            super().save_model(request, obj, form, change)
            audit.record("catalog.synonym_saved", obj=obj, actor=request.user, request=request,
                         summary=_("导入同义词：%(text)s → %(value)s（%(kind)s）")
                         % {"text": obj.text, "value": obj.value_label, "kind": obj.get_kind_display()})

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit.record("catalog.synonym_deleted", obj=obj, actor=request.user, request=request,
                         summary=_("删除导入同义词：%(text)s（%(kind)s）") % {"text": obj.text, "kind": obj.get_kind_display()})
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)
