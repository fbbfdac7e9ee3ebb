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
    form = PersonRegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = accounts.register_person(
                full_name=data["full_name"], id_number=data["id_number"], mobile=data["mobile"],
                password=data["password1"], email=data["email"], request=request,
            )
        except IntegrityError:
            form.add_error("mobile", _("该手机号码或证件号码刚刚已被注册，请直接登录。"))
        else:
            return _welcome(request, user)
    return render(request, "registration/register.html", {"form": form, "kind_label": _("个人注册")})


def register_enterprise(request):
    form = EnterpriseRegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = accounts.register_enterprise(
                name=data["name"], uscc=data["uscc"], legal_representative=data["legal_representative"],
                contact_name=data["contact_name"], mobile=data["mobile"], password=data["password1"],
                email=data["email"], request=request,
            )
        except IntegrityError:
            form.add_error("mobile", _("该手机号码或统一社会信用代码刚刚已被注册，请直接登录。"))
        else:
            return _welcome(request, user)
    return render(request, "registration/register.html", {"form": form, "kind_label": _("企业注册")})


def _welcome(request, user):
    login(request, user, backend="portal.auth.UsernameOrMobileBackend")
    messages.success(request, _("注册成功，欢迎使用承诺通。"))
    return redirect("workspace")
