"""Views of the verification app: parse the form, call one service, redirect or render. Reads go through selectors.

htmx is used only for the queue's claim/release buttons; every action is also a plain POST form.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import audit, roles, scope, seals, uploads
from portal.errors import show_refusal
from portal.roles import role_required

from . import selectors, services
from .forms import (
    AssistanceForm,
    AssistanceRefuseForm,
    AssistanceReplyForm,
    ConcludeForm,
    DataCheckForm,
    DocumentReviewForm,
    FindingsForm,
    InspectionForm,
    QueueFilterForm,
    RectificationProofForm,
)
from .models import VerificationError

verifier_required = role_required(roles.VERIFIER)
inbox_required = role_required(roles.VERIFIER, roles.SUPERVISOR)
inspector_required = role_required(roles.INSPECTOR)
staff_photo_required = role_required(roles.INSPECTOR, roles.VERIFIER)
supervisor_required = role_required(roles.SUPERVISOR)
justice_required = role_required(roles.JUSTICE_REVIEWER)


# --- queue ----------------------------------------------------------------------------------------
@verifier_required
def queue(request):
    matters = selectors.queue_matter_names(request.user)
    form = QueueFilterForm(request.GET or None, matters=matters)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    filters = selectors.QueueFilters(matter=data.get("matter", ""), method=data.get("method", ""),
                                     due=data.get("due", ""), state=data.get("state") or "open")
    page = selectors.queue(request.user, filters, cursor=request.GET.get("after", "")[:40])
    query = request.GET.copy()
    query.pop("after", None)
    return render(request, "verification/queue.html", {
        "form": form, "page": page, "filters": filters, "query": query.urlencode(),
        "first_page": not request.GET.get("after"),
    })


def _row_or_redirect(request, task_id, target):
    if request.htmx:
        task = selectors.task_for_verifier(request.user, task_id)
        return render(request, "verification/_task_row.html", {"t": task, "today": timezone.localdate(),
                                                               "swapped": True})
    return redirect(target)


@require_POST
@verifier_required
def claim(request, pk):
    try:
        services.claim(user=request.user, task_id=pk, request=request)
    except VerificationError as exc:
        if request.htmx:
            return HttpResponse(format_html('<tr><td colspan="7" class="text-danger" role="alert">{}</td></tr>', exc.message))
        messages.error(request, exc.message)
        return redirect("verification:queue")
    if not request.htmx:
        messages.success(request, _("已认领该核查任务。"))
    return _row_or_redirect(request, pk, reverse("verification:task", args=[pk]))


@require_POST
@verifier_required
def claim_next(request):
    try:
        task = services.claim_next(user=request.user, request=request)
    except VerificationError as exc:
        messages.error(request, exc.message)
        return redirect("verification:queue")
    if task is None:
        messages.info(request, _("队列中暂无待认领的任务。"))
        return redirect("verification:queue")
    messages.success(request, _("已认领期限最近的核查任务。"))
    return redirect("verification:task", pk=task.pk)


@require_POST
@verifier_required
def release(request, pk):
    try:
        services.release(user=request.user, task_id=pk, request=request)
    except VerificationError as exc:
        messages.error(request, exc.message)
        return redirect("verification:task", pk=pk)
    if not request.htmx:
        messages.success(request, _("已退回队列，其他核查人员可以认领。"))
    return _row_or_redirect(request, pk, reverse("verification:queue"))


# --- task page ------------------------------------------------------------------------------------
def _task_page(request, task, status=200, **forms):
    inspectors = selectors.inspectors_in_scope(request.user)
    detail = selectors.task_detail(task)
    context = {
        "task": task, "today": timezone.localdate(), **_history(request, task),
        "holder": task.claimed_by_id == request.user.pk and task.state in ("claimed", "waiting_assistance"),
        "data_form": forms.get("data_form") or DataCheckForm(),
        "assistance_form": forms.get("assistance_form") or AssistanceForm(own_agency=task.agency),
        "inspection_form": forms.get("inspection_form") or InspectionForm(inspectors=inspectors),
        "conclude_form": forms.get("conclude_form") or ConcludeForm(),
        "review_form": forms.get("review_form") or DocumentReviewForm(prefix="review", initial={
            "materials": selectors.submitted_materials_text(task, detail["materials"])}),
        **detail,
    }
    return render(request, "verification/task_detail.html", context, status=status)


HISTORY_SHOWN = 30  # newest entries of a task's history shown until the verifier asks for all


def _history(request, task) -> dict:
    if request.GET.get("history") == "all":
        return {"timeline": audit.timeline(task), "history_hidden": 0}
    events, hidden = audit.recent(task, HISTORY_SHOWN)
    return {"timeline": events, "history_hidden": hidden}


@verifier_required
def task_detail(request, pk):
    return _task_page(request, selectors.task_for_verifier(request.user, pk))


def _attempt(form, service, **arguments) -> bool:
    """Call ``service(**arguments)`` for a valid form; a refusal goes onto the form. True when it was done."""
    try:
        service(**arguments)
    except VerificationError as exc:
        show_refusal(form, exc)
        return False
    return True


def _task_done(request, pk, message):
    messages.success(request, message)
    return redirect("verification:task", pk=pk)


def _task_refused(request, pk, **forms):
    """The task page again (400) with the refused or invalid form in place of the blank one."""
    return _task_page(request, selectors.task_for_verifier(request.user, pk), status=400, **forms)


@require_POST
@verifier_required
def data_check(request, pk):
    task = selectors.task_for_verifier(request.user, pk)
    form = DataCheckForm(request.POST)
    if form.is_valid():
        try:
            check = services.run_data_check(user=request.user, task_id=task.pk, connector=form.cleaned_data["connector"],
                                            request=request)
        except VerificationError as exc:
            show_refusal(form, exc)
        else:
            if check.outcome == "failed":
                messages.warning(request, _("数据共享接口未能返回结果：%(e)s") % {"e": check.error})
            return _task_done(request, pk, _("已完成数据共享核查，结果已存为核查依据。"))
    return _task_refused(request, pk, data_form=form)


@require_POST
@verifier_required
def send_assistance(request, pk):
    task = selectors.task_for_verifier(request.user, pk)
    form = AssistanceForm(request.POST, own_agency=task.agency)
    if form.is_valid() and _attempt(form, services.send_assistance, user=request.user, task_id=task.pk,
                                    to_agency=form.cleaned_data["to_agency"], question=form.cleaned_data["question"],
                                    request=request):
        return _task_done(request, pk, _("协查函已发出。"))
    return _task_refused(request, pk, assistance_form=form)


@require_POST
@verifier_required
def assign_inspection(request, pk):
    task = selectors.task_for_verifier(request.user, pk)
    form = InspectionForm(request.POST, inspectors=selectors.inspectors_in_scope(request.user))
    if form.is_valid() and _attempt(form, services.assign_inspection, user=request.user, task_id=task.pk,
                                    inspectors=form.cleaned_data["inspectors"],
                                    planned_date=form.cleaned_data["planned_date"],
                                    address=form.cleaned_data["address"], request=request):
        return _task_done(request, pk, _("已指派现场核查。"))
    return _task_refused(request, pk, inspection_form=form)


@require_POST
@verifier_required
def document_review(request, pk):
    task = selectors.task_for_verifier(request.user, pk)
    form = DocumentReviewForm(request.POST, prefix="review")  # its 审查结论 must not share ids with 办结's
    if form.is_valid() and _attempt(form, services.record_document_review, user=request.user, task_id=task.pk,
                                    materials=form.cleaned_data["materials"], findings=form.cleaned_data["findings"],
                                    result=form.cleaned_data["result"], request=request):
        return _task_done(request, pk, _("已记录书面核查情况。"))
    return _task_refused(request, pk, review_form=form)


@require_POST
@verifier_required
def conclude(request, pk):
    task = selectors.task_for_verifier(request.user, pk)
    form = ConcludeForm(request.POST)
    if form.is_valid() and _attempt(form, services.conclude, user=request.user, task_id=task.pk,
                                    result=form.cleaned_data["result"], conclusion=form.cleaned_data["conclusion"],
                                    disposition=form.disposition(), request=request):
        return _task_done(request, pk, _("核查任务已办结。"))
    return _task_refused(request, pk, conclude_form=form)


# --- assistance -----------------------------------------------------------------------------------
@inbox_required
def inbox(request):
    show = request.GET.get("show", "pending")
    qs = selectors.inbox(request.user)
    qs = qs.filter(state="pending") if show == "pending" else qs.exclude(state="pending")
    return render(request, "verification/inbox.html", {
        "requests": list(qs.order_by("due_date", "pk")[:200]), "show": show,
        "today": timezone.localdate(), "figures": selectors.assistance_figures(request.user),
    })


def _assistance_page(request, req, status=200, **forms):
    can_answer = req.state == "pending" and (
        request.user.is_superuser or (roles.has_role(request.user, roles.VERIFIER)
                                      and selectors.inbox(request.user).filter(pk=req.pk).exists()))
    return render(request, "verification/assistance_detail.html", {
        "req": req, "can_answer": can_answer, "today": timezone.localdate(),
        "reply_form": forms.get("reply_form") or AssistanceReplyForm(),
        "refuse_form": forms.get("refuse_form") or AssistanceRefuseForm(),
    }, status=status)


def _note_supervisory_read(request, req):
    """A supervisor reading another agency's request (neither the asked nor the asking one): audited."""
    if not scope.handles_cases_of(request.user, req.from_agency_id):
        scope.note_supervisory_read(request.user, req, req.to_agency, what="协查函", request=request)


