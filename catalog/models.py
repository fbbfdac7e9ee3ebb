"""证明事项清单: administrative services, catalogue versions (with their workflow) and certification matters.

A catalogue (``Catalogue``) is one *version* of one agency's list. Matters belong to a version;
a new version copies the matters of the current one and keeps each matter's ``key`` so that two
versions can be compared matter by matter and field by field. A published version never changes.

Two approval routes (§二(一) of the Xi'an plan, ADR 0005):

* ``city`` — city departments and development zones: draft → submitted → reviewed (市司法局)
  → approved (市政府) → published; the reviewer or the approver may return it (returned → draft).
* ``district`` — districts and 西咸新区 (本级审核批准): draft → submitted → reviewed (区司法局)
  → approved (区县政府) → published → reported (报送市司法局汇总) → aggregated (市司法局已汇总),
  or report_returned (市司法局退回并附意见) → reported again, or superseded by a new version.
  The published list stays in force while the city aggregates it: the city collects, it does not approve.

Publishing a version supersedes the agency's previous public version, which stays readable.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from portal import roles
from portal.errors import Refused
from portal.models import Agency

from . import columns, negative_list


class MatterField(models.TextChoices):
    """领域: the seven fields the plan puts first, and everything else."""

    HOUSEHOLD = "household", _("户籍管理")
    MARKET_ACCESS = "market_access", _("市场主体准营")
    QUALIFICATION_EXAM = "qualification_exam", _("资格考试")
    SOCIAL_INSURANCE = "social_insurance", _("社会保险")
    SOCIAL_ASSISTANCE = "social_assistance", _("社会救助")
    HEALTH_CHECK = "health_check", _("健康体检")
    LEGAL_SERVICE = "legal_service", _("法律服务")
    OTHER = "other", _("其他")


class ExerciseLevel(models.TextChoices):
    """行使层级."""

    PROVINCE = "province", _("省级")
    CITY = "city", _("市级")
    COUNTY = "county", _("县级")
    TOWNSHIP = "township", _("乡级")


class LegalLevel(models.TextChoices):
    """设定依据的效力层级."""

    LAW = "law", _("法律")
    ADMINISTRATIVE_REGULATION = "admin_regulation", _("行政法规")
    STATE_COUNCIL_DECISION = "state_council_decision", _("国务院决定")
    LOCAL_REGULATION = "local_regulation", _("地方性法规")
    DEPARTMENTAL_RULE = "departmental_rule", _("部门规章")
    LOCAL_RULE = "local_rule", _("地方政府规章")
    NORMATIVE_DOCUMENT = "normative_document", _("规范性文件")


class RiskCategory(models.TextChoices):
    """不适用告知承诺制的七类风险 (§二(一))."""

    NATIONAL_SECURITY = "national_security", _("国家安全")
    STATE_SECRETS = "state_secrets", _("国家秘密")
    PUBLIC_SAFETY = "public_safety", _("公共安全")
    FINANCIAL_SUPERVISION = "financial_supervision", _("金融业审慎监管")
    ECOLOGY = "ecology", _("生态环境保护")
    LIFE_HEALTH_PROPERTY = "life_health_property", _("人身健康、生命财产安全")
    FOREIGN_AFFAIRS = "foreign_affairs", _("重要涉外")


class VerificationMethod(models.TextChoices):
    """核查方式."""

    DATA_SHARING = "data_sharing", _("数据共享核查")
    ASSISTANCE = "assistance", _("部门协查")
    ON_SITE = "on_site", _("现场核查")
    PUBLICITY = "publicity", _("公示核查")
    # 书面核查: the verifier checks the written material the applicant submitted, at the desk.
    WRITTEN = "written", _("书面核查")
    EXEMPT = "exempt", _("免予核查")


class AdministrativeService(models.Model):
    """办理事项: what the applicant applies for, and the agency that handles it."""

    class Kind(models.TextChoices):
        LICENSING = "licensing", _("行政许可")
        CONFIRMATION = "confirmation", _("行政确认")
        BENEFIT = "benefit", _("行政给付")
        # Shown to citizens too: never "其他行政权力" (§二(二) wording review).
        OTHER = "other", _("其他依申请事项")

    name = models.CharField(_("办理事项名称"), max_length=200)
    code = models.CharField(_("事项编码"), max_length=64, unique=True)
    kind = models.CharField(_("事项类型"), max_length=20, choices=Kind.choices)
    agency = models.ForeignKey(
        Agency, verbose_name=_("办理机关"), on_delete=models.PROTECT, related_name="administrative_services"
    )

    class Meta:
        verbose_name = _("办理事项")
        verbose_name_plural = _("办理事项")
        ordering = ["agency", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="service_unique_name_per_agency"),
            models.CheckConstraint(condition=~Q(name=""), name="service_name_not_empty"),
            models.CheckConstraint(condition=~Q(code=""), name="service_code_not_empty"),
            models.CheckConstraint(
                condition=Q(kind__in=["licensing", "confirmation", "benefit", "other"]), name="service_kind_valid"
            ),
        ]

    def __str__(self):
        return self.name


TRANSITION_LABELS = {
    "submit": _("报送"),
    "return_for_changes": _("退回修改"),
    "reopen": _("重新编辑"),
    "pass_review": _("审核通过"),
    "approve": _("批准"),
    "publish": _("公布"),
    "report": _("报送市司法局汇总"),
    "aggregate": _("汇总"),
    "return_report": _("退回并附意见"),
    "supersede": _("被新版本替代"),
}


class CatalogueError(Refused):
    """A refused catalogue action; the message is shown to the user as it is."""


# --- transition permissions: who may take a step (the service also checks conditions) ---------


def _staff(user, role: str) -> bool:
    return bool(user and user.is_authenticated and getattr(user, "agency_id", None) and roles.has_role(user, role))


def _is_editor(catalogue: "Catalogue", user) -> bool:
    return _staff(user, roles.CATALOGUE_EDITOR) and user.agency_id == catalogue.agency_id


def _is_reviewer(catalogue: "Catalogue", user) -> bool:
    """A justice-bureau reviewer of the government that approves this catalogue (本级司法局: 市司法局 or 区司法局)."""
    agency = getattr(user, "agency", None)
    return (
        _staff(user, roles.JUSTICE_REVIEWER)
        and agency.is_justice_bureau
        and agency.parent_id == catalogue.approving_agency_id
    )


def _is_aggregator(catalogue: "Catalogue", user) -> bool:
    """A reviewer of the justice bureau a district's list is reported to (市司法局), never the district's own."""
    agency = getattr(user, "agency", None)
    return (
        catalogue.route == Catalogue.Route.DISTRICT
        and _staff(user, roles.JUSTICE_REVIEWER)
        and agency.is_justice_bureau
        and agency.parent_id == catalogue.oversight_government_id
        and agency.parent_id != catalogue.approving_agency_id
    )


def _is_approver(catalogue: "Catalogue", user) -> bool:
    return _staff(user, roles.GOVERNMENT_APPROVER) and user.agency_id == catalogue.approving_agency_id


def _not_submitter(catalogue: "Catalogue", user) -> bool:
    return user is not None and user.pk != catalogue.submitted_by_id


def can_review(catalogue, user) -> bool:
    return _is_reviewer(catalogue, user) and _not_submitter(catalogue, user)


def can_return(catalogue, user) -> bool:
    if catalogue.state == Catalogue.State.SUBMITTED:
        return can_review(catalogue, user)
    return _is_approver(catalogue, user) and _not_submitter(catalogue, user)


def can_approve(catalogue, user) -> bool:
    return _is_approver(catalogue, user) and _not_submitter(catalogue, user)


def can_publish(catalogue, user) -> bool:
    return _is_approver(catalogue, user) or _is_editor(catalogue, user)


def can_report(catalogue, user) -> bool:
    """报送汇总: the district government, or its justice bureau acting for it."""
    return _is_approver(catalogue, user) or _is_reviewer(catalogue, user)


def can_aggregate(catalogue, user) -> bool:
    return _is_aggregator(catalogue, user)


class Catalogue(ConcurrentTransitionMixin, models.Model):
    """证明事项清单 (one version of one agency's list)."""

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已报送")
        RETURNED = "returned", _("已退回")
        REVIEWED = "reviewed", _("司法局审核通过")
        APPROVED = "approved", _("政府已批准")
        PUBLISHED = "published", _("已公布")
        REPORTED = "reported", _("已公布，已报送市司法局汇总")
        # The stored value stays "filed" (rows written before ADR 0005); it means 市司法局已汇总.
        AGGREGATED = "filed", _("已公布，市司法局已汇总")
        REPORT_RETURNED = "report_returned", _("已公布，市司法局退回")
        SUPERSEDED = "superseded", _("已被新版本替代")

    class Route(models.TextChoices):
        CITY = "city", _("市级部门、开发区：司法局审核、市政府批准")
        DISTRICT = "district", _("区县、西咸新区：区司法局审核、本级政府批准、报送市司法局汇总")

    class ChangeKind(models.TextChoices):
        INITIAL = "initial", _("首次编制")
        ENACTED = "enacted", _("立（新制定法律依据）")
        AMENDED = "amended", _("改（法律依据修改）")
        REPEALED = "repealed", _("废（法律依据废止）")
        INTERPRETED = "interpreted", _("释（法律依据解释）")

    # Reporting to the city does not suspend a list the district government approved and published.
    PUBLIC_STATES = (State.PUBLISHED, State.REPORTED, State.AGGREGATED, State.REPORT_RETURNED)
    READABLE_STATES = (*PUBLIC_STATES, State.SUPERSEDED)
    REPORTING_STATES = (State.REPORTED, State.AGGREGATED, State.REPORT_RETURNED)
    OPEN_STATES = (State.DRAFT, State.SUBMITTED, State.RETURNED, State.REVIEWED, State.APPROVED)

    agency = models.ForeignKey(Agency, verbose_name=_("编制机关"), on_delete=models.PROTECT, related_name="catalogues")
    version = models.PositiveIntegerField(_("版本号"))
    state = FSMField(_("状态"), default=State.DRAFT, choices=State.choices, protected=True, max_length=20)
    route = models.CharField(_("审批路径"), max_length=10, choices=Route.choices)
    approving_agency = models.ForeignKey(
        Agency, verbose_name=_("批准机关"), on_delete=models.PROTECT, related_name="catalogues_to_approve"
    )
    oversight_government = models.ForeignKey(
        Agency, verbose_name=_("审核或汇总的政府"), on_delete=models.PROTECT, related_name="catalogues_overseen",
        help_text=_("其司法局审核（市级部门）或汇总报送清单（区县）的政府"),
    )
    previous = models.OneToOneField(
        "self", verbose_name=_("上一版本"), null=True, blank=True, on_delete=models.PROTECT, related_name="next_version"
    )
    change_kind = models.CharField(_("调整类型"), max_length=12, choices=ChangeKind.choices, default=ChangeKind.INITIAL)
    change_reason = models.TextField(_("调整理由"), blank=True)
    law_reference = models.CharField(_("相关法律依据"), max_length=300, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("编制人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("报送人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审核人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("批准人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("报送汇总人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("汇总登记人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    reported_at = models.DateTimeField(_("报送汇总时间"), null=True, blank=True)
    filed_at = models.DateTimeField(_("汇总登记时间"), null=True, blank=True)
    superseded_at = models.DateTimeField(_("替代时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("证明事项清单")
        verbose_name_plural = _("证明事项清单")
        ordering = ["agency", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "version"], name="catalogue_unique_version"),
            models.UniqueConstraint(
                fields=["agency"], condition=Q(state__in=["published", "reported", "filed", "report_returned"]),
                name="catalogue_one_public_per_agency",
            ),
            models.UniqueConstraint(
                fields=["agency"],
                condition=Q(state__in=["draft", "submitted", "returned", "reviewed", "approved"]),
                name="catalogue_one_open_version_per_agency",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="catalogue_version_positive"),
            models.CheckConstraint(
                condition=Q(state__in=["draft", "submitted", "returned", "reviewed", "approved", "published",
                                       "reported", "filed", "report_returned", "superseded"]),
                name="catalogue_state_valid",
            ),
            # The first version is an initial compilation; every later one says why it changed.
            models.CheckConstraint(
                condition=(Q(version=1, change_kind="initial", previous__isnull=True))
                | (Q(version__gt=1, previous__isnull=False) & ~Q(change_kind="initial") & ~Q(change_reason="")),
                name="catalogue_change_reason_for_new_versions",
            ),
            # Reporting to the city (报送汇总) and its aggregation happen only on the district route.
            models.CheckConstraint(
                condition=Q(route="district")
                | (~Q(state__in=["reported", "filed", "report_returned"]) & Q(reported_at__isnull=True)
                   & Q(filed_at__isnull=True)),
                name="catalogue_reporting_only_on_district_route",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["reported", "filed", "report_returned"]) | Q(reported_at__isnull=False),
                name="catalogue_reported_stamped",
            ),
            models.CheckConstraint(
                condition=~Q(state="filed") | Q(filed_at__isnull=False), name="catalogue_aggregated_stamped"
            ),
            # Nobody reviews or approves their own submission.
            models.CheckConstraint(
                condition=Q(reviewed_by__isnull=True) | ~Q(reviewed_by=F("submitted_by")),
                name="catalogue_reviewer_is_not_submitter",
            ),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("submitted_by")),
                name="catalogue_approver_is_not_submitter",
            ),
            # Every state after submission carries its stamps.
            models.CheckConstraint(
                condition=~Q(state__in=["submitted", "reviewed", "approved", "published", "reported", "filed",
                                        "report_returned", "superseded"])
                | Q(submitted_at__isnull=False, submitted_by__isnull=False),
                name="catalogue_submitted_stamped",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["approved", "published", "reported", "filed", "report_returned", "superseded"])
                | Q(approved_at__isnull=False, approved_by__isnull=False),
                name="catalogue_approved_stamped",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["published", "reported", "filed", "report_returned", "superseded"])
                | Q(published_at__isnull=False),
                name="catalogue_published_stamped",
            ),
            models.CheckConstraint(
                condition=~Q(state="superseded") | Q(superseded_at__isnull=False), name="catalogue_superseded_stamped"
            ),
        ]
        indexes = [models.Index(fields=["state", "agency"], name="catalogue_state_agency_idx")]

    def __str__(self):
        return _("%(agency)s 证明事项清单（第%(version)s版）") % {"agency": self.agency.name, "version": self.version}

    # --- derived facts -------------------------------------------------------------------------
    @property
    def is_editable(self) -> bool:
        return self.state == self.State.DRAFT

    @property
    def is_public(self) -> bool:
        return self.state in self.PUBLIC_STATES

    @property
    def is_readable_publicly(self) -> bool:
        return self.state in self.READABLE_STATES

    @staticmethod
    def route_for(agency: Agency) -> tuple[str, Agency, Agency]:
        """(route, approving agency, oversight government) for a catalogue of ``agency``.

        The nearest government at or above the agency approves, after its own justice bureau
        reviewed (本级审核批准). A district's or 西咸新区's list is then reported to the government
        above (the oversight government), whose justice bureau aggregates it (汇总).
        """
        government = agency
        while government is not None and not government.is_government:
            government = government.parent
        if government is None:
            raise CatalogueError(_("找不到“%(agency)s”的上级人民政府，无法确定审批路径。") % {"agency": agency.name})
        if government.kind == Agency.Kind.CITY_GOVERNMENT:
            return Catalogue.Route.CITY, government, government
        oversight = government.parent or government
        return Catalogue.Route.DISTRICT, government, oversight

    def _has_matters(self) -> bool:
        return self.matters.exists()

    def _on_district_route(self) -> bool:
        return self.route == self.Route.DISTRICT

    def _reviewed(self) -> bool:
        # Both routes: the government approves only what its justice bureau has passed.
        return self.state == self.State.REVIEWED

    # --- transitions ---------------------------------------------------------------------------
    @transition(field=state, source=State.DRAFT, target=State.SUBMITTED, conditions=[_has_matters], permission=_is_editor)
    def submit(self, by):
        self.submitted_by = by

    @transition(field=state, source=[State.SUBMITTED, State.REVIEWED], target=State.RETURNED, permission=can_return)
    def return_for_changes(self, by):
        pass

    @transition(field=state, source=State.RETURNED, target=State.DRAFT, permission=_is_editor)
    def reopen(self, by):
        pass

    @transition(field=state, source=State.SUBMITTED, target=State.REVIEWED, permission=can_review)
    def pass_review(self, by):
        self.reviewed_by = by

    @transition(
        field=state, source=[State.SUBMITTED, State.REVIEWED], target=State.APPROVED, conditions=[_reviewed],
        permission=can_approve,
    )
    def approve(self, by):
        self.approved_by = by

    @transition(field=state, source=State.APPROVED, target=State.PUBLISHED, permission=can_publish)
    def publish(self, by):
        pass

    @transition(
        field=state, source=[State.PUBLISHED, State.REPORT_RETURNED], target=State.REPORTED,
        conditions=[_on_district_route], permission=can_report,
    )
    def report(self, by):
        """报送汇总: the district sends its published list to the city justice bureau (again after a return)."""
        self.reported_by = by

    @transition(
        field=state, source=State.REPORTED, target=State.AGGREGATED, conditions=[_on_district_route],
        permission=can_aggregate,
    )
    def aggregate(self, by):
        """已汇总: the city justice bureau takes the reported list into the city-wide list."""
        self.filed_by = by

    @transition(
        field=state, source=State.REPORTED, target=State.REPORT_RETURNED, conditions=[_on_district_route],
        permission=can_aggregate,
    )
    def return_report(self, by):
        """退回并附意见: the city sends the report back; the list stays in force until the district replaces it."""

    @transition(field=state, source=[*PUBLIC_STATES], target=State.SUPERSEDED)
    def supersede(self, by=None):
        pass


