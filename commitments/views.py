"""Thin views: parse the form, call one service, redirect or render. Reads go through selectors."""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import audit, identifiers, identity, inputs, pdf, pinyin, roles, scope, seals, throttle, uploads
from portal.errors import show_refusal
from portal.once import once_per_form
from portal.pagination import CappedPaginator
from portal.roles import role_required

from . import letters, negative_list, panels, selectors, services
from .forms import (
    DecisionForm,
    DeskFileForm,
    LetterCheckForm,
    LookupForm,
    NoticeForm,
    ReasonForm,
    SignForm,
    StartForm,
    StateForm,
    UploadForm,
    WalkInForm,
    WindowSignForm,
)
from .models import Application, CommitmentsError

applicant_required = identity.bound_applicant_required  # unbound accounts see no personal records
# Guardian applications naming a minor, per hour: per client address, per account, whole portal (no enumeration).
GUARDIAN_LIMITS = {"per_address": (10, 3600), "per_account": (10, 3600), "overall": (500, 3600)}
clerk_required = role_required(roles.WINDOW_CLERK)


def _attachment(content, filename, ascii_name, content_type):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _page_context(application, user):
    result = selectors.eligibility_for(application.subject) if application.state in ("draft", "submitted") else None
    requirements = list(application.requirements.all())
    if result is not None:  # every matter's entries in one query, not one per requirement
        prefetch_related_objects([r.matter for r in requirements], "negative_entries")
    for r in requirements:  # 负面清单 subject conditions that send a requirement to the proof path
        r.negative_reasons = (negative_list.reasons(negative_list.conditions_met(
            negative_list.evaluate(application.subject, r.matter))) if result is not None and not r.proof_only else [])
    return {
        "application": application, "timeline": audit.timeline(application),
        "requirements": requirements, "eligibility": result,
        "can_commit": result is not None and result.allowed,
        "state_form": StateForm(initial={"state": application.state}),
        "S": Application.State,
    }


# --- citizen ------------------------------------------------------------------------------------------
@applicant_required
def my_applications(request):
    page = Paginator(selectors.own_applications(request.user), 20).get_page(request.GET.get("page"))
    return render(request, "commitments/my_applications.html", {"page": page})


@applicant_required
def start(request):
    service_id = inputs.pk(request.POST.get("service") or request.GET.get("service"))
    if service_id is None:
        # The picker: a search box (characters or pinyin initials) filtering the list; the page's script
        # filters as one types, and without script the search button does it here.
        query = inputs.query(request, "q", 40)
        services_ = [{"service": s, "initials": pinyin.initials(s.name)} for s in selectors.online_services()]
        shown = [row for row in services_ if pinyin.matches(row["service"].name, query)]
        return render(request, "commitments/start_pick.html", {"services": shown, "query": query,
                                                                "total": len(services_)})
    service, matters = selectors.public_service(service_id)
    form = StartForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and form.child() and \
            not throttle.allow("guardian", request, **GUARDIAN_LIMITS):
        form.add_error("child_id_number", _("为被监护人申请的尝试过于频繁，请稍后再试。"))
    elif request.method == "POST" and form.is_valid():
        try:
            application, created = services.start_online(user=request.user, service_id=service.pk,
                                                         token=form.cleaned_data["token"], child=form.child(),
                                                         request=request)
        except CommitmentsError as exc:
            show_refusal(form, exc)
        else:
            if created:
                messages.success(request, _("办件已创建，请为每个证明事项选择承诺或上传证明。"))
            return redirect("commitments:application", application.pk)
    result = selectors.eligibility_for(request.user.subject) if request.user.bound_subject_id else None
    rows = selectors.matter_rows(matters, result, subject=request.user.subject) if result is not None else []
    return render(request, "commitments/start.html", {"service": service, "rows": rows, "form": form,
                                                       "eligibility": result})


@applicant_required
def application_detail(request, pk):
    application = selectors.own_application(request.user, pk)
    context = _page_context(application, request.user)
    context["timeline"] = selectors.citizen_timeline(application, request.user)
    context["found_false"] = [c for r in context["requirements"] for c in r.commitments.all()
                              if c.state == "found_false"]
    context["panels"] = panels.render(application, "citizen", request)
    return render(request, "commitments/application.html", context)


