"""Views of the complaints desk: parse the form, call one service, redirect or render. Reads via selectors."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import inputs, roles, scope, search, throttle, transitions, uploads
from portal.errors import show_refusal
from portal.once import once_per_form
from portal.roles import role_required

from . import abuse, selectors, services
from .forms import (
    AnonymousReportForm,
    FiguresForm,
    PortalTicketForm,
    RateForm,
    ReplyForm,
    RouteForm,
    ServiceStandardForm,
    StaffEntryForm,
    TrackForm,
)
from .models import Channel, ComplaintsError, Kind, is_handler

operator_required = role_required(roles.COMPLAINTS_OPERATOR)
handler_required = role_required(roles.WINDOW_CLERK, roles.COMPLAINTS_OPERATOR)
staff_required = role_required(roles.WINDOW_CLERK, roles.COMPLAINTS_OPERATOR, roles.SUPERVISOR)
supervisor_required = role_required(roles.SUPERVISOR)
applicant_required = role_required(roles.APPLICANT)
standards_required = role_required(roles.SERVICE_STANDARDS_OFFICER)
# Signed-in filings: per account a day, per client address an hour, and for the whole portal an hour.
SIGNED_IN_FILE_LIMITS = {"per_account": (20, 86400), "per_address": (30, 3600), "overall": (1000, 3600)}
UNLOCKED = "complaints_unlocked"
JUST_FILED = "complaints_just_filed"


def _unlocked(request) -> list:
    return request.session.get(UNLOCKED, [])


def _unlock(request, number):
    numbers = [n for n in _unlocked(request) if n != number][-9:] + [number]
    request.session[UNLOCKED] = numbers


def _ticket_fields(data) -> dict:
    return {k: data.get(k) or "" for k in ("topic", "title", "content", "commitment_ref", "application_number",
                                             "contact_phone")} | {
        "about_agency": data.get("about_agency"), "matter": data.get("matter")}


def _filed(request, ticket, code):
    _unlock(request, ticket.number)
    request.session[JUST_FILED] = {"number": ticket.number, "code": code}
    return redirect("complaints:filed")


# --- public ---------------------------------------------------------------------------------------
@once_per_form("complaints.new", session_keys=(JUST_FILED, UNLOCKED))
def new(request):
    """File a ticket: logged-in users choose the kind; anonymous visitors may file a report."""
    if request.user.is_authenticated:
        form = PortalTicketForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and not throttle.allow("complaint_signed_in", request, **SIGNED_IN_FILE_LIMITS):
            return render(request, "complaints/rate_limited.html", status=429)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                ticket, code = services.file_ticket(
                    kind=data["kind"], channel=Channel.PORTAL, requester=request.user,
                    contact_name=request.user.display_name, publish_consent=data["publish_consent"],
                    uploads=data["attachments"], request=request, **_ticket_fields(data),
                )
            except ComplaintsError as exc:
                show_refusal(form, exc)
            else:
                return _filed(request, ticket, code)
        return render(request, "complaints/new.html", {"form": form, "anonymous": False})

    # A fresh question on every render: a failed or used one is never shown again.
    question, token = abuse.new_challenge()
    form = AnonymousReportForm(request.POST or None, request.FILES or None, question=question)
    if request.method == "POST":
        if not (abuse.hit(request, "file", abuse.FILE_LIMIT)
                and abuse.hit(request, "file", abuse.FILE_LIMIT_ALL, who="all")):
            return render(request, "complaints/rate_limited.html", status=429)
        if form.is_valid():
            data = form.cleaned_data
            try:
                ticket, code = services.file_ticket(
                    kind=Kind.REPORT, channel=Channel.PORTAL, anonymous=True, uploads=data["attachments"],
                    request=request, **_ticket_fields(data),
                )
            except ComplaintsError as exc:
                show_refusal(form, exc)
            else:
                return _filed(request, ticket, code)
    if form.is_bound:
        form.data = form.data.copy()
        form.data["challenge_token"] = token
        form.data["challenge_answer"] = ""
    else:
        form.initial["challenge_token"] = token
    return render(request, "complaints/new.html", {"form": form, "anonymous": True})


def filed(request):
    """Shown once after filing: the tracking number and the lookup code."""
    info = request.session.pop(JUST_FILED, None)
    if not info:
        return redirect("complaints:track")
    return render(request, "complaints/filed.html", info)


def track(request):
    form = TrackForm(request.POST or None)
    if request.method == "POST":
        if not (abuse.hit(request, "track", abuse.TRACK_LIMIT)
                and abuse.hit(request, "track", abuse.TRACK_LIMIT_ALL, who="all")):
            return render(request, "complaints/rate_limited.html", status=429)
        if form.is_valid():
            ticket = selectors.tracked_ticket(form.cleaned_data["number"], form.cleaned_data["code"])
            if ticket is None:
                form.add_error("code", _("工单编号或查询码不正确，请核对后重新输入。"))
            else:
                _unlock(request, ticket.number)
                return redirect("complaints:tracked", number=ticket.number)
    return render(request, "complaints/track.html", {"form": form})


def tracked(request, number):
    ticket = selectors.unlocked_ticket(number, _unlocked(request))
    return _requester_page(request, ticket, rate_url=reverse("complaints:tracked", args=[number]))


def _requester_page(request, ticket, *, rate_url):
    form = RateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.rate(ticket_pk=ticket.pk, rating=form.cleaned_data["rating"],
                          comment=form.cleaned_data["comment"], actor=request.user,
                          expected_state=request.POST.get("state"), request=request)
        except ComplaintsError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("感谢您的评价。"))
            return redirect(rate_url)
    return render(request, "complaints/requester_ticket.html", {
        "ticket": ticket, "form": form, "rate_url": rate_url,
        "timeline": selectors.timeline(ticket, public=True), "referral_outcome": selectors.referral_outcome(ticket),
        "show_contact": selectors.contact_visible(request.user, ticket) or ticket.number in _unlocked(request),
    })


def faq(request):
    q = inputs.query(request)
    page = Paginator(selectors.faq(q), 20).get_page(request.GET.get("page"))
    return render(request, "complaints/faq.html", {"page": page, "q": q})


def attachment(request, pk):
    item = selectors.attachment(request.user, pk, unlocked=_unlocked(request))
    if item.ticket.agency_id is not None and not selectors.is_operator(request.user):
        scope.note_supervisory_read(request.user, item.ticket, item.ticket.agency, what="投诉工单附件",
                                    request=request)
    response = FileResponse(uploads.open_stored(item.file), content_type=item.content_type, as_attachment=True,
                            filename=item.original_name)
    response["Cache-Control"] = "private, no-store"
    return response


# --- requester -------------------------------------------------------------------------------------
@applicant_required
def mine(request):
    page = Paginator(selectors.requester_tickets(request.user), 20).get_page(request.GET.get("page"))
    return render(request, "complaints/mine.html", {"page": page})


@applicant_required
def my_ticket(request, number):
    ticket = selectors.requester_ticket(request.user, number)
    return _requester_page(request, ticket, rate_url=reverse("complaints:my_ticket", args=[number]))


# --- staff entry ------------------------------------------------------------------------------------
def _staff_entry(request, *, channel, template, default_route=None):
    form = StaffEntryForm(request.POST or None, request.FILES or None,
                          initial={"route_to": default_route} if default_route else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket, code = services.file_ticket(
                kind=data["kind"], channel=channel, entered_by=request.user, contact_name=data["contact_name"],
                publish_consent=data["publish_consent"], uploads=data["attachments"], route_to=data["route_to"],
                request=request, **_ticket_fields(data),
            )
        except ComplaintsError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("工单 %(n)s 已录入。请告知对方工单编号和查询码：%(c)s") % {
                "n": ticket.number, "c": code})
            return redirect("complaints:detail", number=ticket.number)
    return render(request, template, {"form": form, "channel": channel})


@operator_required
def call_new(request):
    return _staff_entry(request, channel=Channel.HOTLINE, template="complaints/entry.html")


@role_required(roles.WINDOW_CLERK)
def window_new(request):
    return _staff_entry(request, channel=Channel.WINDOW, template="complaints/entry.html",
                        default_route=request.user.agency)


# --- staff lists ---------------------------------------------------------------------------------------
@operator_required
def operator(request):
    if response := search.posted(request, "complaints-desk", limit=40):
        return response
    view = request.GET.get("view", "received")
    kind = request.GET.get("kind", "")
    q = search.text(request, "complaints-desk", 40)
    page = Paginator(selectors.desk(view=view, kind=kind, q=q), 30).get_page(request.GET.get("page"))
    return render(request, "complaints/operator.html", {
        "page": page, "view": view, "kind": kind, "q": q, "query": q, "kinds": Kind.choices,
        "views": [("received", _("待分派")), ("open", _("办理中")), ("escalated", _("超期督办")),
                  ("replied", _("待回访评价")), ("all", _("全部"))],
    })


@handler_required
def inbox(request):
    view = request.GET.get("view", "open")
    page = Paginator(selectors.inbox(request.user, view=view), 30).get_page(request.GET.get("page"))
    return render(request, "complaints/inbox.html", {
        "page": page, "view": view,
        "views": [("open", _("待办")), ("replied", _("已答复")), ("closed", _("已办结")), ("all", _("全部"))],
    })


# --- one ticket (staff) --------------------------------------------------------------------------------
@staff_required
def detail(request, number):
    ticket = selectors.staff_ticket(request.user, number)
    if not selectors.is_operator(request.user):  # the 12345 desk dispatches city-wide by duty
        scope.note_supervisory_read(request.user, ticket, ticket.agency, what="投诉工单", request=request)
    return _detail_page(request, ticket)


def _detail_page(request, ticket, *, failed=None, status=200):
    """The staff ticket page; ``failed`` is a submitted form with errors, shown in place of the blank one."""
    user = request.user
    handles = is_handler(ticket, user)
    can_route = selectors.is_operator(user) and transitions.allowed(ticket, "route")
    can_sign = handles and ticket.signed_at is None and transitions.allowed(ticket, "sign_for")
    can_reply = handles and ticket.signed_at is not None and transitions.allowed(ticket, "answer")
    templates = list(selectors.reply_templates(user, ticket.kind)) if can_reply else []
    chosen = next((t for t in templates if str(t.pk) == request.GET.get("template", "")), None)
    forms = {
        "route_form": RouteForm(initial={"agency": ticket.agency_id or services.responsible_agency(
            about_agency=ticket.about_agency, matter=ticket.matter, application_number=ticket.application_number,
            commitment_ref=ticket.commitment_ref)}) if can_route else None,
        "reply_form": ReplyForm(ticket=ticket, initial={
            "text": chosen.body if chosen else "", "faq_question": f"{ticket.title}\n{ticket.content}"})
        if can_reply else None,
        "rate_form": RateForm(),
    }
    if failed is not None:
        forms[{RouteForm: "route_form", ReplyForm: "reply_form", RateForm: "rate_form"}[type(failed)]] = failed
    return render(request, "complaints/detail.html", {
        "ticket": ticket, "timeline": selectors.timeline(ticket),
        "show_contact": selectors.contact_visible(user, ticket), "referral_outcome": selectors.referral_outcome(ticket),
        "can_route": can_route, "can_sign": can_sign, "can_reply": can_reply,
        "can_callback": selectors.is_operator(user) and ticket.state == ticket.State.REPLIED,
        "templates": templates, "chosen": chosen, **forms,
    }, status=status)


def _act(request, number, form_class, action, success, **form_kwargs):
    """POST-only staff action: on refusal show the ticket page with the errors beside the fields, else redirect."""
    ticket = selectors.staff_ticket(request.user, number)
    form = form_class(request.POST, request.FILES or None, **form_kwargs) if form_class else None
    if form is None or form.is_valid():
        try:
            action(ticket, form.cleaned_data if form else {})
        except ComplaintsError as exc:
            if form is None:
                messages.error(request, exc.message)
                return redirect("complaints:detail", number=number)
            show_refusal(form, exc)
        else:
            messages.success(request, success)
            return redirect("complaints:detail", number=number)
    ticket = selectors.staff_ticket(request.user, number)
    return _detail_page(request, ticket, failed=form, status=400)


@require_POST
@operator_required
def route(request, number):
    return _act(request, number, RouteForm, lambda t, d: services.route(
        actor=request.user, ticket_pk=t.pk, agency=d["agency"], reason=d["reason"],
        expected_state=request.POST.get("state"), request=request), _("工单已分派。"))


@require_POST
@handler_required
def sign(request, number):
    return _act(request, number, None, lambda t, d: services.sign_for(
        actor=request.user, ticket_pk=t.pk, expected_state=request.POST.get("state"), request=request),
        _("已签收，请在答复期限内答复。"))


@require_POST
@handler_required
def reply(request, number):
    ticket = selectors.staff_ticket(request.user, number)
    return _act(request, number, ReplyForm, lambda t, d: services.reply(
        actor=request.user, ticket_pk=t.pk, text=d["text"], publish=d.get("publish", False),
        faq_question=d.get("faq_question", ""), uploads=d["attachments"],
        expected_state=request.POST.get("state"), request=request), _("答复已发送给提交人。"), ticket=ticket)


@require_POST
@operator_required
def callback(request, number):
    return _act(request, number, RateForm, lambda t, d: services.rate(
        ticket_pk=t.pk, rating=d["rating"], comment=d["comment"], actor=request.user, via_callback=True,
        expected_state=request.POST.get("state"), request=request), _("回访评价已录入。"))


# --- supervisor --------------------------------------------------------------------------------------
@supervisor_required
def figures(request):
    form = FiguresForm(request.GET or None)
    start = end = None
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    return render(request, "complaints/figures.html", {
        "form": form, "figures": selectors.ticket_figures(request.user, start=start, end=end),
        "escalated": selectors.escalated(request.user)[:50],
    })


# --- §三 the 市行政审批服务局: window service standards, one-time notices, complaint follow-up ---------------
@standards_required
def standards(request):
    form = ServiceStandardForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.publish_standard(actor=request.user, request=request, **form.cleaned_data)
        except ComplaintsError as exc:
            form.add_error("title", str(exc))
        else:
            messages.success(request, _("已发布。"))
            return redirect("complaints:standards")
    return render(request, "complaints/standards.html", {
        "form": form, "standards": selectors.service_standards(request.user),
        "follow_up": selectors.window_follow_up(request.user)[:100],
    })


@require_POST
@standards_required
def standard_retire(request, pk):
    try:
        services.retire_standard(actor=request.user, pk=pk, request=request)
    except ComplaintsError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已停用。"))
    return redirect("complaints:standards")
