"""Thin views: parse the request, ask a selector or call one service, render or redirect."""

import json
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_fsm import has_transition_perm

from portal import audit, inputs, pdf, roles, scope, search
from portal.cache import kept, kept_parts
from portal.errors import show_refusal

from . import diff, hooks, importing, selectors, services
from .forms import (
    ApprovalForm,
    CommentForm,
    ConfirmImportForm,
    ImportForm,
    MatterForm,
    NewVersionForm,
    RiskPointForm,
    SearchForm,
    ServiceForm,
)
from .models import Catalogue, CatalogueError, MatterField

STAFF = (roles.CATALOGUE_EDITOR, roles.JUSTICE_REVIEWER, roles.GOVERNMENT_APPROVER)
PAGE_SIZES = (20, 50, 100)
CACHED_PAGES = 20  # result pages kept rendered per filter combination


# --- public ----------------------------------------------------------------------------------


def _kept(keep: bool, make, *key):
    """``make()``, kept in the shared cache under ``key`` (which starts with the public-catalogue
    stamp) and the language when ``keep``; made afresh every time otherwise."""
    if not keep:
        return make()
    key = selectors.public_cache_key(*key, translation.get_language())
    return kept(key, make, selectors.PUBLIC_CACHE_SECONDS)


def index(request):
    # The search box posts (portal/search.py): what is typed never reaches a URL; the filters do.
    if response := search.posted(request, "catalog"):
        return response
    stamp = selectors.public_catalogue_stamp()
    choices = selectors.public_filter_choices(stamp)
    raw = request.GET.copy()
    raw["q"] = search.text(request, "catalog")
    filters = selectors.public_filters(raw)
    per_page = next((n for n in PAGE_SIZES if str(n) == request.GET.get("per_page")), PAGE_SIZES[0])
    page_number = inputs.pk(request.GET.get("page")) or 1
    # Page links carry the understood filters only, so the same list always has the same links.
    query = urlencode({k: v for k, v in filters.items() if v and k != "q"}
                      | ({"per_page": per_page} if per_page != PAGE_SIZES[0] else {})
                      | ({search.MARK: "1"} if filters["q"] else {}))

    def filter_fields():
        form = SearchForm(raw if request.GET else None, **choices)
        return render_to_string("catalog/_filters.html", {"selects": form.selects(filters)})

    def results():
        page = selectors.public_matter_page(filters, choices, page_number, per_page)
        rows = kept_parts(selectors.public_cache_key("result-rows", stamp, translation.get_language()),
                          page.object_list, _result_rows, selectors.PUBLIC_CACHE_SECONDS)
        return render_to_string("catalog/_results.html", {"page": page, "rows": rows, "query": query})

    # Until the public catalogue changes, the filter lists (dozens of options) and the common result
    # lists (no free text, their first pages) are the same for everyone: rendered once, then kept.
    listed = selectors.uses_listed_filters(filters, choices)
    selects = sorted((k, v) for k, v in filters.items() if k != "q")
    return render(request, "catalog/index.html", {
        "q_label": SearchForm.base_fields["q"].label, "filters": filters,
        "filter_fields": _kept(listed, filter_fields, "filter-fields", stamp, selects),
        "results": _kept(listed and not filters["q"] and page_number <= CACHED_PAGES, results,
                         "results", stamp, query, page_number),
    })


def _result_rows(ids) -> dict[int, str]:
    """A result row per matter, rendered once: the same row shows in every list and search it falls in
    (kept per catalogue stamp and language, ``portal.cache.kept_parts``)."""
    template = get_template("catalog/_result_row.html")
    # The field's label looked up once: ``get_field_display`` rebuilds the choices on every call.
    labels = {value: str(label) for value, label in MatterField.choices}
    return {pk: template.render({"m": matter, "field_label": labels.get(matter.field, matter.field)})
            for pk, matter in selectors.public_matters_by_id(ids).items()}