@applicant_required
@once_per_form("commitments.sign")
def sign(request, pk, requirement_pk):
    application = selectors.own_application(request.user, pk)
    requirement = selectors.signing_requirement(application, requirement_pk)
    matter = selectors.notification_matter(requirement.matter_id)
    snap = letters.snapshot(matter, list(matter.negative_entries.all()))
    findings = negative_list.evaluate(application.subject, matter)
    form = SignForm(request.POST or None, statements=snap["statements"], initial={"state": application.state},
                    findings=findings, seen=negative_list.seen_token(findings))
    if request.method == "POST" and form.is_valid() and form.answered_yes():
        return _route_to_proof(request, application, requirement, form, "commitments:application")
    if request.method == "POST" and form.is_valid():
        try:
            commitment = services.sign_online(
                user=request.user, application_pk=application.pk, requirement_pk=requirement.pk,
                full_name=form.cleaned_data["full_name"], password=form.cleaned_data["password"],
                confirmations=form.confirmations(), expected_state=form.expected(), request=request,
                negative_answers=form.negative_answers(), negative_seen=form.negative_seen(),
            )
        except CommitmentsError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("已签署《%(matter)s》告知承诺书，编号 %(number)s。")
                             % {"matter": commitment.matter_name, "number": commitment.letter_number})
            return redirect("commitments:application", application.pk)
    return render(request, "commitments/sign.html", {
        "application": application, "requirement": requirement, "form": form,
        "sections": letters.notice_sections(snap), "snap": snap,
        "eligibility": selectors.eligibility_for(application.subject),
        "negative_met": negative_list.conditions_met(findings), "negative_findings": findings,
    })


def _route_to_proof(request, application, requirement, form, back):
    """负面清单 answered “是”: the requirement goes to the proof path, the entry quoted to the applicant."""
    try:
        routed = services.route_to_proof(actor=request.user, application_pk=application.pk,
                                         requirement_pk=requirement.pk, negative_answers=form.negative_answers(),
                                         expected_state=form.expected(), request=request)
    except CommitmentsError as exc:
        messages.error(request, exc.message)
    else:
        messages.warning(request, _("“%(m)s”须提交证明，不能承诺：%(r)s") % {"m": requirement.matter.name,
                                                                      "r": routed.proof_reason})
    return redirect(back, application.pk)


def _upload(request, application, requirement_pk, template, back):
    requirement = selectors.signing_requirement(application, requirement_pk)
    form = UploadForm(request.POST or None, request.FILES or None, initial={"state": application.state})
    if request.method == "POST" and form.is_valid():
        try:
            services.upload_proof(user=request.user, application_pk=application.pk, requirement_pk=requirement.pk,
                                  upload=form.cleaned_data["file"], expected_state=form.expected(), request=request)
        except CommitmentsError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("已上传“%(matter)s”的证明材料。") % {"matter": requirement.matter.name})
            return redirect(back, application.pk)
    return render(request, template, {"application": application, "requirement": requirement, "form": form,
                                      "back": back})


@applicant_required
@once_per_form("commitments.upload")
def upload(request, pk, requirement_pk):
    return _upload(request, selectors.own_application(request.user, pk), requirement_pk, "commitments/upload.html",
                   "commitments:application")


@applicant_required
@require_POST
@once_per_form("commitments.submit")
def submit(request, pk):
    application = selectors.own_application(request.user, pk)
    form = StateForm(request.POST)
    form.is_valid()
    try:
        services.submit(user=request.user, application_pk=application.pk, expected_state=form.expected(),
                        request=request)
        messages.success(request, _("办件已提交，请等待窗口受理。"))
    except CommitmentsError as exc:
        messages.error(request, exc.message)
    return redirect("commitments:application", application.pk)


@applicant_required
@once_per_form("commitments.withdraw_application")
def withdraw_application(request, pk):
    application = selectors.own_application(request.user, pk)
    form = ReasonForm(request.POST or None, initial={"state": application.state})
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw_application(user=request.user, application_pk=application.pk,
                                          reason=form.cleaned_data["reason"], expected_state=form.expected(),
                                          request=request)
        except CommitmentsError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("办件已撤回。"))
            return redirect("commitments:application", application.pk)
    return render(request, "commitments/reason_form.html", {
        "application": application, "form": form, "title": _("撤回办件"),
        "intro": _("撤回后本办件终止办理，已签署的告知承诺书一并撤回。"), "submit_label": _("确认撤回办件"),
    })


