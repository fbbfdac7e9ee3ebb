"""Every supervision figure, computed with aggregate queries: a fixed number of grouped queries per scope.

Nothing here loops over rows of a big table: each query groups by agency (or month, or category)
and Python only merges those few grouped rows into one row per agency. Figures for a scope and
period are cached (``CACHE_SECONDS``) and refreshed by the beat task ``refresh_supervision_figures``.

Definitions (the supervisor's guide, docs/roles/supervisor.md, repeats them in Chinese):

* listed / excluded — matters in the agency's current public catalogue, with and without the
  commitment system (a state, not a period figure);
* applications — submitted in the period; commitments — signed in the period; proofs saved —
  commitments signed and not withdrawn (each replaces one proof);
* false-commitment rate — found false ÷ (verified + found false), of commitments signed in the period;
* verification on time — of tasks due in the period that are decided (concluded, or past due
  without conclusion), the share concluded by their due date;
* assistance — requests sent in the period to the agency: answered on time, late (answered late
  or pending past due), refused, average reply time;
* spot-check coverage — pool entries added in the period that some draw has picked ÷ pool entries;
* complaints — tickets filed in the period (``complaints.selectors.figures``): reply on time, satisfaction;
* credit — records decided in the period, by grade; repairs and objections submitted in the period
  handled by their due date ÷ (handled + handled late + overdue);
* score — the mean of the agency's on-time and satisfaction rates that have data; rank by score.
"""

import datetime
from dataclasses import dataclass
from types import SimpleNamespace

from django.conf import settings
from django.core.cache import cache
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from catalog.models import Catalogue, CertificationMatter, MatterField, RiskCategory
from commitments.models import Application, Commitment
from complaints import selectors as complaints_selectors
from complaints.models import Ticket
from credit.models import CreditRepair, DishonestyRecord, Objection, Severity
from portal.models import Agency
from verification.models import AssistanceRequest, SpotCheckItem, SpotCheckPoolEntry, VerificationTask

CACHE_SECONDS = 15 * 60
CACHE_VERSION = 1
MAX_SPAN_DAYS = 5 * 366

# Rates that make up an agency's score (higher is better), in the order the table shows them.
SCORED_RATES = ("verify_rate", "assist_rate", "reply_rate", "satisfaction", "credit_rate")


def pct(part, whole) -> float | None:
    return None if not whole else round(100 * part / whole, 1)


# --- period and scope -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Period:
    """An inclusive date range; by default the current calendar year."""

    start: datetime.date
    end: datetime.date

    @classmethod
    def current_year(cls, today: datetime.date | None = None) -> "Period":
        today = today or timezone.localdate()
        return cls(datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31))

    @classmethod
    def parse(cls, start: str | None, end: str | None, today: datetime.date | None = None) -> "Period":
        """From ``YYYY-MM-DD`` strings; anything unreadable falls back to the current year's bound.

        Years outside 2000–2099 fall back too: 9999-12-31 + 1 day (the period's exclusive end) would
        overflow ``datetime.date``.
        """
        default = cls.current_year(today)

        def read(value, fallback):
            try:
                date = datetime.date.fromisoformat((value or "").strip()[:10])
            except ValueError:
                return fallback
            return date if 2000 <= date.year <= 2099 else fallback

        first, last = read(start, default.start), read(end, default.end)
        if last < first:
            first, last = last, first
        if (last - first).days > MAX_SPAN_DAYS:
            first = last - datetime.timedelta(days=MAX_SPAN_DAYS)
        return cls(first, last)

    @property
    def key(self) -> str:
        return f"{self.start:%Y%m%d}-{self.end:%Y%m%d}"

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """Aware datetimes [start 00:00, day after end 00:00) so that indexes on timestamps are usable."""
        tz = timezone.get_current_timezone()
        first = datetime.datetime.combine(self.start, datetime.time.min, tzinfo=tz)
        after = datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
        return first, after

    def months(self) -> list[datetime.date]:
        months, month = [], self.start.replace(day=1)
        while month <= self.end:
            months.append(month)
            month = (month + datetime.timedelta(days=32)).replace(day=1)
        return months


