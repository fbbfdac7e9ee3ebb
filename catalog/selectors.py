"""Every read of the catalogue that depends on who is asking. Views ask here; they never filter models.

Public readers see only the current public versions (published, reported to the city, aggregated
or returned by it) and, for history, superseded ones. Staff see the catalogues they are responsible for:

* an editor — their own agency's versions;
* a justice reviewer or government approver — every version their government level reviews and
  approves (``scope.catalogue_review_q``: the city's for city departments and zones, a district's for
  that district), plus the public versions of the lists lower governments report to them
  (``scope.catalogue_aggregation_q``: city-wide for 市司法局 and 市政府, nothing for a district);
* a superuser — everything.
"""

import hashlib

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Window
from django.http import Http404

from portal import inputs, roles, scope
from portal.cache import kept
from portal.figures import grouped
from portal.models import Agency

from .models import (
    AdministrativeService,
    Catalogue,
    CatalogueComment,
    CertificationMatter,
    MatterField,
    RiskCategory,
    RiskPoint,
)

PUBLIC = Catalogue.PUBLIC_STATES
READABLE = Catalogue.READABLE_STATES


# --- public ----------------------------------------------------------------------------------


def public_matters(*, q: str = "", field: str = "", agency: str = "", service: str = "",
                   applicability: str = "", choices: dict | None = None) -> QuerySet[CertificationMatter]:
    """Matters of the current public catalogues, filtered (values read as ``public_filters`` reads them);
    one query however many rows are shown. ``choices``: the cached ``public_filter_choices``, whose
    service list answers the service-name part of a search without a query."""
    return _matching(public_filters(
        {"q": q, "field": field, "agency": agency, "service": service, "applicability": applicability}), choices,
    ).select_related("catalogue__agency", "service", "requesting_agency").only(
        "pk", "name", "seq", "field", "issuing_unit", "exercise_level", "commitment_allowed",
        "exclusion_category", "catalogue__agency__name", "catalogue__agency__code", "catalogue__version",
        "catalogue__state", "service__name", "service__kind", "requesting_agency__name",
    )


def _matching(f: dict, choices: dict | None) -> QuerySet[CertificationMatter]:
    """The public matters that answer the filters ``f``, in the catalogue's order; nothing joined or deferred."""
    matters = CertificationMatter.objects.filter(catalogue__state__in=PUBLIC).order_by(
        "catalogue__agency__path", "seq", "pk")
    if f["q"]:
        # The service names are matched in their own (small) table first and passed as a list: the
        # matters' side is then the name (the trigram index of migration 0002 on PostgreSQL) OR a list
        # of service ids (its index); a subquery there made PostgreSQL read every matter.
        matters = matters.filter(Q(name__icontains=f["q"]) | Q(service_id__in=_services_named(f["q"], choices)))
    if f["field"]:
        matters = matters.filter(field=f["field"])
    if f["agency"]:
        matters = matters.filter(catalogue__agency_id=int(f["agency"]))
    if f["service"]:
        matters = matters.filter(service_id=int(f["service"]))
    if f["applicability"]:
        matters = matters.filter(commitment_allowed=f["applicability"] == "allowed")
    return matters