@applicant_required
@once_per_form("commitments.withdraw_commitment")
def withdraw_commitment(request, pk, number):
    application = selectors.own_application(request.user, pk)
    commitment = next((c for r in application.requirements.all() for c in r.commitments.all()
                       if c.letter_number == number), None)
    if commitment is None:
        raise Http404
    form = ReasonForm(request.POST or None, initial={"state": application.state})
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw_commitment(user=request.user, letter_number=number, reason=form.cleaned_data["reason"],
                                         expected_state=form.expected(), request=request)
        except CommitmentsError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("已撤回承诺。请为“%(matter)s”上传证明材料，办件按一般程序继续办理。")
                             % {"matter": commitment.matter_name})
            return redirect("commitments:application", application.pk)
    return render(request, "commitments/reason_form.html", {
        "application": application, "form": form, "commitment": commitment, "title": _("撤回告知承诺"),
        "intro": _("撤回承诺后，“%(matter)s”须提交证明材料，办件按一般程序继续办理。撤回记录将保存在办件中。")
        % {"matter": commitment.matter_name},
        "submit_label": _("确认撤回承诺"),
    })


# --- files (owner, the agency's case staff, supervisors read-only and audited, superusers) ---------------
@login_required
def letter_pdf(request, number):
    commitment = selectors.letter_for(request.user, number)
    scope.note_supervisory_read(request.user, commitment, commitment.application.agency, what="告知承诺书",
                                request=request)
    try:
        content = services.letter_pdf(commitment.pk)
    except seals.SealError as exc:
        return seals.unavailable(request, exc)
    return _attachment(content, f"告知承诺书-{commitment.letter_number}.pdf", f"{commitment.letter_number}.pdf",
                       "application/pdf")


@login_required
def proof_download(request, pk):
    proof = selectors.proof_for(request.user, pk)
    scope.note_supervisory_read(request.user, proof, proof.requirement.application.agency, what="证明材料",
                                request=request)
    ext = proof.extension
    response = FileResponse(uploads.open_stored(proof.file), as_attachment=True, filename=f"证明材料-{proof.pk}{ext}",
                            content_type=proof.content_type)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def notice_pdf(request, pk):
    notice = selectors.notice_for(request.user, pk)
    scope.note_supervisory_read(request.user, notice, notice.application.agency, what="一次性告知书",
                                request=request)
    try:
        content = pdf.render_pdf("commitments/notice_pdf.html", {
            "notice": notice, "application": notice.application, "seal_reason": f"一次性告知书 {notice.number}",
        }, seal_by=notice.application.agency)
    except seals.SealError as exc:
        return seals.unavailable(request, exc)
    return _attachment(content, f"一次性告知书-{notice.number}.pdf", f"{notice.number}.pdf", "application/pdf")


# --- public ----------------------------------------------------------------------------------------------
def verify_letter(request, number):
    try:
        commitment = selectors.public_letter(number)
    except Http404:
        return render(request, "commitments/verify.html", {"number": number[:40], "commitment": None}, status=404)
    return render(request, "commitments/verify.html", {"number": number, "commitment": commitment})


CHECKS_PER_WINDOW = (30, 600)  # uploads a client may check per ten minutes


def verify_copy(request):
    """Anyone checks a copy of a letter: seal, signer, unchanged, our register, current state."""
    form = LetterCheckForm()
    context = {}
    if request.method == "POST":
        allowed, window = CHECKS_PER_WINDOW
        key = f"commitments:verify-copy:{request.META.get('REMOTE_ADDR') or 'unknown'}"
        cache.add(key, 0, timeout=window)
        try:
            count = cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=window)
            count = 1
        if count > allowed:
            return render(request, "commitments/verify_copy.html", {"form": form, "throttled": True}, status=429)
        form = LetterCheckForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, "commitments/verify_copy.html", {"form": form}, status=400)
        result = form.result
        commitment, exact = selectors.letter_for_copy(result.sha256, result.attachment.get("letter_number", ""))
        context = {"result": result, "commitment": commitment, "exact": exact}
    return render(request, "commitments/verify_copy.html", {"form": form, **context})


