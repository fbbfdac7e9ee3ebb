"""监督统计 pages: the dashboard, the assessment table and its exports, supervision notices, the public page.

Thin: read the period and scope, ask ``supervision.figures`` for the figures (cached) or a service
for a write, render. Who sees what: ``portal.scope.supervision_scope`` (figures) and ``supervision.selectors`` (notices).
"""

import datetime
import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_fsm import has_transition_perm

from portal import inputs, roles
from portal.models import Agency
from portal.reauth import ConfirmIdentityForm
from portal.roles import role_required

from . import charts, exports, selectors, services
from . import figures as f
from .forms import NoticeForm

FIGURE_ROLES = (roles.SUPERVISOR, roles.JUSTICE_REVIEWER, roles.GOVERNMENT_APPROVER)
figures_required = role_required(*FIGURE_ROLES)
supervisor_required = role_required(roles.SUPERVISOR)
staff_required = role_required(*roles.STAFF_ROLES)


def _figures(request) -> tuple[dict, f.Period]:
    scope = f.supervision_scope(request.user)
    if scope is None:
        raise PermissionDenied(_("您的账号没有所属机关，无法查看统计。"))
    period = f.Period.parse(request.GET.get("from"), request.GET.get("to"))
    agency_id = inputs.pk(request.GET.get("agency"))
    if agency_id is not None:
        agency = Agency.objects.filter(pk=agency_id).first()
        scope = f.narrowed(scope, agency)
    result = f.figures(scope, period)
    # 立即刷新: recompute now rather than wait for the beat task, unless the figures are under a minute old.
    if request.GET.get("refresh") == "1" and timezone.now() - result["computed_at"] > datetime.timedelta(minutes=1):
        result = f.figures(scope, period, refresh=True)
    return result, period


def _agencies_for_select(request, result) -> list[dict]:
    """The drill-down choices: the user's whole scope (from the cached city-level figures)."""
    scope = f.supervision_scope(request.user)
    if result["scope"]["key"] == scope.key:
        return result["rows"]
    return f.figures(scope, f.Period(result["period"]["start"], result["period"]["end"]))["rows"]


def _query(result) -> str:
    p = result["period"]
    query = f"from={p['start']:%Y-%m-%d}&to={p['end']:%Y-%m-%d}"
    if result["scope"]["root_id"] is not None:
        query += f"&agency={result['scope']['root_id']}"
    return query


@figures_required
def dashboard(request):
    result, _period = _figures(request)
    return render(request, "supervision/dashboard.html", {
        "result": result, "totals": result["totals"], "charts": charts.dashboard_charts(result),
        "agencies": _agencies_for_select(request, result), "query": _query(result),
        "recent_notices": list(selectors.staff_notices(request.user)[:3]),
        "may_draft": roles.has_role(request.user, roles.SUPERVISOR),
        "uncontrolled": selectors.matters_without_controls(request.user),
    })


@figures_required
def assessment(request):
    result, _period = _figures(request)
    table = exports.table(result)
    return render(request, "supervision/assessment.html", {
        "result": result, "table": table, "title": exports.title(result),
        # each cell with its column's name: on a phone every row is a card of label/value pairs
        "labelled_rows": [list(zip(table["headers"], row, strict=False)) for row in table["rows"]],
        "agencies": _agencies_for_select(request, result), "query": _query(result),
    })


@figures_required
def assessment_xlsx(request):
    result, _period = _figures(request)
    return FileResponse(exports.xlsx(result), as_attachment=True, filename=exports.filename(result, "xlsx"),
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@figures_required
def assessment_pdf(request):
    result, _period = _figures(request)
    return FileResponse(io.BytesIO(exports.pdf(result)), as_attachment=True,
                        filename=exports.filename(result, "pdf"), content_type="application/pdf")


# --- notices ----------------------------------------------------------------------------------------
@staff_required
def notices(request):
    return render(request, "supervision/notices.html", {
        "notices": selectors.staff_notices(request.user)[:100],
        "may_draft": roles.has_role(request.user, roles.SUPERVISOR),
    })


def _named(form) -> dict:
    return {"praised": form.cleaned_data["praised"], "criticised": form.cleaned_data["criticised"]}


@supervisor_required
def notice_new(request):
    scope = f.supervision_scope(request.user)
    if scope is None:
        raise PermissionDenied
    if request.method == "POST":
        form = NoticeForm(request.POST, scope=scope)
        if form.is_valid():
            try:
                notice = services.draft(author=request.user, title=form.cleaned_data["title"],
                                        body=form.cleaned_data["body"], period=form.period, request=request,
                                        **_named(form))
            except services.NoticeError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("通报草稿已保存，请提交审核人员审核。"))
                return redirect("supervision_notice", notice.pk)
    else:
        period = f.Period.parse(request.GET.get("from"), request.GET.get("to"))
        draft = services.suggestion(f.figures(scope, period))
        form = NoticeForm(scope=scope, initial={
            "title": draft["title"], "body": draft["body"], "period_start": period.start, "period_end": period.end,
            "praised": draft["praised"], "criticised": draft["criticised"]})
    return render(request, "supervision/notice_form.html", {"form": form, "notice": None})


