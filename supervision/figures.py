"""Every supervision figure: each app's ``selectors.figures(scope, period)`` merged into one row per agency.

The apps count (a fixed number of grouped aggregate queries each, never a loop over rows) and filter
by ``portal.scope.Scope``; this module only adds their rows up, rates and ranks them. Figures for a
scope and period are cached (``CACHE_SECONDS``) and refreshed by the beat task
``supervision.tasks.refresh_figures``.

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

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from catalog import selectors as catalog
from commitments import selectors as commitments
from complaints import selectors as complaints
from credit import selectors as credit
from portal import roles
from portal.figures import Period, pct
from portal.models import Agency
from portal.scope import Scope, narrowed, supervision_scope, supervision_scope_of
from verification import selectors as verification

__all__ = ["Period", "Scope", "compute", "figures", "narrowed", "refresh_all", "supervision_scope",
           "supervision_scope_of"]

CACHE_SECONDS = 15 * 60
CACHE_VERSION = 2

# Rates that make up an agency's score (higher is better), in the order the table shows them.
SCORED_RATES = ("verify_rate", "assist_rate", "reply_rate", "satisfaction", "credit_rate")


# --- the figures ------------------------------------------------------------------------------------
ROW_FIELDS = (
    "listed", "excluded", "applications", "commitments", "withdrawn", "verified", "found_false",
    "tasks_decided", "tasks_on_time", "tasks_overdue", "assist_total", "assist_on_time", "assist_late",
    "assist_answered", "assist_refused", "assist_pending", "pool", "drawn", "tickets", "reply_decided", "reply_on_time", "rated",
    "satisfied", "records", "credit_decided", "credit_on_time",
)


def compute(scope: Scope, period: Period, today: datetime.date | None = None) -> dict:
    """Every figure for ``scope`` over ``period``: each app's ``selectors.figures`` merged into one row per agency.

    The apps decide what their figures count and filter with ``scope.q(field)``; this only adds them up.
    """
    today = today or timezone.localdate()
    agencies = list(scope.agencies().values("pk", "name", "short_name", "path", "kind"))
    rows = {a["pk"]: {**a, **dict.fromkeys(ROW_FIELDS, 0)} for a in agencies}
    parts = {
        "catalog": catalog.figures(scope, period),
        "commitments": commitments.figures(scope, period),
        "verification": verification.figures(scope, period, today=today),
        "complaints": complaints.figures(scope, period),
        "credit": credit.figures(scope, period, today=today),
    }
    reply_times = {}
    for part in parts.values():
        for agency_id, values in part["by_agency"].items():
            row = rows.get(agency_id)
            if row is None:
                continue
            for name, value in values.items():
                if name == "reply_time":
                    reply_times[agency_id] = value
                else:
                    row[name] += value or 0

    agency_rows = [_finish(row, reply_times.get(row["pk"])) for row in rows.values()]
    _rank(agency_rows)
    totals = _finish({name: sum(r[name] for r in agency_rows) for name in ROW_FIELDS},
                     _mean_time(rows, reply_times))
    return {
        "period": {"start": period.start, "end": period.end},
        "scope": {"key": scope.key, "name": scope.root.name if scope.root else _("全市"),
                  "root_id": scope.root.pk if scope.root else None},
        "computed_at": timezone.now(),
        "totals": totals,
        "rows": agency_rows,
        "exclusions": parts["catalog"]["exclusions"],
        "fields": parts["catalog"]["fields"],
        "grades": parts["credit"]["grades"],
        "months": _months(period, today, [parts[name]["months"] for name in ("commitments", "verification",
                                                                            "complaints")]),
    }


def _mean_time(rows: dict, reply_times: dict):
    """The overall average reply time, weighted by the answered requests of each agency."""
    total, weight = datetime.timedelta(0), 0
    for pk, value in reply_times.items():
        answered = rows[pk]["assist_answered"] if pk in rows else 0
        if value is not None and answered:
            total += value * answered
            weight += answered
    return total / weight if weight else None


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


def _months(period: Period, today, parts: list[dict]) -> list[dict]:
    """Monthly trends (applications, commitments, verification on time, complaints) from the apps' month counts."""
    result = [{"month": m, "future": m > today} for m in period.months()]
    for part in parts:
        for name, counts in part.items():
            for month, count in zip(result, counts, strict=True):
                month[name] = count
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
    scopes = {Scope().key: Scope()}
    agencies = Agency.objects.filter(is_active=True).filter(
        Q(kind__in=Agency.GOVERNMENT_KINDS)
        | Q(staff__groups__name=roles.SUPERVISOR, staff__is_active=True)
    ).select_related("parent").distinct()
    for agency in agencies:
        scope = supervision_scope_of(agency)
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