def publicity(request):
    query = inputs.query(request, "q", 40)
    page = Paginator(selectors.publicity_board(query=query), 20).get_page(request.GET.get("page"))
    # The public masking rule (docs/security.md): a person's number first + last character (letters signed before
    # the rule keep their four-and-four mask in the sealed text, so it is re-masked here); organisations by name only.
    rows = [{"c": c, "name": identifiers.mask_name(c.subject_name, c.application.subject.kind, full_organisation_name=False),
             "identifier": identifiers.mask(c.subject_id_masked) if c.application.subject.kind == "person" else "—"}
            for c in page]
    return render(request, "commitments/publicity.html", {"page": page, "rows": rows, "query": query,
                                                          "today": timezone.localdate()})


# --- window desk ---------------------------------------------------------------------------------------
@clerk_required
def desk(request):
    """The agency's applications. The search box goes by POST (an applicant's ID number or name may be
    typed into it, and must not land in a URL, an access log or the browser history); a ``q`` in the
    query string is ignored. The page number travels with the search form."""
    params = request.POST if request.method == "POST" else request.GET
    state = str(params.get("state", ""))[:20]
    query = inputs.text(request.POST.get("q"), 40) if request.method == "POST" else ""
    # Counted up to 1,000: the agency's whole list would cost a city-sized count on every page.
    page = CappedPaginator(selectors.desk_applications(request.user, state=state, query=query), 20).get_page(
        params.get("page"))
    return render(request, "commitments/desk.html", {
        "page": page, "lookup": LookupForm(), "state": state, "query": query[:40], "states": Application.State.choices,
    })


@clerk_required
def desk_subject(request):
    """Find the applicant by ID number. POST, so that the number never lands in a URL, a log line or the history."""
    lookup = LookupForm(request.POST if request.method == "POST" else None)
    if not lookup.is_valid():
        return render(request, "commitments/desk_subject.html", {"lookup": lookup})
    kind, number = lookup.cleaned_data["kind"], lookup.cleaned_data["number"]
    subject = selectors.find_subject(kind, number)
    if subject is None:
        return render(request, "commitments/desk_subject.html", {
            "lookup": lookup, "walk_in": WalkInForm(initial={"kind": kind, "number": number})})
    audit.record("commitments.subject.looked_up", obj=subject, actor=request.user, summary=subject.id_masked,
                 request=request)
    return _desk_subject_page(request, subject, number)


def _desk_subject_page(request, subject, number):
    """The applicant found by the ID number in hand; the filing form carries that number (in the POST body
    only), never the record's key."""
    return render(request, "commitments/desk_subject.html", {
        "lookup": LookupForm(initial={"kind": subject.kind}), "subject": subject, "minor": services.is_minor(subject),
        "file_form": DeskFileForm(initial={"kind": subject.kind, "number": number},
                                  services=selectors.desk_services(request.user)),
        "applications": selectors.subject_applications(request.user, subject),
    })


@clerk_required
@require_POST
def desk_register(request):
    form = WalkInForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        subject = services.register_walk_in(clerk=request.user, kind=d["kind"], name=d["name"].strip(),
                                            id_number=d["number"], request=request)
        messages.success(request, _("已登记申请人，请继续选择办理事项。"))
        # The page itself, not a redirect: a redirect would have to carry the ID number in its URL.
        return _desk_subject_page(request, subject, d["number"])
    return render(request, "commitments/desk_subject.html", {"lookup": LookupForm(), "walk_in": form})


@clerk_required
@require_POST
def desk_file(request):
    form = DeskFileForm(request.POST, services=selectors.desk_services(request.user))
    subject = None
    if form.is_valid():
        d = form.cleaned_data
        subject = selectors.find_subject(d["kind"], d["number"])
        if subject is None:
            messages.error(request, _("平台中没有该证件号码的申请人，请当场核验证件后登记。"))
            return render(request, "commitments/desk_subject.html", {
                "lookup": LookupForm(initial={"kind": d["kind"]}),
                "walk_in": WalkInForm(initial={"kind": d["kind"], "number": d["number"]})}, status=400)
        try:
            application, _created = services.file_at_window(
                clerk=request.user, subject=subject, service_id=d["service"].pk, token=d["token"],
                guardian_name=d["guardian_name"].strip(), guardian_relation=d["guardian_relation"].strip(),
                request=request)
        except CommitmentsError as exc:
            show_refusal(form, exc)
        else:
            return redirect("commitments:desk_application", application.pk)
    return render(request, "commitments/desk_subject.html", {"lookup": LookupForm(), "subject": subject,
                                                             "file_form": form}, status=400)