@dataclass(frozen=True)
class Scope:
    """Which agencies the figures cover: ``root`` and its subtree, only ``root``, or everything (root None)."""

    root: Agency | None = None
    subtree: bool = True

    @property
    def key(self) -> str:
        if self.root is None:
            return "all"
        return f"{'t' if self.subtree else 'a'}{self.root.pk}"

    def q(self, field: str) -> Q:
        """A filter on the agency reached through ``field`` (``""`` for the Agency model itself)."""
        if self.root is None:
            return Q()
        prefix = f"{field}__" if field else ""
        if self.subtree:
            return Q(**{f"{prefix}path__startswith": self.root.path})
        return Q(**{f"{prefix}pk": self.root.pk})

    def covers(self, path: str) -> bool:
        if self.root is None:
            return True
        return path.startswith(self.root.path) if self.subtree else path == self.root.path

    def principal(self):
        """A stand-in user for selectors that scope by ``user.agency`` (complaints ``figures``)."""
        if self.root is None:
            return SimpleNamespace(is_superuser=True, agency=None)
        return SimpleNamespace(is_superuser=False, agency=self.root)


class _ByIds:
    """A scope whose ``q`` filters on a known list of agency ids (``root`` None still means no filter)."""

    def __init__(self, scope: Scope, ids: list[int]):
        self.scope, self.ids = scope, ids
        self.root, self.key = scope.root, scope.key

    def q(self, field: str) -> Q:
        if self.root is None:
            return Q()
        return Q(**{f"{field}__in": self.ids}) if field else Q(pk__in=self.ids)

    def principal(self):
        return self.scope.principal()


def scope_of_agency(agency: Agency) -> Scope:
    """What the staff of ``agency`` supervise (mirrors ``Agency.scoped_agencies``)."""
    root = agency.scope_root()
    if root.is_government or root != agency:
        return Scope(root)
    return Scope(agency, subtree=False)


def scope_for(user) -> Scope | None:
    """The scope a staff member supervises; everything for superusers; None without an agency."""
    if user.is_superuser:
        return Scope()
    own = getattr(user, "agency", None)
    return None if own is None else scope_of_agency(own)


def narrowed(scope: Scope, agency: Agency | None) -> Scope:
    """The scope of one agency's subtree inside ``scope`` (drill-down); unchanged when it is outside."""
    if agency is None or not scope.covers(agency.path):
        return scope
    if scope.root is not None and not scope.subtree:
        return scope
    return Scope(agency)


def agencies_in(scope: Scope):
    return Agency.objects.filter(scope.q(""), is_active=True).order_by("path")


# --- the figures ------------------------------------------------------------------------------------
ROW_FIELDS = (
    "listed", "excluded", "applications", "commitments", "withdrawn", "verified", "found_false",
    "tasks_decided", "tasks_on_time", "tasks_overdue", "assist_total", "assist_on_time", "assist_late",
    "assist_answered", "assist_refused", "assist_pending", "pool", "drawn", "tickets", "reply_decided", "reply_on_time", "rated",
    "satisfied", "records", "credit_decided", "credit_on_time",
)


def _grouped(queryset, key: str, **measures) -> dict:
    return {row.pop(key): row for row in queryset.values(key).annotate(**measures).order_by()}