class CatalogueComment(models.Model):
    """审核意见: the comment history shown beside the review and approval queues (append-only)."""

    catalogue = models.ForeignKey(Catalogue, verbose_name=_("清单"), on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提出人"), on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("环节"), max_length=32)
    text = models.TextField(_("意见"))
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("审核意见")
        verbose_name_plural = _("审核意见")
        ordering = ["at", "pk"]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="comment_text_not_empty")]

    def __str__(self):
        return self.text[:40]

    @property
    def action_label(self) -> str:
        return str(TRANSITION_LABELS.get(self.action, self.action))


def new_matter_key() -> str:
    return uuid.uuid4().hex


class CertificationMatter(models.Model):
    """证明事项: one proof required for one service, with the complete one-time notification."""

    catalogue = models.ForeignKey(Catalogue, verbose_name=_("所属清单"), on_delete=models.CASCADE, related_name="matters")
    key = models.CharField(_("事项标识"), max_length=32, default=new_matter_key, editable=False,
                           help_text=_("同一证明事项在各版本中的标识，用于版本比较"))
    seq = models.PositiveIntegerField(_("序号"))
    name = models.CharField(_("证明名称"), max_length=200)
    service = models.ForeignKey(
        AdministrativeService, verbose_name=_("证明用途（办理事项）"), on_delete=models.PROTECT, related_name="matters"
    )
    field = models.CharField(_("所属领域"), max_length=24, choices=MatterField.choices, default=MatterField.OTHER)
    # 设定依据
    legal_basis_name = models.CharField(_("法律依据名称"), max_length=200)
    legal_basis_number = models.CharField(_("文号"), max_length=100, blank=True)
    legal_basis_article = models.TextField(_("条款内容"), blank=True)
    legal_basis_level = models.CharField(_("效力层级"), max_length=24, choices=LegalLevel.choices, default=LegalLevel.LAW)
    requesting_agency = models.ForeignKey(
        Agency, verbose_name=_("索要单位"), on_delete=models.PROTECT, related_name="requested_matters"
    )
    issuing_unit = models.CharField(_("开具单位"), max_length=200, blank=True)
    exercise_level = models.CharField(_("行使层级"), max_length=10, choices=ExerciseLevel.choices)
    # 适用告知承诺制
    commitment_allowed = models.BooleanField(_("实行告知承诺"), default=True)
    exclusion_category = models.CharField(_("不适用的风险类别"), max_length=24, choices=RiskCategory.choices, blank=True)
    exclusion_reason = models.TextField(_("不能实行告知承诺的原因"), blank=True)
    # 告知内容
    proof_content = models.TextField(_("证明内容"), blank=True)
    commitment_content = models.TextField(_("承诺内容"), blank=True)
    liability_civil = models.TextField(_("虚假承诺的民事责任"), blank=True)
    liability_administrative = models.TextField(_("虚假承诺的行政责任"), blank=True)
    liability_criminal = models.TextField(_("虚假承诺的刑事责任"), blank=True)
    # 处罚依据 (§三(一)): the law and article that allow a penalty for a false commitment of this matter; a
    # penalty chosen where none is recorded flags the case to the justice bureau (立法修改建议).
    penalty_basis = models.TextField(_("处罚依据"), blank=True,
                                     help_text=_("虚假承诺可予行政处罚的法律依据及条款，例如“《社会保险法》第八十八条”；没有的留空"))
    verification_methods = models.JSONField(_("核查方式"), default=list, blank=True)
    verification_days = models.PositiveSmallIntegerField(_("核查时限（工作日）"), null=True, blank=True)
    # 核查标准 and the factors a local 核查指引 decides the plan from (§二(五)).
    verification_standard = models.TextField(_("核查标准"), blank=True,
                                             help_text=_("核查什么、以什么为准，例如“以公安机关违法犯罪记录为准”"))
    credit_rule = models.CharField(_("信用等级对核查的影响"), max_length=200, blank=True,
                                   help_text=_("例如“A级信用：数据共享核查；不纳入现场核查”或“按信用等级抽查20%%–100%%”"))
    high_risk = models.BooleanField(_("高风险事项（一律核查）"), default=False,
                                    help_text=_("高风险事项每份承诺都核查，信用等级抽查不能免除"))
    annual_volume = models.PositiveIntegerField(_("年办件量"), null=True, blank=True)
    verification_factors = models.TextField(_("核查方式确定依据"), blank=True,
                                            help_text=_("信息获取难度、虚假承诺可能造成的危害、已有的管控措施"))
    # 效力层级低于法律、行政法规、国务院决定时，司法局审核须记录的理由 (§二(二)).
    basis_exception_reason = models.TextField(_("低层级设定依据的审核理由"), blank=True)
    publicity_required = models.BooleanField(_("公示承诺"), default=False)
    publicity_place = models.CharField(_("公示地点"), max_length=200, blank=True)
    publicity_days = models.PositiveSmallIntegerField(_("公示期限（日）"), null=True, blank=True)
    insurance_note = models.TextField(_("责任保险说明"), blank=True)
    service_guide = models.TextField(_("办事指南"), blank=True)
    work_rules = models.TextField(_("工作规程"), blank=True)
    letter_template = models.TextField(_("告知承诺书格式文本"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    # Fields compared between versions, in the order the diff shows them.
    DIFF_FIELDS = (
        "name", "service", "field", "legal_basis_name", "legal_basis_number", "legal_basis_article",
        "legal_basis_level", "requesting_agency", "issuing_unit", "exercise_level", "commitment_allowed",
        "exclusion_category", "exclusion_reason", "proof_content", "commitment_content", "liability_civil",
        "liability_administrative", "liability_criminal", "penalty_basis", "verification_methods", "verification_days",
        "verification_standard", "credit_rule", "high_risk", "annual_volume", "verification_factors",
        "basis_exception_reason", "publicity_required", "publicity_place", "publicity_days", "insurance_note", "service_guide", "work_rules",
        "letter_template",
    )

    class Meta:
        verbose_name = _("证明事项")
        verbose_name_plural = _("证明事项")
        ordering = ["catalogue", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["catalogue", "key"], name="matter_unique_key_per_catalogue"),
            models.UniqueConstraint(fields=["catalogue", "seq"], name="matter_unique_seq_per_catalogue"),
            models.UniqueConstraint(fields=["catalogue", "name", "service"], name="matter_unique_name_service"),
            models.CheckConstraint(condition=~Q(name=""), name="matter_name_not_empty"),
            models.CheckConstraint(condition=~Q(legal_basis_name=""), name="matter_legal_basis_not_empty"),
            models.CheckConstraint(condition=Q(seq__gte=1), name="matter_seq_positive"),
            models.CheckConstraint(
                condition=Q(field__in=[c.value for c in MatterField]), name="matter_field_valid"
            ),
            models.CheckConstraint(
                condition=Q(exercise_level__in=[c.value for c in ExerciseLevel]), name="matter_exercise_level_valid"
            ),
            # Allowed: no exclusion recorded. Excluded: a risk category and a written reason.
            models.CheckConstraint(
                condition=Q(commitment_allowed=True, exclusion_category="", exclusion_reason="")
                | (Q(commitment_allowed=False, exclusion_category__in=[c.value for c in RiskCategory])
                   & ~Q(exclusion_reason="")),
                name="matter_exclusion_has_category_and_reason",
            ),
            # Publicity: when required, where and how long.
            models.CheckConstraint(
                condition=Q(publicity_required=False) | (~Q(publicity_place="") & Q(publicity_days__gte=1)),
                name="matter_publicity_has_place_and_days",
            ),
            models.CheckConstraint(
                condition=Q(verification_days__isnull=True) | Q(verification_days__gte=1, verification_days__lte=90),
                name="matter_verification_days_range",
            ),
        ]
        indexes = [
            models.Index(fields=["key"], name="matter_key_idx"),
            models.Index(fields=["field"], name="matter_field_idx"),
        ]

    def __str__(self):
        return f"{self.name}（{self.service.name}）"

    @property
    def legal_basis(self) -> str:
        """设定依据 as one line: 《法律名称》（文号）条款."""
        text = f"《{self.legal_basis_name}》"
        if self.legal_basis_number:
            text += f"（{self.legal_basis_number}）"
        return text + (self.legal_basis_article or "")

    def verification_method_labels(self) -> list[str]:
        labels = dict(VerificationMethod.choices)
        return [str(labels.get(code, code)) for code in self.verification_methods or []]

    @property
    def is_exempt(self) -> bool:
        """免予核查 only when the matter itself lists nothing but 免予核查 and is not high-risk."""
        methods = [m for m in (self.verification_methods or []) if m != VerificationMethod.EXEMPT]
        return not methods and not self.high_risk and VerificationMethod.EXEMPT in (self.verification_methods or [])

    @property
    def promise_text(self) -> str:
        """The verification promise as the notification prints it (verification_promise)."""
        return verification_promise(self)["text"]

    @property
    def basis_below_statute(self) -> bool:
        """设定依据仅为部门规章或规范性文件 (§二(二): proofs rest on law, regulation or a State Council decision)."""
        return self.legal_basis_level in LOW_BASIS_LEVELS


# Levels below law/regulation/State Council decision: flagged, and publication needs the reviewer's reason.
LOW_BASIS_LEVELS = (LegalLevel.DEPARTMENTAL_RULE, LegalLevel.NORMATIVE_DOCUMENT)


# Decision wording per service kind (§二(二)(三) wording: 行政许可 准予/不予许可 …). One place; pages and letters use it.
DECISION_WORDS = {
    AdministrativeService.Kind.LICENSING: (_("准予许可"), _("不予许可")),
    AdministrativeService.Kind.CONFIRMATION: (_("予以确认"), _("不予确认")),
    AdministrativeService.Kind.BENEFIT: (_("准予给付"), _("不予给付")),
    AdministrativeService.Kind.OTHER: (_("办结"), _("不予办理")),
}


def decision_words(kind: str) -> tuple[str, str]:
    """(positive, negative) decision wording for a service kind (决定用语)."""
    pos, neg = DECISION_WORDS.get(kind, DECISION_WORDS[AdministrativeService.Kind.OTHER])
    return str(pos), str(neg)


def verification_promise(matter, level: str | None = None) -> dict:
    """核查承诺: what the notification, the letter and verification planning all use, so they cannot disagree.

    ``always`` is True for high-risk matters (credit sampling never exempts them); ``exempt`` only when the
    matter itself is 免予核查. ``text`` is the sentence the notification and the letter print.
    """
    labels = dict(VerificationMethod.choices)
    methods = [m for m in (matter.verification_methods or []) if m != VerificationMethod.EXEMPT]
    exempt = matter.is_exempt
    days = matter.verification_days
    if exempt:
        text = str(_("本事项免予核查；行政机关可通过双随机抽查、投诉举报等方式开展事中事后监管。"))
    else:
        names = "、".join(str(labels.get(m, m)) for m in methods) or str(labels[VerificationMethod.DATA_SHARING])
        text = str(_("受理后%(days)s个工作日内通过%(methods)s进行核查") % {"days": days or 10, "methods": names})
        if matter.high_risk:
            text += str(_("；本事项为高风险事项，每份承诺均予核查，不因信用等级免除"))
        elif matter.credit_rule:
            text += "；" + matter.credit_rule
        text += "。"
    if matter.verification_standard:
        text += str(_("核查标准：%(s)s") % {"s": matter.verification_standard})
    return {"methods": methods or ([] if exempt else [VerificationMethod.DATA_SHARING]), "days": days,
            "exempt": exempt, "always": bool(matter.high_risk), "standard": matter.verification_standard,
            "credit_rule": matter.credit_rule, "text": text, "level": level}


class NegativeListEntry(models.Model):
    """告知承诺制负面清单: a situation or a kind of subject for which this matter's commitment does not apply."""

    class Kind(models.TextChoices):
        SITUATION = "situation", _("不适用的情形")
        SUBJECT = "subject", _("不适用的对象")

    matter = models.ForeignKey(
        CertificationMatter, verbose_name=_("证明事项"), on_delete=models.CASCADE, related_name="negative_entries"
    )
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices, default=Kind.SITUATION)
    description = models.CharField(_("内容"), max_length=300)
    # How the portal decides whether the entry applies (catalog/negative_list.py): a question to the applicant,
    # or a subject condition with its parameter. Entries from free text (old lists, imports) are questions.
    rule = models.CharField(_("核对方式"), max_length=20, choices=negative_list.Check.choices,
                             default=negative_list.Check.QUESTION)
    number = models.PositiveSmallIntegerField(_("周岁数或年限"), null=True, blank=True)
    subject_kind = models.CharField(_("申请人类型"), max_length=16, choices=negative_list.SubjectKind.choices,
                                    blank=True)
    question = models.CharField(_("询问用语"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("负面清单条目")
        verbose_name_plural = _("负面清单条目")
        ordering = ["matter", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(description=""), name="negative_entry_not_empty"),
            models.UniqueConstraint(fields=["matter", "kind", "description"], name="negative_entry_unique"),
            models.CheckConstraint(condition=Q(rule__in=[c.value for c in negative_list.Check]),
                                   name="negative_entry_check_valid"),
            # An age condition has its age; a kind condition its kind; a question no parameter.
            models.CheckConstraint(
                condition=~Q(rule__in=["age_below", "age_at_least"]) | Q(number__isnull=False, number__gte=1, number__lte=120),
                name="negative_entry_age_has_number"),
            models.CheckConstraint(
                condition=(Q(rule="subject_kind") & Q(subject_kind__in=[c.value for c in negative_list.SubjectKind]))
                | (~Q(rule="subject_kind") & Q(subject_kind="")),
                name="negative_entry_kind_only_for_kind_check"),
            models.CheckConstraint(condition=Q(rule="question") | Q(question=""),
                                   name="negative_entry_question_only_for_questions"),
        ]

    def __str__(self):
        return self.description

    COPY_FIELDS = ("kind", "description", "rule", "number", "subject_kind", "question")

    @property
    def is_question(self) -> bool:
        return self.rule == negative_list.Check.QUESTION

    @property
    def condition_text(self) -> str:
        return negative_list.condition_text(self.rule, self.number, self.subject_kind)

    @property
    def question_text(self) -> str:
        return negative_list.question_text(self.description, self.question) if self.is_question else ""

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.COPY_FIELDS}