def matter_detail(request, pk):
    def page():
        matter = selectors.public_matter(pk)
        current = None if matter.catalogue.is_public else selectors.current_matter(matter)
        return {"matter_name": matter.name, "content": render_to_string("catalog/_matter_content.html", {
            "matter": matter, "history": selectors.matter_history(matter), "current": current,
            "negative_entries": matter.negative_entries.all(),
        }, request=request)}

    # A public matter never changes once published; its page changes only with its catalogue's
    # versions (the history list), which the stamp follows. A 404 is raised, never kept.
    context = dict(_kept(True, page, "matter", selectors.public_catalogue_stamp(), pk))
    # The logged-in citizen's own answer (credit, negative list): per person, never kept (catalog/hooks.py).
    personal = hooks.matter_page_panels(request, pk)
    if personal:  # placed under the matter's title; the kept page holds the marker for everyone
        context["content"] = mark_safe(context["content"].replace(hooks.MARKER, personal, 1))  # noqa: S308
    return render(request, "catalog/matter_detail.html", context)


def letter_pdf(request, pk):
    today = timezone.localdate()

    def letter():
        matter = selectors.public_matter(pk)
        return {"name": matter.name, "pdf": pdf.render_pdf("catalog/letter_template_pdf.html",
                                                            {"matter": matter, "today": today})}

    # Anyone may download it, and a PDF costs a hundred milliseconds of CPU: rendered once per matter
    # and day (the date is printed on it), then kept like the matter page.
    kept = _kept(True, letter, "letter-template", selectors.public_catalogue_stamp(), pk, today.isoformat())
    response = HttpResponse(kept["pdf"], content_type="application/pdf")
    filename = f"{kept['name']}-告知承诺书.pdf"
    response["Content-Disposition"] = f"attachment; filename=\"letter-{pk}.pdf\"; filename*=UTF-8''{quote(filename)}"
    return response


def versions(request, agency_pk):
    catalogues = selectors.public_versions(agency_pk)
    if not catalogues:
        raise Http404
    return render(request, "catalog/versions.html", {"catalogues": catalogues, "agency": catalogues[0].agency})


def compare(request, a, b):
    old, new = selectors.visible_catalogue(request.user, a), selectors.visible_catalogue(request.user, b)
    if old.agency_id != new.agency_id:
        raise Http404
    if old.version > new.version:
        old, new = new, old
    result = diff.compare(selectors.catalogue_matters(old), selectors.catalogue_matters(new))
    return render(request, "catalog/compare.html", {"old": old, "new": new, "diff": result})