def compute(scope: Scope, period: Period, today: datetime.date | None = None) -> dict:
    """Every figure for ``scope`` over ``period``: a constant number of aggregate queries."""
    today = today or timezone.localdate()
    first, after = period.bounds()
    agencies = list(agencies_in(scope).values("pk", "name", "short_name", "path", "kind"))
    # Filter every table by the agency ids already in hand: no join to the agency table per row.
    scope = _ByIds(scope, [a["pk"] for a in agencies])
    rows = {a["pk"]: {**a, **dict.fromkeys(ROW_FIELDS, 0)} for a in agencies}

    def merge(grouped: dict, mapping: dict | None = None):
        for agency_id, values in grouped.items():
            row = rows.get(agency_id)
            if row is None:
                continue
            for name, value in values.items():
                row[(mapping or {}).get(name, name)] += value or 0

    # Catalogue: current public lists.
    matters = CertificationMatter.objects.filter(scope.q("catalogue__agency"), catalogue__state__in=Catalogue.PUBLIC_STATES)
    merge(_grouped(matters, "catalogue__agency_id",
                   listed=Count("pk", filter=Q(commitment_allowed=True)),
                   excluded=Count("pk", filter=Q(commitment_allowed=False))))
    exclusion_counts = dict(matters.filter(commitment_allowed=False).values_list("exclusion_category")
                            .annotate(n=Count("pk")).order_by())
    field_counts = dict(matters.filter(commitment_allowed=True).values_list("field").annotate(n=Count("pk")).order_by())

    # Applications and commitments.
    applications = Application.objects.filter(scope.q("agency"), submitted_at__gte=first, submitted_at__lt=after)
    merge(_grouped(applications, "agency_id", applications=Count("pk")))
    commitments = Commitment.objects.filter(scope.q("application__agency"), signed_at__gte=first, signed_at__lt=after)
    C = Commitment.State
    merge(_grouped(commitments, "application__agency_id",
                   commitments=Count("pk"),
                   withdrawn=Count("pk", filter=Q(state=C.WITHDRAWN)),
                   verified=Count("pk", filter=Q(state=C.VERIFIED)),
                   found_false=Count("pk", filter=Q(state=C.FOUND_FALSE))))

    # Verification tasks due in the period.
    T = VerificationTask.State
    tasks = VerificationTask.objects.filter(scope.q("agency"), due_date__gte=period.start, due_date__lte=period.end)
    decided = Q(state=T.CONCLUDED) | Q(due_date__lt=today)
    on_time = Q(state=T.CONCLUDED, concluded_at__date__lte=F("due_date"))
    merge(_grouped(tasks, "agency_id",
                   tasks_decided=Count("pk", filter=decided),
                   tasks_on_time=Count("pk", filter=on_time),
                   tasks_overdue=Count("pk", filter=~Q(state=T.CONCLUDED) & Q(due_date__lt=today))))

    # Assistance requests sent in the period, by the agency asked.
    A = AssistanceRequest.State
    requests = AssistanceRequest.objects.filter(scope.q("to_agency"), sent_at__gte=first, sent_at__lt=after)
    reply_time = ExpressionWrapper(F("answered_at") - F("sent_at"), output_field=DurationField())
    assistance = _grouped(
        requests, "to_agency_id",
        assist_total=Count("pk"),
        assist_on_time=Count("pk", filter=Q(state=A.ANSWERED, answered_on_time=True)),
        assist_late=Count("pk", filter=Q(state=A.ANSWERED, answered_on_time=False)
                          | Q(state=A.PENDING, due_date__lt=today)),
        assist_answered=Count("pk", filter=Q(state=A.ANSWERED)),
        assist_refused=Count("pk", filter=Q(state=A.REFUSED)),
        assist_pending=Count("pk", filter=Q(state=A.PENDING)),
        reply_time=Avg(reply_time, filter=Q(state=A.ANSWERED)),
    )
    reply_times = {pk: _duration(values.pop("reply_time")) for pk, values in assistance.items()}
    merge(assistance)

    # Spot checks: the pool filled in the period and how much of it a draw has picked.
    pool = SpotCheckPoolEntry.objects.filter(scope.q("agency"), added_at__gte=first, added_at__lt=after)
    merge(_grouped(pool, "agency_id", pool=Count("pk")))
    drawn = SpotCheckItem.objects.filter(scope.q("entry__agency"), entry__added_at__gte=first, entry__added_at__lt=after)
    merge(_grouped(drawn, "entry__agency_id", drawn=Count("entry", distinct=True)))

    # Complaints (the complaints app's own figures), summed over kinds for each agency in scope.
    complaint_figures = complaints_selectors.figures(scope.principal(), start=period.start, end=period.end)
    for row in complaint_figures["rows"]:
        target = rows.get(row["agency_id"])
        if target is None:
            continue
        target["tickets"] += row["total"]
        for name in ("reply_decided", "reply_on_time", "rated", "satisfied"):
            target[name] += row[name]

    # Credit: records decided in the period by grade; repairs and objections handled on time.
    records = DishonestyRecord.objects.filter(
        scope.q("deciding_agency"), decision_date__gte=period.start, decision_date__lte=period.end)
    merge(_grouped(records, "deciding_agency_id", records=Count("pk")))
    grade_counts = dict(records.values_list("severity").annotate(n=Count("pk")).order_by())
    for model in (CreditRepair, Objection):
        handled = model.objects.filter(scope.q("record__deciding_agency"), submitted_at__gte=first, submitted_at__lt=after)
        merge(_grouped(
            handled, "record__deciding_agency_id",
            credit_decided=Count("pk", filter=~Q(status="submitted") | Q(due_on__lt=today)),
            credit_on_time=Count("pk", filter=~Q(status="submitted") & Q(decided_at__date__lte=F("due_on"))),
        ))

    agency_rows = [_finish(row, reply_times.get(row["pk"])) for row in rows.values()]
    _rank(agency_rows)
    totals = _finish({name: sum(r[name] for r in agency_rows) for name in ROW_FIELDS}, _mean_time(
        assistance, reply_times))
    return {
        "period": {"start": period.start, "end": period.end},
        "scope": {"key": scope.key, "name": scope.root.name if scope.root else _("全市"),
                  "root_id": scope.root.pk if scope.root else None},
        "computed_at": timezone.now(),
        "totals": totals,
        "rows": agency_rows,
        "exclusions": [(str(label), exclusion_counts.get(value, 0)) for value, label in RiskCategory.choices],
        "fields": [(str(label), field_counts.get(value, 0)) for value, label in MatterField.choices],
        "grades": [(str(label), grade_counts.get(value, 0)) for value, label in Severity.choices],
        "months": _months(scope, period, first, after, today),
    }