class ImportSynonym(models.Model):
    """导入同义词: a wording found on published lists and what it means to the portal.

    Real lists write 核查方式, 行使层级, 事项类型 and even the column names in many ways
    (信息共享核查, 网上核查; 县级, 区县级; 法律依据 for 设定依据 …). The justice bureau keeps this
    table in the admin; the importer reads it on every file, so a new wording added here makes the
    next import of that file succeed.
    """

    class Kind(models.TextChoices):
        METHOD = "method", _("核查方式")
        LEVEL = "level", _("行使层级")
        SERVICE_KIND = "service_kind", _("事项类型")
        COLUMN = "column", _("列名")

    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    text = models.CharField(_("清单中的写法"), max_length=100,
                            help_text=_("与清单中的单元格或列名一致，如“信息共享核查”“法律依据”。"))
    value = models.CharField(_("对应的标准项"), max_length=40,
                             help_text=_("核查方式、行使层级、事项类型填标准代码（见下方说明）；列名填标准列名，如“设定依据”。"))
    note = models.CharField(_("出处或说明"), max_length=200, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("最后修改人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("导入同义词")
        verbose_name_plural = _("导入同义词")
        ordering = ["kind", "text"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "text"], name="import_synonym_unique_text"),
            models.CheckConstraint(condition=~Q(text="") & ~Q(value=""), name="import_synonym_not_empty"),
            models.CheckConstraint(condition=Q(kind__in=["method", "level", "service_kind", "column"]),
                                   name="import_synonym_kind_valid"),
        ]

    def __str__(self):
        return f"{self.text} → {self.value_label}"

    @classmethod
    def targets(cls, kind: str) -> dict[str, str]:
        """The standard values a synonym of ``kind`` may point to: code → label."""
        if kind == cls.Kind.METHOD:
            return {v: str(label) for v, label in VerificationMethod.choices}
        if kind == cls.Kind.LEVEL:
            return {v: str(label) for v, label in ExerciseLevel.choices}
        if kind == cls.Kind.SERVICE_KIND:
            return {v: str(label) for v, label in AdministrativeService.Kind.choices}
        return {name: name for name in (*columns.COLUMNS, *columns.EXTRA_COLUMNS, columns.ARTICLE_COLUMN,
                                        columns.IGNORED_COLUMN)}

    @property
    def value_label(self) -> str:
        return self.targets(self.kind).get(self.value, self.value)

    def clean(self):
        from django.core.exceptions import ValidationError

        self.text = " ".join((self.text or "").split())
        targets = self.targets(self.kind)
        value = (self.value or "").strip()
        # Accept the label too (a reviewer types “书面核查”, not “written”).
        by_label = {label: code for code, label in targets.items()}
        self.value = by_label.get(value, value)
        if self.text in targets.values() or self.text in targets:
            raise ValidationError({"text": _("“%(t)s”本身就是标准写法，无须登记。") % {"t": self.text}})
        if self.value not in targets:
            raise ValidationError({"value": _("“%(v)s”不是有效的标准项，可填：%(all)s。")
                                   % {"v": value, "all": "、".join(f"{label}（{code}）" if code != label else label
                                                                 for code, label in targets.items())}})