@inbox_required
def assistance_detail(request, pk):
    req = selectors.assistance_for(request.user, pk)
    _note_supervisory_read(request, req)
    return _assistance_page(request, req)


def _assistance_refused(request, pk, **forms):
    """The request's page again (400) with the refused or invalid form in place of the blank one."""
    return _assistance_page(request, selectors.assistance_for(request.user, pk), status=400, **forms)


@require_POST
@verifier_required
def assistance_reply(request, pk):
    req = selectors.inbox_answerable(request.user, pk)
    form = AssistanceReplyForm(request.POST)
    if form.is_valid() and _attempt(form, services.reply_assistance, user=request.user, request_id=req.pk,
                                    answer=form.cleaned_data["answer"], text=form.cleaned_data["text"],
                                    request=request):
        messages.success(request, _("已回复协查函，可下载协助回复函。"))
        return redirect("verification:assistance", pk=pk)
    return _assistance_refused(request, pk, reply_form=form)


@require_POST
@verifier_required
def assistance_refuse(request, pk):
    req = selectors.inbox_answerable(request.user, pk)
    form = AssistanceRefuseForm(request.POST)
    if form.is_valid() and _attempt(form, services.refuse_assistance, user=request.user, request_id=req.pk,
                                    reason=form.cleaned_data["reason"], request=request):
        messages.success(request, _("已拒绝协查并记录理由。"))
        return redirect("verification:assistance", pk=pk)
    return _assistance_refused(request, pk, refuse_form=form)