@clerk_required
def desk_application(request, pk):
    application = selectors.desk_application(request.user, pk)
    context = _page_context(application, request.user)
    context.update({
        "reason_form": ReasonForm(initial={"state": application.state}),
        "decision_form": DecisionForm(initial={"state": application.state}),
        "notice_form": NoticeForm(initial={"state": application.state}),
        "missing": [r for r in context["requirements"] if not r.is_met],
        "panels": panels.render(application, "staff", request),
    })
    return render(request, "commitments/desk_application.html", context)


@clerk_required
@once_per_form("commitments.desk_sign")
def desk_sign(request, pk, requirement_pk):
    application = selectors.desk_application(request.user, pk)
    requirement = selectors.signing_requirement(application, requirement_pk)
    matter = selectors.notification_matter(requirement.matter_id)
    snap = letters.snapshot(matter, list(matter.negative_entries.all()))
    findings = negative_list.evaluate(application.subject, matter)
    relation = "guardian" if application.guardian_name else ("self" if application.subject.kind == "person" else "representative")
    form = WindowSignForm(request.POST or None, request.FILES or None, statements=snap["statements"],
                          initial={"state": application.state, "relation": relation}, findings=findings,
                          seen=negative_list.seen_token(findings))
    if request.method == "POST" and form.is_valid() and form.answered_yes():
        return _route_to_proof(request, application, requirement, form, "commitments:desk_application")
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            commitment = services.sign_at_window(
                clerk=request.user, application_pk=application.pk, requirement_pk=requirement.pk,
                signer_name=d["signer_name"], relation=d["relation"], clerk_password=d["clerk_password"],
                identity_checked=d["identity_checked"], confirmations=form.confirmations(), scan=d.get("scan"),
                expected_state=form.expected(), request=request, negative_answers=form.negative_answers(),
                negative_seen=form.negative_seen())
        except CommitmentsError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("已签署《%(matter)s》告知承诺书，编号 %(number)s。")
                             % {"matter": commitment.matter_name, "number": commitment.letter_number})
            return redirect("commitments:desk_application", application.pk)
    return render(request, "commitments/desk_sign.html", {
        "application": application, "requirement": requirement, "form": form,
        "sections": letters.notice_sections(snap),
        "eligibility": selectors.eligibility_for(application.subject),
        "negative_met": negative_list.conditions_met(findings), "negative_findings": findings,
    })


@clerk_required
@once_per_form("commitments.desk_upload")
def desk_upload(request, pk, requirement_pk):
    return _upload(request, selectors.desk_application(request.user, pk), requirement_pk,
                   "commitments/upload.html", "commitments:desk_application")


DESK_ACTIONS = {
    "submit": (StateForm, lambda r, a, f: services.submit(user=r.user, application_pk=a.pk, expected_state=f.expected(),
                                                          request=r), _("已提交，进入受理审查。")),
    "accept": (StateForm, lambda r, a, f: services.accept(clerk=r.user, application_pk=a.pk,
                                                          expected_state=f.expected(), request=r), _("已受理。")),
    "approve": (DecisionForm, lambda r, a, f: services.approve(
        clerk=r.user, application_pk=a.pk, decision_number=f.cleaned_data["decision_number"],
        expected_state=f.expected(), request=r), _("已作出准予决定，办件办结。")),
    "deny": (ReasonForm, lambda r, a, f: services.deny(
        clerk=r.user, application_pk=a.pk, reason=f.cleaned_data["reason"], expected_state=f.expected(), request=r),
        _("已作出不予决定，办件办结。")),
    "notice": (NoticeForm, lambda r, a, f: services.issue_notice(
        clerk=r.user, application_pk=a.pk, note=f.cleaned_data["note"], expected_state=f.expected(), request=r),
        _("已出具一次性告知书，可打印交申请人。")),
}


@clerk_required
@require_POST
@once_per_form("commitments.desk_action")
def desk_action(request, pk, action):
    if action not in DESK_ACTIONS:
        raise Http404
    application = selectors.desk_application(request.user, pk)
    form_class, call, done = DESK_ACTIONS[action]
    form = form_class(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return redirect("commitments:desk_application", application.pk)
    try:
        call(request, application, form)
        messages.success(request, done)
    except CommitmentsError as exc:
        messages.error(request, exc.message)
    return redirect("commitments:desk_application", application.pk)