class PendingImport(models.Model):
    """An uploaded list waiting for the editor to confirm its preview (待确认的导入文件).

    The file is kept here, not re-uploaded: the confirmation names it by ``token``; it is valid for
    ``TTL_MINUTES`` and only for the editor and the draft it was uploaded to. Confirming marks it
    used in the same transaction as the import, so a second click or a retry imports nothing twice.
    """

    TTL_MINUTES = 30

    token = models.CharField(max_length=64, unique=True)
    catalogue = models.ForeignKey(Catalogue, on_delete=models.CASCADE, related_name="+")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(max_length=200, blank=True)
    data = models.BinaryField(blank=True)
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("待确认的导入文件")
        verbose_name_plural = _("待确认的导入文件")
        indexes = [models.Index(fields=["created_at"], name="pending_import_created_idx")]

    def __str__(self):
        return self.filename or self.token


class RiskPoint(models.Model):
    """风险点 and its 防控措施 (§二(七)): a risk of accepting a commitment for this matter, and how it is controlled.

    Listed by the agency's catalogue editor; reviewed by the justice bureau with the catalogue version;
    a commitment matter without any control is shown to the supervisor.
    """

    matter = models.ForeignKey(CertificationMatter, verbose_name=_("证明事项"), on_delete=models.CASCADE,
                               related_name="risk_points")
    description = models.CharField(_("风险点"), max_length=300)
    control = models.TextField(_("防控措施"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("风险点")
        verbose_name_plural = _("风险点")
        ordering = ["matter", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["matter", "description"], name="risk_point_unique_per_matter"),
            models.CheckConstraint(condition=~Q(description=""), name="risk_point_described"),
        ]

    def __str__(self):
        return self.description
