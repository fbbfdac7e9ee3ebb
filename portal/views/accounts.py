from django.contrib import messages
from django.contrib.auth import login
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from portal import accounts
from portal.forms import EnterpriseRegistrationForm, PersonRegistrationForm


def register(request):
    """Choose: register as a natural person or for an enterprise."""
    return render(request, "registration/register_choice.html")


def register_person(request):
    return _register(
        request, PersonRegistrationForm, _("个人注册"),
        lambda data: accounts.register_person(
            full_name=data["full_name"], id_number=data["id_number"], mobile=data["mobile"],
            password=data["password1"], email=data["email"], request=request,
        ),
    )


def register_enterprise(request):
    return _register(
        request, EnterpriseRegistrationForm, _("企业注册"),
        lambda data: accounts.register_enterprise(
            name=data["name"], uscc=data["uscc"], legal_representative=data["legal_representative"],
            contact_name=data["contact_name"], mobile=data["mobile"], password=data["password1"],
            email=data["email"], request=request,
        ),
    )


def _register(request, form_class, kind_label, create_account):
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = create_account(form.cleaned_data)
        except IntegrityError:
            # Two submissions raced past the form's uniqueness checks; the database kept one.
            form.add_error("mobile", _("该手机号码或证件号码刚刚已被注册，请直接登录。"))
        else:
            login(request, user, backend="portal.auth.UsernameOrMobileBackend")
            messages.success(request, _("注册成功，欢迎使用承诺通。"))
            return redirect("workspace")
    return render(request, "registration/register.html", {"form": form, "kind_label": kind_label})