def _mean_time(assistance: dict, reply_times: dict):
    """The overall average reply time, weighted by the answered requests of each agency."""
    total, weight = datetime.timedelta(0), 0
    for pk, value in reply_times.items():
        answered = assistance[pk]["assist_answered"]
        if value is not None and answered:
            total += value * answered
            weight += answered
    return total / weight if weight else None


def _duration(value) -> datetime.timedelta | None:
    if value is None or isinstance(value, datetime.timedelta):
        return value
    return datetime.timedelta(microseconds=float(value))  # SQLite hands back microseconds


def _hours(value: datetime.timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / 3600, 1)


def _finish(row: dict, reply_time=None) -> dict:
    row["proofs_saved"] = row["commitments"] - row["withdrawn"]
    row["false_rate"] = pct(row["found_false"], row["verified"] + row["found_false"])
    row["verify_rate"] = pct(row["tasks_on_time"], row["tasks_decided"])
    row["assist_rate"] = pct(row["assist_on_time"], row["assist_on_time"] + row["assist_late"])
    row["assist_hours"] = _hours(reply_time)
    row["spot_rate"] = pct(row["drawn"], row["pool"])
    row["reply_rate"] = pct(row["reply_on_time"], row["reply_decided"])
    row["satisfaction"] = pct(row["satisfied"], row["rated"])
    row["credit_rate"] = pct(row["credit_on_time"], row["credit_decided"])
    rates = [row[name] for name in SCORED_RATES if row[name] is not None]
    row["score"] = round(sum(rates) / len(rates), 1) if rates else None
    row["active"] = any(row[name] for name in ROW_FIELDS)
    return row


def _rank(rows: list[dict]) -> None:
    """Competition ranking by score (1, 2, 2, 4); agencies without a score get no rank."""
    scored = sorted((r for r in rows if r["score"] is not None), key=lambda r: -r["score"])
    previous, rank = None, 0
    for position, row in enumerate(scored, start=1):
        if row["score"] != previous:
            rank, previous = position, row["score"]
        row["rank"] = rank
    for row in rows:
        row.setdefault("rank", None)