@inbox_required
def assistance_reply_pdf(request, pk):
    req = selectors.assistance_for(request.user, pk)
    _note_supervisory_read(request, req)
    if req.state == "pending":
        messages.error(request, _("该协查函尚未回复，暂无协助回复函。"))
        return redirect("verification:assistance", pk=pk)
    try:
        content = services.reply_letter_pdf(req)
    except seals.SealError as exc:
        return seals.unavailable(request, exc)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="reply-{req.number}.pdf"'
    return response


# --- inspections ----------------------------------------------------------------------------------
@inspector_required
def inspections(request):
    qs = selectors.inspections_for(request.user)
    return render(request, "verification/inspections.html", {
        "assigned": list(qs.filter(state="assigned").order_by("planned_date", "pk")[:100]),
        "done": list(qs.filter(state="done").order_by("-recorded_at", "-pk")[:20]),
        "today": timezone.localdate(),
    })


def _inspection_page(request, inspection, form=None, status=200):
    return render(request, "verification/inspection_detail.html", {
        "inspection": inspection, "task": inspection.task, "form": form or FindingsForm(),
        "today": timezone.localdate(),
    }, status=status)


@inspector_required
def inspection_detail(request, pk):
    inspection = selectors.inspection_for(request.user, pk)
    if request.method != "POST":
        return _inspection_page(request, inspection)
    form = FindingsForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.record_findings(user=request.user, inspection_id=pk, findings=form.cleaned_data["findings"],
                                     result=form.cleaned_data["result"], photos=form.cleaned_data["photos"],
                                     request=request)
        except VerificationError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("检查情况已记录，核查人员将据此办结。"))
            return redirect("verification:inspection", pk=pk)
    return _inspection_page(request, selectors.inspection_for(request.user, pk), form, status=400)


