from django.db import models
from django.utils.translation import gettext_lazy as _


class Agency(models.Model):
    """行政机关 / 部门: a government, a department or a development-zone committee.

    Agencies form a tree (city government → districts → departments…). ``path`` keeps the
    chain of codes from the root so that "this agency and everything under it" is one
    ``startswith`` query.
    """

    class Kind(models.TextChoices):
        CITY_GOVERNMENT = "city_gov", _("市政府")
        DISTRICT_GOVERNMENT = "district_gov", _("区县政府")
        NEW_AREA = "new_area", _("西咸新区管委会")
        DEV_ZONE = "dev_zone", _("开发区管委会")
        JUSTICE_BUREAU = "justice", _("司法局")
        DEPARTMENT = "department", _("政府部门")
        TOWNSHIP = "township", _("乡镇街道")
        OTHER = "other", _("其他单位")

    class Level(models.TextChoices):
        PROVINCE = "province", _("省级")
        CITY = "city", _("市级")
        COUNTY = "county", _("县级")
        TOWNSHIP = "township", _("乡级")

    GOVERNMENT_KINDS = (Kind.CITY_GOVERNMENT, Kind.DISTRICT_GOVERNMENT, Kind.NEW_AREA)

    code = models.CharField(_("机构代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=40, blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级机关"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=400, editable=False, db_index=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("行政机关")
        verbose_name_plural = _("行政机关")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(code=""), name="agency_code_not_empty"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.path = (self.parent.path if self.parent_id else "/") + self.code + "/"
        super().save(*args, **kwargs)

    @property
    def is_government(self) -> bool:
        return self.kind in self.GOVERNMENT_KINDS

    @property
    def is_justice_bureau(self) -> bool:
        return self.kind == self.Kind.JUSTICE_BUREAU

    def scope_root(self) -> "Agency":
        """The agency whose subtree this agency's staff may see.

        A government sees itself and its children; a justice bureau sees the subtree of the
        government it belongs to (it reviews every department's catalogue); any other agency
        sees only itself.
        """
        if self.is_justice_bureau and self.parent_id:
            return self.parent
        return self

    def covers(self, agency_id, agency_path: str) -> bool:
        """Whether the agency with this id and path is in this agency's scope (no query)."""
        root = self.scope_root()
        if root.is_government or root != self:
            return (agency_path or "").startswith(root.path)
        return agency_id == self.pk

    def supervises(self, other: "Agency | None") -> bool:
        """Whether ``other`` is this agency or one it supervises — ``scoped_agencies`` without a query."""
        return other is not None and self.covers(other.pk, other.path)

    def scope_q(self, field: str = "agency") -> models.Q:
        """A filter on ``field`` (a foreign key to Agency) keeping rows within this agency's scope."""
        root = self.scope_root()
        if root.is_government or root != self:
            return models.Q(**{f"{field}__path__startswith": root.path})
        return models.Q(**{f"{field}_id": self.pk})

    def scoped_agencies(self):
        """This agency and those it supervises (see ``scope_root``)."""
        root = self.scope_root()
        if root.is_government or root != self:
            return Agency.objects.filter(path__startswith=root.path)
        return Agency.objects.filter(pk=self.pk)
