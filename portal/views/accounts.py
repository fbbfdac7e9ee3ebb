from django.contrib import messages
from django.contrib.auth import login
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from portal import accounts, throttle
from portal.forms import EnterpriseRegistrationForm, PersonRegistrationForm

# Registrations per client address and for the whole portal, per hour (shared cache; docs/security.md).
REGISTER_LIMITS = {"per_address": (5, 3600), "overall": (300, 3600)}


def register(request):
    """Choose: register as a natural person or for an enterprise."""
    return render(request, "registration/register_choice.html")


def register_person(request):
    return _register(
        request, PersonRegistrationForm, _("个人注册"), "",
        lambda data: accounts.register_person(
            full_name=data["full_name"], mobile=data["mobile"], password=data["password1"], email=data["email"],
            request=request,
        ),
    )


def register_enterprise(request):
    return _register(
        request, EnterpriseRegistrationForm, _("企业注册"), "?for=enterprise",
        lambda data: accounts.register_enterprise(
            contact_name=data["contact_name"], mobile=data["mobile"], password=data["password1"],
            email=data["email"], request=request,
        ),
    )


def _register(request, form_class, kind_label, identity_query, create_account):
    form = form_class(request.POST or None)
    status = 200
    if request.method == "POST":
        if not throttle.allow("register", request, **REGISTER_LIMITS):
            form.is_valid()
            form.add_error(None, _("注册过于频繁，请一小时后再试。"))
            status = 429
        elif form.is_valid():
            try:
                user = create_account(form.cleaned_data)
            except IntegrityError:
                # Two submissions raced past the form's uniqueness check; the database kept one.
                form.add_error("mobile", _("该手机号码刚刚已被注册，请直接登录。"))
            else:
                login(request, user, backend="portal.auth.UsernameOrMobileBackend")
                messages.success(request, _("注册成功。请完成实名认证，之后即可办理事项、查看本人的办件和信用信息。"))
                return redirect(reverse("identity") + identity_query)
    return render(request, "registration/register.html", {"form": form, "kind_label": kind_label}, status=status)

