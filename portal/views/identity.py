"""实名认证 pages: the account's status and the ways to bind, and the counter's binding-code action."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import identity, roles, throttle
from portal.forms import BindingCodeEntryForm, EnterpriseProofingForm, IssueBindingCodeForm

applicant_required = roles.role_required(roles.APPLICANT)
TOO_MANY = _("尝试过于频繁，请15分钟后再试。")


def _page(request, *, enterprise_form=None, code_form=None, error="", status=200):
    user = request.user
    context = {
        "bound": identity.is_bound(user), "provider_label": identity.provider().label,
        "enterprise_form": enterprise_form or EnterpriseProofingForm(),
        "code_form": code_form or BindingCodeEntryForm(), "error": error,
        "for_enterprise": request.GET.get("for") == "enterprise" or request.POST.get("for") == "enterprise",
    }
    response = render(request, "registration/identity.html", context, status=status)
    response["Cache-Control"] = "private, no-store"
    return response


@applicant_required
def identity_status(request):
    """The account's real-name status, and how to verify: online, as an enterprise's legal representative, or a counter code."""
    return _page(request)


@require_POST
@applicant_required
def identity_start(request):
    """Leave for the identity platform (person, or an enterprise's legal representative with the USCC)."""
    enterprise = request.POST.get("for") == "enterprise"
    form = EnterpriseProofingForm(request.POST) if enterprise else None
    if not throttle.allow("identity_start", request, **identity.START_LIMITS):
        return _page(request, enterprise_form=form, error=TOO_MANY, status=429)
    if form is not None and not form.is_valid():
        return _page(request, enterprise_form=form, status=400)
    try:
        url = identity.start_online(request, uscc=form.cleaned_data["uscc"] if form else "",
                                    redirect_uri=request.build_absolute_uri(reverse("identity_callback")))
    except identity.IdentityError as exc:
        messages.error(request, exc.message)
        return redirect("identity")
    return HttpResponseRedirect(url)  # the platform's own page, configured by IDENTITY_PROVIDER_URL


@applicant_required
def identity_callback(request):
    """Back from the identity platform with a one-time code (the code is no personal data)."""
    if request.GET.get("error"):
        messages.error(request, _("您在认证平台取消了认证或认证未通过，可以重新认证，或到窗口领取绑定码。"))
        return redirect("identity")
    if not throttle.allow("identity_callback", request, **identity.START_LIMITS):
        return _page(request, error=TOO_MANY, status=429)
    try:
        identity.complete_online(request, code=request.GET.get("code", ""), state=request.GET.get("state", ""))
    except identity.IdentityError as exc:
        messages.error(request, exc.message)
        return redirect("identity")
    messages.success(request, _("实名认证成功，账号已关联申请主体。"))
    return redirect("workspace")


@require_POST
@applicant_required
def identity_code(request):
    """Enter the binding code a window clerk handed over, with the ID number it was issued for."""
    form = BindingCodeEntryForm(request.POST)
    if not throttle.allow("binding_code", request, **identity.CODE_LIMITS):
        form.is_valid()
        form.add_error(None, TOO_MANY)
        return _page(request, code_form=form, status=429)
    if form.is_valid():
        try:
            identity.redeem_binding_code(user=request.user, id_number=form.cleaned_data["id_number"],
                                         code=form.cleaned_data["code"], request=request)
        except identity.IdentityError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("绑定成功，账号已关联申请主体。"))
            return redirect("workspace")
    return _page(request, code_form=form, status=400)


@roles.role_required(roles.WINDOW_CLERK)
def desk_binding_code(request):
    """Counter: after checking the ID card (or an enterprise's agent letter), hand the applicant a one-time binding code."""
    form = IssueBindingCodeForm(request.POST or None)
    code = row = None
    status = 200
    if request.method == "POST":
        if not throttle.allow("binding_code_issue", request, **identity.ISSUE_LIMITS):
            form.is_valid()
            form.add_error(None, _("发放过于频繁，请稍后再试。"))
            status = 429
        elif form.is_valid():
            data = form.cleaned_data
            try:
                code, row = identity.issue_binding_code(
                    clerk=request.user, kind=data["kind"], name=data["name"], id_number=data["id_number"],
                    basis=data["basis"], holder_name=data["holder_name"], request=request,
                )
            except identity.IdentityError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            status = 400
    response = render(request, "portal/desk_binding_code.html",
                      {"form": form, "code": code, "row": row, "minutes": identity.binding_code_minutes()}, status=status)
    response["Cache-Control"] = "private, no-store"  # the code is shown once and must not be kept by a browser or proxy
    return response
