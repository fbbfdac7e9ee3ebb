"""Views of the credit app: parse the form, call one service, redirect or render. Reads go through selectors."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import audit, identifiers, identity, roles, search, uploads
from portal.errors import show_refusal
from portal.roles import role_required

from . import conf, selectors, services
from .forms import (
    LookupForm,
    ObjectionDecisionForm,
    ObjectionForm,
    PolicyForm,
    RecordForm,
    RepairDecisionForm,
    RepairForm,
    RevokeForm,
)
from .models import DishonestyRecord

officer_required = role_required(roles.CREDIT_OFFICER)
applicant_required = identity.bound_applicant_required  # unbound accounts see no personal records


# --- public -------------------------------------------------------------------------------------
def blacklist(request):
    if response := search.posted(request, "credit-blacklist"):
        return response
    query = search.text(request, "credit-blacklist")
    page = Paginator(selectors.blacklist(query=query), 20).get_page(request.GET.get("page"))
    entries = [
        {
            "record": r,
            "name": identifiers.mask_name(r.subject.name, r.subject.kind, full_organisation_name=True),
            # The public masking rule (docs/security.md): persons first + last character, organisations by name only.
            "identifier": r.subject.id_masked if r.subject.kind == "person" else "—",
        }
        for r in page
    ]
    return render(request, "credit/blacklist.html", {"page": page, "entries": entries, "query": query})


# --- applicant --------------------------------------------------------------------------------------
@applicant_required
def me(request):
    subject = request.user.subject
    file = selectors.integrity_file(subject) if subject else None
    result = services.eligibility(subject) if subject else None
    for r in file.records if file else []:
        r.repair_refusal = services.repair_refusal(r)
    return render(request, "credit/me.html", {
        "file": file, "eligibility": result,
        "level_label": services.LEVEL_LABELS[result.level] if result is not None else "",
        "repairs": selectors.own_repairs(request.user), "objections": selectors.own_objections(request.user),
    })


@applicant_required
def my_record(request, pk):
    record = selectors.own_record(request.user, pk)
    return render(request, "credit/my_record.html", {
        "record": record, "timeline": audit.timeline(record), "repair_refusal": services.repair_refusal(record),
        "repairs": record.repairs.all().prefetch_related("attachments"),
        "objections": record.objections.all().prefetch_related("attachments"),
    })


@applicant_required
def apply_repair(request, pk):
    record = selectors.own_record(request.user, pk)
    refusal = services.repair_refusal(record)
    form = RepairForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.apply_for_repair(record=record, applicant=request.user, rectification=form.cleaned_data["rectification"],
                                      uploads=form.cleaned_data["proof"], request=request)
        except services.CreditError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("信用修复申请已提交，我们将在规定的工作日内答复。"))
            return redirect("credit:my_record", pk=record.pk)
    return render(request, "credit/repair_form.html", {"record": record, "form": form, "refusal": refusal})


@applicant_required
def raise_objection(request, pk):
    record = selectors.own_record(request.user, pk)
    form = ObjectionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.raise_objection(record=record, applicant=request.user, reasons=form.cleaned_data["reasons"],
                                     uploads=form.cleaned_data["attachments"], request=request)
        except services.CreditError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("异议已提交。处理期间，该记录显示为“异议处理中”。"))
            return redirect("credit:my_record", pk=record.pk)
    return render(request, "credit/objection_form.html", {"record": record, "form": form})


@login_required
def attachment(request, pk):
    att = selectors.attachment_for(request.user, pk)
    return FileResponse(uploads.open_stored(att.file), as_attachment=True, filename=att.original_name, content_type=att.content_type)


# --- any staff: joint restriction look-up --------------------------------------------------------------
@role_required(*roles.STAFF_ROLES)
def lookup(request):
    """POST, so that the ID number never lands in a URL, a log line or the browser history."""
    form = LookupForm(request.POST or None)
    result = subject = None
    searched = request.method == "POST" and form.is_valid()
    if searched:
        kind, number = form.cleaned_data["kind"], form.cleaned_data["id_number"]
        subject = selectors.find_subject(kind, number)
        services.record_lookup(actor=request.user, subject=subject, purpose="lookup",
                               query_masked=identifiers.mask(number), request=request)
        result = services.eligibility(subject) if subject else None
        form = LookupForm(initial={"kind": kind})  # the number is not echoed back into the page
    return render(request, "credit/lookup.html", {
        "form": form, "searched": searched, "subject": subject, "eligibility": result,
        "level_label": services.LEVEL_LABELS[result.level] if result is not None else "",
        "can_open_file": roles.has_role(request.user, roles.CREDIT_OFFICER) or request.user.is_superuser,
    })


# --- credit officer --------------------------------------------------------------------------------------
@officer_required
def desk(request):
    if response := search.posted(request, "credit-officer"):
        return response
    status = request.GET.get("status", "")
    if status not in DishonestyRecord.Status.values:
        status = ""
    query = search.text(request, "credit-officer")
    records = Paginator(selectors.officer_records(request.user, status=status, query=query), 20).get_page(request.GET.get("page"))
    return render(request, "credit/desk.html", {
        "repairs": selectors.repair_queue(request.user), "objections": selectors.objection_queue(request.user),
        "records": records, "status": status, "query": query, "statuses": DishonestyRecord.Status.choices,
        "today": timezone.localdate(), "push": selectors.outbox_summary(), "push_configured": bool(conf.push_url()),
    })


@officer_required
def record_new(request):
    form = RecordForm(request.POST or None, request=request, agencies=selectors.officer_scope_agencies(request.user),
                      initial={"deciding_agency": request.user.agency_id, "decision_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            subject = services.ensure_subject(data["subject_kind"], data["subject_name"], data["id_number"])
            record = services.enter_record(
                subject=subject, kind=data["kind"], severity=data["severity"], decision_number=data["decision_number"],
                decision_date=data["decision_date"], deciding_agency=data["deciding_agency"], facts=data["facts"],
                basis=data["basis"], commitment_ref=data["commitment_ref"], publicity_months=data["publicity_months"],
                actor=request.user, request=request,
            )
        except services.CreditError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("失信记录已录入，并已排队推送至全国信用信息共享平台。"))
            return redirect("credit:record", pk=record.pk)
    return render(request, "credit/record_form.html", {"form": form, "policies": selectors.policies()})


@officer_required
def record_detail(request, pk):
    return _record_page(request, selectors.officer_record(request.user, pk), RevokeForm(request=request))


def _record_page(request, record, revoke_form):
    return render(request, "credit/record_detail.html", {
        "record": record, "timeline": audit.timeline(record), "revoke_form": revoke_form,
        "repairs": record.repairs.all().prefetch_related("attachments"),
        "objections": record.objections.all().prefetch_related("attachments"), "pushes": record.pushes.all(),
    })


@officer_required
@require_POST
def record_revoke(request, pk):
    record = selectors.officer_record(request.user, pk)
    form = RevokeForm(request.POST, request=request)
    if not form.is_valid():
        return _record_page(request, record, form)
    try:
        services.revoke_record(record, officer=request.user, reason=form.cleaned_data["reason"], request=request)
    except services.CreditError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("记录已撤销。"))
    return redirect("credit:record", pk=record.pk)


@officer_required
def repair_decide(request, pk):
    repair = selectors.officer_repair(request.user, pk)
    form = RepairDecisionForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        try:
            services.decide_repair(repair, officer=request.user, approve=form.cleaned_data["decision"] == "approve",
                                   reason=form.cleaned_data["reason"], request=request)
        except services.CreditError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("信用修复申请已审核。"))
            return redirect("credit:officer")
    return render(request, "credit/repair_decide.html", {"repair": repair, "record": repair.record, "form": form,
                                                          "timeline": audit.timeline(repair)})


@officer_required
def objection_decide(request, pk):
    objection = selectors.officer_objection(request.user, pk)
    form = ObjectionDecisionForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.decide_objection(objection, officer=request.user, outcome=data["outcome"], reason=data["reason"],
                                      severity=data["severity"] or None, facts=data["facts"], request=request)
        except services.CreditError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("异议已处理。"))
            return redirect("credit:officer")
    return render(request, "credit/objection_decide.html", {"objection": objection, "record": objection.record,
                                                             "form": form, "timeline": audit.timeline(objection)})


@officer_required
def policies(request):
    return render(request, "credit/policies.html", {"policies": selectors.policies()})


@officer_required
def policy_edit(request, severity):
    policy = selectors.policy(severity)
    form = PolicyForm(request.POST or None, instance=policy, request=request)
    if request.method == "POST" and form.is_valid():
        services.update_policy(policy, actor=request.user, request=request,
                               **{name: form.cleaned_data[name] for name in PolicyForm.Meta.fields})
        messages.success(request, _("失信分级规则已保存，对此后录入或更正的记录生效。"))
        return redirect("credit:policies")
    return render(request, "credit/policy_form.html", {"policy": policy, "form": form})


@officer_required
def push_status(request):
    if request.method == "POST":
        if not conf.push_url():
            messages.error(request, _("推送地址尚未配置，无法推送。"))
        else:
            n = services.retry_push_now(actor=request.user, request=request)
            messages.success(request, _("已重新安排推送 %(n)s 条记录。") % {"n": n})
        return redirect("credit:push")
    status = request.GET.get("status", "")
    rows = Paginator(selectors.outbox(status if status in ("pending", "delivered") else None), 30).get_page(request.GET.get("page"))
    return render(request, "credit/push.html", {
        "rows": rows, "summary": selectors.outbox_summary(), "configured": bool(conf.push_url()), "status": status,
    })


@officer_required
def subject_file(request, pk):
    subject = selectors.subject_for_staff(request.user, pk)
    services.record_lookup(actor=request.user, subject=subject, purpose="file_viewed", request=request)
    result = services.eligibility(subject)
    return render(request, "credit/subject_file.html", {
        "file": selectors.integrity_file(subject), "eligibility": result, "level_label": services.LEVEL_LABELS[result.level],
    })