def _months(scope, period: Period, first, after, today) -> list[dict]:
    """Monthly trends: applications, commitments, verification on time, complaints (four queries).

    Each month is a filtered COUNT over a timestamp range (no per-row date function, which SQLite
    would run in Python), all months of a table in one aggregate query.
    """
    tz = timezone.get_current_timezone()
    months = period.months()
    edges = [max(m, period.start) for m in months] + [period.end + datetime.timedelta(days=1)]
    moments = [datetime.datetime.combine(day, datetime.time.min, tzinfo=tz) for day in edges]
    result = [{"month": m, "future": m > today} for m in months]

    def add(queryset, column, measures: dict, dates=False):
        bounds = edges if dates else moments
        aggregates = {}
        for i in range(len(months)):
            window = Q(**{f"{column}__gte": bounds[i], f"{column}__lt": bounds[i + 1]})
            for name, condition in measures.items():
                aggregates[f"{name}__{i}"] = Count("pk", filter=window & condition)
        values = queryset.aggregate(**aggregates)
        for i, month in enumerate(result):
            for name in measures:
                month[name] = values[f"{name}__{i}"] or 0

    add(Application.objects.filter(scope.q("agency"), submitted_at__gte=first, submitted_at__lt=after),
        "submitted_at", {"applications": Q()})
    add(Commitment.objects.filter(scope.q("application__agency"), signed_at__gte=first, signed_at__lt=after),
        "signed_at", {"commitments": Q()})
    T = VerificationTask.State
    add(VerificationTask.objects.filter(scope.q("agency"), due_date__gte=period.start, due_date__lte=period.end),
        "due_date", {"tasks_decided": Q(state=T.CONCLUDED) | Q(due_date__lt=today),
                     "tasks_on_time": Q(state=T.CONCLUDED, concluded_at__date__lte=F("due_date"))}, dates=True)
    add(Ticket.objects.filter(scope.q("agency"), created_at__gte=first, created_at__lt=after), "created_at",
        {"tickets": Q(), "reply_decided": Q(replied_on_time__isnull=False), "reply_on_time": Q(replied_on_time=True)})
    for month in result:
        month["verify_rate"] = pct(month["tasks_on_time"], month["tasks_decided"])
        month["reply_rate"] = pct(month["reply_on_time"], month["reply_decided"])
    return result


# --- cache ------------------------------------------------------------------------------------------
def cache_key(scope: Scope, period: Period, language: str | None = None) -> str:
    """Per language too: the figures carry translated labels (risk categories, fields, grades)."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    return f"supervision:figures:v{CACHE_VERSION}:{language}:{scope.key}:{period.key}"


def figures(scope: Scope, period: Period, *, refresh: bool = False) -> dict:
    """The figures from the cache, computed and stored when missing (or when ``refresh``)."""
    key = cache_key(scope, period)
    if not refresh:
        cached = cache.get(key)
        if cached is not None:
            return cached
    value = compute(scope, period)
    cache.set(key, value, CACHE_SECONDS)
    return value


def scopes_to_refresh() -> list[Scope]:
    """City-wide, every government's subtree and every supervisor's own agency (one query)."""
    from portal import roles

    scopes = {Scope().key: Scope()}
    agencies = Agency.objects.filter(is_active=True).filter(
        Q(kind__in=Agency.GOVERNMENT_KINDS)
        | Q(staff__groups__name=roles.SUPERVISOR, staff__is_active=True)
    ).select_related("parent").distinct()
    for agency in agencies:
        scope = scope_of_agency(agency)
        scopes.setdefault(scope.key, scope)
    return list(scopes.values())


def refresh_all(period: Period | None = None) -> int:
    period = period or Period.current_year()
    scopes = scopes_to_refresh()
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for scope in scopes:
                figures(scope, period, refresh=True)
    return len(scopes)