@staff_photo_required
def photo(request, pk):
    photo = selectors.photo_for(request.user, pk)
    response = FileResponse(uploads.open_stored(photo.file), content_type=photo.content_type)  # streamed from storage
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, no-store"
    return response


# --- spot checks (public) and supervision -----------------------------------------------------------
def spot_checks(request):
    return render(request, "verification/spot_checks.html", {"runs": list(selectors.published_runs()[:100])})


def spot_check_detail(request, pk):
    run = selectors.published_run(pk)
    return render(request, "verification/spot_check_detail.html", {"run": run, "items": selectors.public_items(run)})


@supervisor_required
def figures(request):
    return render(request, "verification/figures.html", {
        "assistance": selectors.assistance_figures(request.user),
        "fairness": selectors.non_discrimination(request.user),
        "policies": selectors.policies(),
    })


# --- the case page's panel, rectification proof, 立法修改建议 ---------------------------------------------
def case_panel(application, audience, request) -> str:
    """Registered with ``commitments.panels``: the dispositions of the case (legal basis, document numbers,
    referral) — for the citizen without the verifier's internal notes, with the rectification upload."""
    rows = selectors.dispositions_of(application)
    if not rows:
        return ""
    today = timezone.localdate()
    for d in rows:
        d.can_hand_in = (audience == "citizen" and d.rectify and d.rectify_due >= today and application.is_editable)
    return render_to_string("verification/_case_panel.html", {
        "dispositions": rows, "staff": audience == "staff", "proof_form": RectificationProofForm(),
        "today": today}, request=request)


@require_POST
@login_required
def rectification_proof(request, pk):
    """The applicant's rectification proof (their own case only: 404 otherwise; anonymous → login)."""
    disposition = selectors.rectification_for_applicant(request.user, pk)
    target = reverse("commitments:application", args=[disposition.task.application_id]) + "#dispositions"
    form = RectificationProofForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, form.errors["file"][0])
        return redirect(target)
    try:
        services.submit_rectification_proof(user=request.user, disposition_id=pk, upload=form.cleaned_data["file"],
                                            request=request)
    except VerificationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("整改证明材料已提交，核查人员将进行整改复查。"))
    return redirect(target)


@justice_required
def legislative_candidates(request):
    return render(request, "verification/legislative.html", {"matters": selectors.legislative_candidates(request.user)})


@justice_required
def legislative_matter(request, key):
    cases = selectors.legislative_cases(request.user, key)
    return render(request, "verification/legislative_matter.html", {"cases": cases, "matter": cases[0].task.matter})