@supervisor_required
def notice_edit(request, pk):
    notice = selectors.staff_notice(request.user, pk)
    if notice.author_id != request.user.pk or not notice.is_draft:
        raise PermissionDenied(_("只有起草人可以修改草稿。"))
    scope = f.supervision_scope(request.user)
    if request.method == "POST":
        form = NoticeForm(request.POST, scope=scope)
        if form.is_valid():
            try:
                services.edit(actor=request.user, notice=notice, title=form.cleaned_data["title"],
                              body=form.cleaned_data["body"], period=form.period, request=request, **_named(form))
            except services.NoticeError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("草稿已修改。"))
                return redirect("supervision_notice", notice.pk)
    else:
        named = list(notice.named.all())
        form = NoticeForm(scope=scope, initial={
            "title": notice.title, "body": notice.body, "period_start": notice.period_start,
            "period_end": notice.period_end,
            "praised": [n.agency_id for n in named if n.verdict == "praised"],
            "criticised": [n.agency_id for n in named if n.verdict == "criticised"]})
    return render(request, "supervision/notice_form.html", {"form": form, "notice": notice})


@staff_required
def notice_detail(request, pk):
    return _notice_page(request, selectors.staff_notice(request.user, pk))


def _notice_page(request, notice, confirm_form=None):
    may_approve = notice.is_draft and has_transition_perm(notice.approve, request.user)
    may_publish = notice.state == notice.State.APPROVED and has_transition_perm(notice.publish, request.user)
    if confirm_form is None and (may_approve or may_publish):
        confirm_form = ConfirmIdentityForm(request=request)
    return render(request, "supervision/notice_detail.html", {
        "notice": notice, "may_edit": notice.is_draft and notice.author_id == request.user.pk,
        "may_approve": may_approve, "may_publish": may_publish, "confirm_form": confirm_form,
    })


def _notice_step(request, pk, service, done: str):
    """Approving and publishing a notice are approval actions: 确认身份 first (portal.reauth)."""
    notice = selectors.staff_notice(request.user, pk)
    form = ConfirmIdentityForm(request.POST, request=request)
    if not form.is_valid():
        return _notice_page(request, notice, form)
    try:
        service(actor=request.user, notice=notice, request=request)
    except services.NoticeError as exc:
        raise PermissionDenied(str(exc)) from None
    messages.success(request, done)
    return redirect("supervision_notice", pk)


@require_POST
@role_required(roles.SUPERVISOR, roles.GOVERNMENT_APPROVER)
def notice_approve(request, pk):
    return _notice_step(request, pk, services.approve, _("通报已审核通过，可以发布。"))


@require_POST
@role_required(roles.SUPERVISOR, roles.GOVERNMENT_APPROVER)
def notice_publish(request, pk):
    return _notice_step(request, pk, services.publish, _("通报已在门户网站发布。"))


# --- public -----------------------------------------------------------------------------------------
def transparency(request):
    """City-wide figures for everyone: totals, trends and categories; no per-person data."""
    period = f.Period.parse(request.GET.get("from"), request.GET.get("to"))
    result = f.figures(f.Scope(), period)
    return render(request, "supervision/transparency.html", {
        "result": result, "totals": result["totals"], "charts": charts.public_charts(result),
        "notices": list(selectors.public_notices()[:5]),
    })


def public_notices(request):
    return render(request, "supervision/public_notices.html", {"notices": selectors.public_notices()[:200]})


def public_notice(request, pk):
    try:
        notice = selectors.public_notice(int(pk))
    except (TypeError, ValueError):
        raise Http404 from None
    return render(request, "supervision/public_notice.html", {"notice": notice})