def public_matter_page(filters: dict, choices: dict | None, number: int, per_page: int) -> Page:
    """One page of ``public_matters(**filters)`` as matter ids, with how many match, in one query: the count
    is a window over the same scan (a search scanned the matters twice, once to count and once for the
    page). A page past the end is answered with the last one, as ``Paginator.get_page`` does."""
    matters = _matching(public_filters(filters), choices)
    ids = matters.annotate(total=Window(Count("pk"))).values_list("pk", "total")
    number = max(number, 1)
    rows = list(ids[(number - 1) * per_page:number * per_page])
    if rows:
        total = rows[0][1]
    else:  # past the end (or nothing matches): count, then the last page
        total = matters.count()
        number = max(1, -(-total // per_page))
        rows = list(ids[(number - 1) * per_page:number * per_page]) if total else []
    paginator = Paginator((), per_page)
    paginator.count = total  # a cached property: set, it is never asked of the database
    return Page([pk for pk, _total in rows], number, paginator)


def public_matters_by_id(ids) -> dict[int, CertificationMatter]:
    """The public matters among ``ids``, with what a result row shows."""
    return {m.pk: m for m in public_matters().filter(pk__in=ids)}


def _services_named(q: str, choices: dict | None) -> list[int]:
    if choices is None:
        return list(AdministrativeService.objects.filter(name__icontains=q).values_list("pk", flat=True))
    needle = q.upper()
    return [s.pk for s in choices["services"] if needle in s.name.upper()]


# Cached answers are keyed on public_catalogue_stamp(), so a publication shows at once; the lifetime
# only bounds how long a renamed agency or service keeps its old name in the filters (admin edits).
PUBLIC_CACHE_SECONDS = 600


def public_catalogue_stamp() -> str:
    """A value that changes whenever any catalogue is published, filed or superseded (one small query).

    Derived from the catalogues themselves rather than from a counter bumped by the services, so a
    publication by any route (service, admin, data migration, shell) changes it.
    """
    row = Catalogue.objects.filter(state__in=READABLE).aggregate(
        n=Count("pk"), last=Max("pk"), published=Max("published_at"), reported=Max("reported_at"),
        filed=Max("filed_at"),
        superseded=Max("superseded_at"),
    )
    return hashlib.blake2b(repr(sorted(row.items())).encode(), digest_size=8).hexdigest()


def public_cache_key(kind: str, *parts) -> str:
    """A cache key for a public catalogue answer (hashed: parts may hold any text)."""
    return f"catalog:{kind}:" + hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def public_filter_choices(stamp: str | None = None) -> dict:
    """Agencies and services that have a public catalogue (cached until the public catalogue changes)."""
    def read():
        agencies = Agency.objects.filter(catalogues__state__in=PUBLIC).only("pk", "name", "path").order_by("path").distinct()
        services = (
            AdministrativeService.objects.filter(matters__catalogue__state__in=PUBLIC)
            .only("pk", "name").order_by("name").distinct()
        )
        return {"agencies": list(agencies), "services": list(services)}

    key = public_cache_key("filter-choices", stamp or public_catalogue_stamp())
    return kept(key, read, PUBLIC_CACHE_SECONDS)


def public_filters(raw: dict) -> dict:
    """The search box and filters as ``public_matters`` takes them: each value one it understands, or ``""``."""
    return {
        "q": inputs.text(raw.get("q"), 50),
        "field": raw.get("field") if raw.get("field") in MatterField.values else "",
        "agency": str(inputs.pk(raw.get("agency")) or ""),
        "service": str(inputs.pk(raw.get("service")) or ""),
        "applicability": raw.get("applicability") if raw.get("applicability") in ("allowed", "excluded") else "",
    }


def uses_listed_filters(filters: dict, choices: dict) -> bool:
    """Whether the agency and service filters are empty or taken from the filter lists.

    Only such answers are kept rendered in the cache: their number is bounded by the lists,
    whereas made-up ids (or free text) would let any client fill the cache.
    """
    return (
        filters["agency"] in {"", *(str(a.pk) for a in choices["agencies"])}
        and filters["service"] in {"", *(str(s.pk) for s in choices["services"])}
    )


def public_matter(pk: int) -> CertificationMatter:
    """A matter of a published, filed or superseded version (old versions stay readable), or 404."""
    try:
        return (
            CertificationMatter.objects.select_related("catalogue__agency", "service", "requesting_agency")
            .prefetch_related("negative_entries")
            .get(pk=pk, catalogue__state__in=READABLE)
        )
    except CertificationMatter.DoesNotExist:
        raise Http404 from None


def matter_history(matter: CertificationMatter) -> list[CertificationMatter]:
    """The same matter (by key) in every publicly readable version of its agency's catalogue, newest first."""
    return list(
        CertificationMatter.objects.filter(
            key=matter.key, catalogue__agency_id=matter.catalogue.agency_id, catalogue__state__in=READABLE
        )
        .select_related("catalogue")
        .only("pk", "key", "catalogue__version", "catalogue__state", "catalogue__published_at",
              "catalogue__superseded_at", "catalogue__change_kind", "catalogue__agency_id")
        .order_by("-catalogue__version")
    )


def current_matter(matter: CertificationMatter) -> CertificationMatter | None:
    """For a superseded matter: the same matter in the agency's current public version, if it is still there."""
    return (
        CertificationMatter.objects.filter(
            key=matter.key, catalogue__agency_id=matter.catalogue.agency_id, catalogue__state__in=PUBLIC
        ).only("pk").first()
    )


def public_versions(agency_id: int) -> list[Catalogue]:
    return list(
        Catalogue.objects.filter(agency_id=agency_id, state__in=READABLE).select_related("agency")
        .annotate(matter_count=Count("matters")).order_by("-version")
    )


def open_data_matters() -> QuerySet[CertificationMatter]:
    """Everything in the current public catalogues, for the open-data exports."""
    return (
        CertificationMatter.objects.filter(catalogue__state__in=PUBLIC)
        .select_related("catalogue__agency", "service", "requesting_agency")
        .prefetch_related("negative_entries")
        .order_by("catalogue__agency__path", "seq")
    )


# --- staff -----------------------------------------------------------------------------------


def _scope_q(user) -> Q | None:
    """The catalogues ``user`` may see as staff, or None for nothing."""
    if not getattr(user, "is_authenticated", False):
        return None
    if user.is_superuser:
        return Q()
    agency = getattr(user, "agency", None)
    if agency is None:
        return None
    q = None
    if roles.has_role(user, roles.CATALOGUE_EDITOR):
        q = Q(agency_id=agency.pk)
    if roles.has_role(user, roles.JUSTICE_REVIEWER, roles.GOVERNMENT_APPROVER):
        # Own level: everything it reviews and approves. Lower levels: only once they published their list.
        for wide in (scope.catalogue_review_q(user),
                     _and(scope.catalogue_aggregation_q(user), Q(state__in=READABLE))):
            if wide is not None:
                q = wide if q is None else q | wide
    return q


def _and(q: Q | None, more: Q) -> Q | None:
    return None if q is None else q & more


def staff_catalogues(user) -> QuerySet[Catalogue]:
    q = _scope_q(user)
    if q is None:
        return Catalogue.objects.none()
    return Catalogue.objects.filter(q).select_related("agency", "approving_agency", "submitted_by")


def staff_catalogue(user, pk: int) -> Catalogue:
    try:
        return staff_catalogues(user).get(pk=pk)
    except Catalogue.DoesNotExist:
        raise Http404 from None


def visible_catalogue(user, pk: int) -> Catalogue:
    """A catalogue readable by the public, or by this staff member; else 404 (for the version diff)."""
    q = Q(state__in=READABLE)
    scope = _scope_q(user)
    if scope is not None:
        q |= Q(pk__in=Catalogue.objects.filter(scope).values("pk"))
    try:
        return Catalogue.objects.select_related("agency").get(q, pk=pk)
    except Catalogue.DoesNotExist:
        raise Http404 from None


def catalogue_matters(catalogue: Catalogue) -> QuerySet[CertificationMatter]:
    return catalogue.matters.select_related("service", "requesting_agency").order_by("seq")


def risk_points(catalogue: Catalogue) -> list:
    """Each matter of the version with its risk points (风险点, 防控措施), for the editor and the reviewer."""
    matters = catalogue.matters.prefetch_related("risk_points").order_by("seq")
    return [(m, list(m.risk_points.all())) for m in matters]


def editable_matter(user, catalogue_pk: int, matter_pk: int) -> CertificationMatter:
    """A matter of a catalogue of the editor's own agency, or 404."""
    if not getattr(user, "agency_id", None):
        raise Http404
    try:
        return (
            CertificationMatter.objects.select_related("catalogue__agency", "service")
            .prefetch_related("negative_entries")
            .get(pk=matter_pk, catalogue_id=catalogue_pk, catalogue__agency_id=user.agency_id)
        )
    except CertificationMatter.DoesNotExist:
        raise Http404 from None


def staff_matter(user, matter_pk: int) -> CertificationMatter:
    """Any matter of a catalogue within the user's staff scope (e.g. a draft under review), or 404."""
    try:
        return (
            CertificationMatter.objects.select_related("catalogue__agency", "service", "requesting_agency")
            .prefetch_related("negative_entries")
            .get(pk=matter_pk, catalogue__in=staff_catalogues(user))
        )
    except CertificationMatter.DoesNotExist:
        raise Http404 from None


def editor_catalogues(user) -> list[Catalogue]:
    if not getattr(user, "agency_id", None):
        return []
    return list(
        Catalogue.objects.filter(agency_id=user.agency_id).select_related("agency")
        .annotate(matter_count=Count("matters")).order_by("-version")
    )


def agency_versions(agency_id: int) -> list[Catalogue]:
    """Every version of an agency's catalogue (for staff who already may see that agency's list)."""
    return list(Catalogue.objects.filter(agency_id=agency_id).only("pk", "version", "state", "agency_id")
                .order_by("-version"))


def services_for(agency_id: int) -> QuerySet[AdministrativeService]:
    return AdministrativeService.objects.filter(agency_id=agency_id).order_by("name")


def requesting_agencies_for(agency: Agency) -> QuerySet[Agency]:
    """Agencies that may be named as 索要单位 in this agency's list: itself and its government's subtree."""
    government = agency
    while government.parent_id and not government.is_government:
        government = government.parent
    return Agency.objects.filter(path__startswith=government.path).order_by("path")


def review_queue(user) -> QuerySet[Catalogue]:
    """For a justice reviewer: lists of its own government level waiting for review (市级部门、开发区 for
    市司法局; 本区县 for a district's bureau), and its district's published lists still to be reported."""
    level = scope.catalogue_review_q(user)
    agency = getattr(user, "agency", None)
    if level is None or agency is None or not agency.is_justice_bureau:
        return Catalogue.objects.none()
    return (
        Catalogue.objects.filter(level)
        .filter(Q(state=Catalogue.State.SUBMITTED) | _to_report())
        .select_related("agency", "submitted_by").annotate(matter_count=Count("matters")).order_by("submitted_at", "pk")
    )


def _to_report() -> Q:
    """District lists published but not (or no longer) with the city: 待报送市司法局汇总."""
    return Q(route=Catalogue.Route.DISTRICT, state__in=[Catalogue.State.PUBLISHED, Catalogue.State.REPORT_RETURNED])


def approval_queue(user) -> QuerySet[Catalogue]:
    """For a government approver: lists its justice bureau passed, approved lists to publish, and (districts)
    published lists to report to the city or returned by it."""
    level = scope.catalogue_review_q(user)
    if level is None:
        return Catalogue.objects.none()
    return (
        Catalogue.objects.filter(level)
        .filter(Q(state__in=[Catalogue.State.REVIEWED, Catalogue.State.APPROVED]) | _to_report())
        .select_related("agency", "submitted_by", "reviewed_by").annotate(matter_count=Count("matters"))
        .order_by("submitted_at", "pk")
    )


AGGREGATION_FILTERS = {
    "reported": (Catalogue.State.REPORTED,),
    "returned": (Catalogue.State.REPORT_RETURNED,),
    "aggregated": (Catalogue.State.AGGREGATED,),
    "not_reported": (Catalogue.State.PUBLISHED,),
}


def aggregation_list(user, status: str = "") -> list[Catalogue]:
    """For 市司法局: every current list the districts and 西咸新区 published, with its reporting status
    (待汇总 first), its city-side comments attached as ``comment_list``. ``status`` narrows it
    (a key of ``AGGREGATION_FILTERS``; anything else means all)."""
    if not scope.aggregates_catalogues(user):
        return []
    reported = scope.catalogue_aggregation_q(user)
    states = AGGREGATION_FILTERS.get(status) or Catalogue.PUBLIC_STATES
    order = {Catalogue.State.REPORTED: 0, Catalogue.State.REPORT_RETURNED: 1, Catalogue.State.PUBLISHED: 2,
             Catalogue.State.AGGREGATED: 3}
    rows = list(
        Catalogue.objects.filter(reported, route=Catalogue.Route.DISTRICT, state__in=states)
        .select_related("agency", "approving_agency", "reported_by", "filed_by")
        .annotate(matter_count=Count("matters"))
    )
    rows.sort(key=lambda c: (order.get(c.state, 9), c.agency.path))
    return with_comments(rows)


def aggregation_counts(user) -> dict[str, int]:
    """How many current district lists are in each reporting status (for the aggregation page's filters)."""
    if not scope.aggregates_catalogues(user):
        return {}
    rows = (Catalogue.objects.filter(scope.catalogue_aggregation_q(user), route=Catalogue.Route.DISTRICT,
                                     state__in=Catalogue.PUBLIC_STATES)
            .values("state").annotate(n=Count("pk")).order_by())
    by_state = {row["state"]: row["n"] for row in rows}
    return {key: sum(by_state.get(s, 0) for s in states) for key, states in AGGREGATION_FILTERS.items()}


def city_return_comments(catalogue: Catalogue) -> list[CatalogueComment]:
    """The city justice bureau's comments returning this list's report (shown to the district), newest first."""
    if catalogue.route != Catalogue.Route.DISTRICT:
        return []
    return list(catalogue.comments.filter(action="return_report").select_related("author").order_by("-at", "-pk"))


def returned_public_version(user) -> Catalogue | None:
    """For a district editor: the agency's current list if the city returned its report (退回并附意见)."""
    if not getattr(user, "agency_id", None):
        return None
    return Catalogue.objects.filter(agency_id=user.agency_id, state=Catalogue.State.REPORT_RETURNED).first()


def with_comments(catalogues: list[Catalogue]) -> list[Catalogue]:
    """Attach each queue entry's comment history as ``comment_list`` (one query for the whole queue)."""
    by_catalogue: dict[int, list[CatalogueComment]] = {c.pk: [] for c in catalogues}
    for comment in CatalogueComment.objects.filter(catalogue_id__in=list(by_catalogue)).select_related("author"):
        by_catalogue[comment.catalogue_id].append(comment)
    for catalogue in catalogues:
        catalogue.comment_list = by_catalogue[catalogue.pk]
    return catalogues


def comment_history(catalogue: Catalogue) -> list[CatalogueComment]:
    return list(catalogue.comments.select_related("author"))


def citywide_overview(user) -> dict:
    """The justice bureau's city-wide view: every public list in its scope, with counts per agency and field."""
    scope = staff_catalogues(user).filter(state__in=PUBLIC)
    catalogues = list(scope.annotate(
        matter_count=Count("matters"),
        allowed_count=Count("matters", filter=Q(matters__commitment_allowed=True)),
    ).order_by("agency__path"))
    counts = (
        CertificationMatter.objects.filter(catalogue__in=scope).values("catalogue_id", "field")
        .annotate(n=Count("pk")).order_by()
    )
    per_field: dict[int, dict[str, int]] = {}
    totals = dict.fromkeys(MatterField.values, 0)
    for row in counts:
        per_field.setdefault(row["catalogue_id"], {})[row["field"]] = row["n"]
        totals[row["field"]] += row["n"]
    rows = [
        {"catalogue": c, "fields": [per_field.get(c.pk, {}).get(f, 0) for f in MatterField.values]}
        for c in catalogues
    ]
    return {
        "rows": rows,
        "fields": MatterField.choices,
        "totals": [totals[f] for f in MatterField.values],
        "total": sum(totals.values()),
        "allowed_total": sum(c.allowed_count for c in catalogues),
        "aggregated": sum(1 for c in catalogues if c.state == Catalogue.State.AGGREGATED),
        "awaiting_aggregation": sum(1 for c in catalogues if c.state == Catalogue.State.REPORTED),
        "returned": sum(1 for c in catalogues if c.state == Catalogue.State.REPORT_RETURNED),
        "not_reported": sum(
            1 for c in catalogues if c.route == Catalogue.Route.DISTRICT and c.state == Catalogue.State.PUBLISHED
        ),
    }


# --- supervision figures ---------------------------------------------------------------------------------
def figures(scope, period) -> dict:
    """监督统计 from the catalogue, for agencies in ``scope`` (``portal.scope.Scope``): matters listed with and
    without the commitment system in current public catalogues (a state, so ``period`` does not apply), by
    exclusion category and by field. Three aggregate queries."""
    matters = CertificationMatter.objects.filter(scope.q("catalogue__agency"),
                                                 catalogue__state__in=Catalogue.PUBLIC_STATES)
    by_agency = grouped(matters, "catalogue__agency_id",
                        listed=Count("pk", filter=Q(commitment_allowed=True)),
                        excluded=Count("pk", filter=Q(commitment_allowed=False)))
    exclusions = dict(matters.filter(commitment_allowed=False).values_list("exclusion_category")
                      .annotate(n=Count("pk")).order_by())
    fields = dict(matters.filter(commitment_allowed=True).values_list("field").annotate(n=Count("pk")).order_by())
    return {
        "by_agency": by_agency,
        "exclusions": [(str(label), exclusions.get(value, 0)) for value, label in RiskCategory.choices],
        "fields": [(str(label), fields.get(value, 0)) for value, label in MatterField.choices],
    }


def matters_without_controls(scope, limit=100) -> list:
    """§二(七): commitment matters of public catalogues in ``scope`` with no risk control (防控措施) listed."""
    controlled = RiskPoint.objects.filter(matter=OuterRef("pk")).exclude(control="")
    return list(CertificationMatter.objects.filter(scope.q("catalogue__agency"), commitment_allowed=True,
                                                   catalogue__state__in=Catalogue.PUBLIC_STATES)
                .exclude(Exists(controlled)).select_related("catalogue__agency")
                .order_by("catalogue__agency__path", "seq")[:limit])