def export_csv(request):
    rows = [[m.catalogue.agency.name, m.catalogue.version, m.pk, *importing.matter_row(m)]
            for m in selectors.open_data_matters()]
    header = ["清单机关", "清单版本", "事项编号", *importing.COLUMNS, *importing.EXTRA_COLUMNS]
    response = HttpResponse(importing.to_csv(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="chengnuo-catalogue.csv"'
    return response


def export_json(request):
    matters = []
    for m in selectors.open_data_matters():
        matters.append({
            "id": m.pk, "key": m.key, "agency": m.catalogue.agency.name, "agency_code": m.catalogue.agency.code,
            "catalogue_version": m.catalogue.version,
            "published_at": m.catalogue.published_at.isoformat() if m.catalogue.published_at else None,
            "seq": m.seq, "name": m.name, "service": m.service.name, "service_kind": m.service.get_kind_display(),
            "field": m.get_field_display(),
            "legal_basis": {"name": m.legal_basis_name, "number": m.legal_basis_number,
                            "article": m.legal_basis_article, "level": m.get_legal_basis_level_display()},
            "requesting_agency": m.requesting_agency.name, "issuing_unit": m.issuing_unit,
            "exercise_level": m.get_exercise_level_display(), "commitment_allowed": m.commitment_allowed,
            "exclusion_category": m.get_exclusion_category_display() if m.exclusion_category else None,
            "exclusion_reason": m.exclusion_reason or None,
            "proof_content": m.proof_content, "commitment_content": m.commitment_content,
            "liability": {"civil": m.liability_civil, "administrative": m.liability_administrative,
                          "criminal": m.liability_criminal},
            "verification": {"methods": m.verification_method_labels(), "working_days": m.verification_days},
            "publicity": {"required": m.publicity_required, "place": m.publicity_place, "days": m.publicity_days},
            "insurance_note": m.insurance_note,
            "negative_list": [{"kind": e.get_kind_display(), "description": e.description,
                               "check": e.get_rule_display(), "asked": e.question_text, "condition": e.condition_text}
                              for e in m.negative_entries.all()],
            "url": request.build_absolute_uri(f"/catalog/matters/{m.pk}/"),
        })
    body = {"title": "证明事项告知承诺制清单", "generated_at": timezone.now().isoformat(), "count": len(matters),
            "matters": matters}
    response = HttpResponse(json.dumps(body, ensure_ascii=False, indent=1), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="chengnuo-catalogue.json"'
    return response


# --- editors ---------------------------------------------------------------------------------


@roles.role_required(roles.CATALOGUE_EDITOR)
def manage(request):
    catalogues = selectors.editor_catalogues(request.user)
    open_version = next((c for c in catalogues if c.state in Catalogue.OPEN_STATES), None)
    returned = selectors.returned_public_version(request.user)
    return render(request, "catalog/manage.html", {
        "catalogues": catalogues, "open_version": open_version, "returned": returned,
        "city_returns": selectors.city_return_comments(returned)[:1] if returned else [],
    })


@roles.role_required(roles.CATALOGUE_EDITOR)
def new_version(request):
    first = not selectors.editor_catalogues(request.user)
    form = NewVersionForm(request.POST or None, first_version=first)
    if request.method == "POST" and form.is_valid():
        try:
            catalogue = services.start_version(actor=request.user, request=request, **(
                {"law_reference": form.cleaned_data["law_reference"]} if first else form.cleaned_data))
        except CatalogueError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("已新建第%(version)s版清单草稿。") % {"version": catalogue.version})
            return redirect("catalog:catalogue", pk=catalogue.pk)
    return render(request, "catalog/new_version.html", {"form": form, "first": first})


# Transitions that approve or publish a catalogue need a fresh proof of identity (portal.reauth).
REAUTH_ACTIONS = ("approve", "publish")
# Actions whose form carries the comment box (required for the returns, and for a report after a return).
COMMENTED_ACTIONS = ("return_for_changes", "pass_review", "approve", "report", "aggregate", "return_report")


@roles.role_required(*STAFF)
def catalogue_detail(request, pk):
    return _detail(request, selectors.staff_catalogue(request.user, pk))


def _detail(request, catalogue, approval_form=None):
    actions = [
        (name, label) for name, label in services.TRANSITION_LABELS.items()
        if name != "supersede" and has_transition_perm(getattr(catalogue, name), request.user)
    ]
    if approval_form is None and any(name in REAUTH_ACTIONS for name, _l in actions):
        approval_form = ApprovalForm(request=request)
    others = [c for c in selectors.agency_versions(catalogue.agency_id) if c.pk != catalogue.pk]
    return render(request, "catalog/catalogue_detail.html", {
        "catalogue": catalogue, "matters": selectors.catalogue_matters(catalogue),
        "comments": selectors.comment_history(catalogue), "timeline": audit.timeline(catalogue),
        "actions": actions, "others": others, "approval_form": approval_form,
        "needs_comment": any(name in COMMENTED_ACTIONS for name, _l in actions),
        "comment_required": catalogue.state == Catalogue.State.REPORT_RETURNED and any(
            name == "report" for name, _l in actions),
        "city_returns": selectors.city_return_comments(catalogue),
        "is_editor": roles.has_role(request.user, roles.CATALOGUE_EDITOR) and request.user.agency_id == catalogue.agency_id,
        "problems": services.incomplete_matters(catalogue) if catalogue.is_editable else [],
        "risk_points": selectors.risk_points(catalogue),
        "risk_form": RiskPointForm(matters=selectors.catalogue_matters(catalogue)) if catalogue.is_editable else None,
    })


@roles.role_required(*STAFF)
@require_POST
def transition(request, pk, action):
    catalogue = selectors.staff_catalogue(request.user, pk)
    if action in REAUTH_ACTIONS:
        form = ApprovalForm(request.POST, request=request)
        if not form.is_valid():
            return _detail(request, catalogue, approval_form=form)
    else:
        form = CommentForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    calls = {
        "submit": lambda: services.submit(actor=request.user, catalogue=catalogue, request=request),
        "return_for_changes": lambda: services.return_for_changes(
            actor=request.user, catalogue=catalogue, comment=comment, request=request),
        "reopen": lambda: services.reopen(actor=request.user, catalogue=catalogue, request=request),
        "pass_review": lambda: services.pass_review(actor=request.user, catalogue=catalogue, comment=comment,
                                                    request=request),
        "approve": lambda: services.approve(actor=request.user, catalogue=catalogue, comment=comment,
                                            publish_now=bool(request.POST.get("publish_now")), request=request),
        "publish": lambda: services.publish(actor=request.user, catalogue=catalogue, request=request),
        "report": lambda: services.report(actor=request.user, catalogue=catalogue, comment=comment, request=request),
        "aggregate": lambda: services.aggregate(actor=request.user, catalogue=catalogue, comment=comment,
                                                request=request),
        "return_report": lambda: services.return_report(actor=request.user, catalogue=catalogue, comment=comment,
                                                        request=request),
    }
    if action not in calls:
        raise Http404
    try:
        result = calls[action]()
    except CatalogueError as exc:
        messages.error(request, str(exc))
        if request.POST.get("from") == "aggregation" and action in ("aggregate", "return_report"):
            return redirect("catalog:aggregation")
    else:
        messages.success(request, _("第%(version)s版清单：%(state)s。") % {
            "version": result.version, "state": result.get_state_display()})
        if action in ("aggregate", "return_report"):
            return redirect("catalog:aggregation")
        if action in ("pass_review", "return_for_changes", "report") and roles.has_role(
                request.user, roles.JUSTICE_REVIEWER):
            return redirect("catalog:review")
        if action in ("approve", "publish", "return_for_changes", "report") and roles.has_role(
                request.user, roles.GOVERNMENT_APPROVER):
            return redirect("catalog:approve")
    return redirect("catalog:catalogue", pk=catalogue.pk)


def _matter_form(request, catalogue, instance=None):
    return MatterForm(
        request.POST or None, instance=instance, services=selectors.services_for(catalogue.agency_id),
        requesting_agencies=selectors.requesting_agencies_for(catalogue.agency),
        initial=None if instance else _new_matter_initial(catalogue),
    )


def _new_matter_initial(catalogue):
    from . import texts

    initial = texts.defaults_for("（证明名称）", "（办理事项）", catalogue.agency.name)
    initial.update({"requesting_agency": catalogue.agency_id, "verification_methods": ["data_sharing"],
                    "verification_days": 10, "commitment_allowed": True})
    return initial


@roles.role_required(roles.CATALOGUE_EDITOR)
def matter_edit(request, pk, matter_pk=None):
    catalogue = selectors.staff_catalogue(request.user, pk)
    if catalogue.agency_id != request.user.agency_id:
        raise Http404
    instance = selectors.editable_matter(request.user, pk, matter_pk) if matter_pk else None
    form = _matter_form(request, catalogue, instance)
    if request.method == "POST" and form.is_valid():
        matter = form.save(commit=False)
        try:
            services.save_matter(actor=request.user, catalogue=catalogue, matter=matter,
                                 negative_entries=form.negative_entries(), request=request)
        except CatalogueError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("已保存证明事项“%(name)s”。") % {"name": matter.name})
            return redirect("catalog:catalogue", pk=catalogue.pk)
    return render(request, "catalog/matter_form.html", {"form": form, "catalogue": catalogue, "matter": instance})


@roles.role_required(roles.CATALOGUE_EDITOR)
@require_POST
def matter_delete(request, pk, matter_pk):
    matter = selectors.editable_matter(request.user, pk, matter_pk)
    try:
        services.delete_matter(actor=request.user, matter=matter, request=request)
    except CatalogueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已删除证明事项“%(name)s”。") % {"name": matter.name})
    return redirect("catalog:catalogue", pk=pk)


@roles.role_required(roles.CATALOGUE_EDITOR)
@require_POST
def risk_add(request, pk):
    catalogue = selectors.staff_catalogue(request.user, pk)
    if catalogue.agency_id != request.user.agency_id:
        raise Http404
    form = RiskPointForm(request.POST, matters=selectors.catalogue_matters(catalogue))
    if form.is_valid():
        try:
            services.add_risk_point(actor=request.user, catalogue=catalogue, matter_pk=form.cleaned_data["matter"],
                                    description=form.cleaned_data["description"],
                                    control=form.cleaned_data["control"].strip(), request=request)
        except CatalogueError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已登记风险点。"))
    else:
        messages.error(request, "".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("catalog:catalogue", pk=pk)


@roles.role_required(roles.CATALOGUE_EDITOR)
def service_add(request, pk):
    catalogue = selectors.staff_catalogue(request.user, pk)
    if catalogue.agency_id != request.user.agency_id:
        raise Http404
    form = ServiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service = services.add_service(actor=request.user, name=form.cleaned_data["name"],
                                           kind=form.cleaned_data["kind"], request=request)
        except CatalogueError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("已登记办理事项“%(name)s”。") % {"name": service.name})
            return redirect("catalog:matter_add", pk=catalogue.pk)
    return render(request, "catalog/service_form.html", {"form": form, "catalogue": catalogue})


@roles.role_required(roles.CATALOGUE_EDITOR)
def import_file(request, pk):
    """Two steps: a chosen file is checked and previewed (kept on the server); “确认导入” imports it."""
    catalogue = selectors.staff_catalogue(request.user, pk)
    if catalogue.agency_id != request.user.agency_id:
        raise Http404
    confirming = request.method == "POST" and "token" in request.POST
    form = ImportForm(None if confirming else (request.POST or None), None if confirming else (request.FILES or None))
    context = {"form": form, "catalogue": catalogue, "columns": importing.COLUMNS, "extra": importing.EXTRA_COLUMNS}
    if confirming:
        confirm = ConfirmImportForm(request.POST)
        if not confirm.is_valid():
            return render(request, "catalog/import.html", {**context, "error": _("缺少预览编号，请重新选择文件。")})
        try:
            outcome = services.confirm_import(actor=request.user, catalogue=catalogue,
                                              token=confirm.cleaned_data["token"], request=request)
        except CatalogueError as exc:
            return render(request, "catalog/import.html", {**context, "error": str(exc)})
        if outcome.result is None:
            return render(request, "catalog/import.html", {**context, "parsed": outcome.parsed, "error": _(
                "文件有%(n)s处问题，未导入任何内容。请修改后重新导入。") % {"n": len(outcome.parsed.problems)}})
        result = outcome.result
        text = _("导入成功：新增%(c)s项，更新%(u)s项，删除%(r)s项。") if not outcome.repeated else \
            _("该文件已经导入（新增%(c)s项，更新%(u)s项，删除%(r)s项），未重复导入。")
        messages.success(request, text % {"c": result.created, "u": result.updated, "r": result.removed})
        return redirect("catalog:catalogue", pk=catalogue.pk)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        parsed = importing.parse(data, catalogue.agency, upload.name)
        context["parsed"] = parsed
        if parsed.ok:
            context["preview_rows"], context["more_rows"] = importing.preview_rows(parsed)
            try:
                pending = services.stage_import(actor=request.user, catalogue=catalogue, data=data,
                                                filename=upload.name, request=request)
            except CatalogueError as exc:
                form.add_error("file", str(exc))
            else:
                context["confirm"] = ConfirmImportForm(initial={"token": pending.token})
                context["filename"] = upload.name
        else:
            form.add_error("file", _("文件有%(n)s处问题，未导入任何内容。请修改后重新导入。") % {"n": len(parsed.problems)})
    return render(request, "catalog/import.html", context)


@roles.role_required(*STAFF)
def catalogue_export(request, pk, fmt):
    catalogue = selectors.staff_catalogue(request.user, pk)
    rows = [importing.matter_row(m) for m in selectors.catalogue_matters(catalogue)]
    header = [*importing.COLUMNS, *importing.EXTRA_COLUMNS]
    name = f"catalogue-{catalogue.agency.code}-v{catalogue.version}"
    if fmt == "xlsx":
        response = HttpResponse(
            importing.to_xlsx(header, rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    else:
        response = HttpResponse(importing.to_csv(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@roles.role_required(*STAFF)
def staff_matter(request, matter_pk):
    matter = selectors.staff_matter(request.user, matter_pk)
    return render(request, "catalog/matter_detail.html", {
        "matter": matter, "history": [], "current": None, "negative_entries": matter.negative_entries.all(),
        "staff_preview": True,
        "can_explain_basis": matter.basis_below_statute and matter.catalogue.state in (
            Catalogue.State.SUBMITTED, Catalogue.State.REVIEWED) and services.may_explain_basis(matter.catalogue, request.user),
    })


@roles.role_required(roles.JUSTICE_REVIEWER)
@require_POST
def basis_reason(request, matter_pk):
    """司法局审核人员 records why a basis below law/regulation may stay (§二(二))."""
    matter = selectors.staff_matter(request.user, matter_pk)
    try:
        services.record_basis_reason(actor=request.user, matter=matter, reason=request.POST.get("reason", ""),
                                     request=request)
    except CatalogueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已记录“%(name)s”设定依据的保留理由。") % {"name": matter.name})
    return redirect("catalog:staff_matter", matter_pk=matter.pk)


# --- reviewers and approvers -----------------------------------------------------------------


@roles.role_required(roles.JUSTICE_REVIEWER)
def review_queue(request):
    queue = selectors.with_comments(list(selectors.review_queue(request.user)))
    return render(request, "catalog/queue.html", {
        "queue": queue, "aggregates": scope.aggregates_catalogues(request.user),
        "title": _("清单审核"), "kind": "review",
    })


@roles.role_required(roles.JUSTICE_REVIEWER)
def aggregation(request):
    """市司法局: the lists the districts and 西咸新区 reported (报送汇总), by status; mark 已汇总 or return."""
    if not scope.aggregates_catalogues(request.user):
        raise PermissionDenied
    status = request.GET.get("status") if request.GET.get("status") in selectors.AGGREGATION_FILTERS else ""
    return render(request, "catalog/aggregation.html", {
        "rows": selectors.aggregation_list(request.user, status), "counts": selectors.aggregation_counts(request.user),
        "status": status, "form": CommentForm(),
    })


@roles.role_required(roles.GOVERNMENT_APPROVER)
def approval_queue(request):
    queue = selectors.with_comments(list(selectors.approval_queue(request.user)))
    return render(request, "catalog/queue.html", {
        "queue": queue,
        "title": _("清单审批"), "kind": "approve",
    })


@roles.role_required(roles.JUSTICE_REVIEWER, roles.GOVERNMENT_APPROVER)
def overview(request):
    return render(request, "catalog/overview.html", selectors.citywide_overview(request.user))
