"""Django's password views, with each change and reset written to the audit trail."""

from django.contrib.auth import views as auth_views
from django.db import transaction
from django.utils.translation import gettext as _

from portal import audit
from portal.forms_auth import PasswordChangeForm, PasswordResetForm, SetPasswordForm


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            audit.record("auth.password.changed", obj=form.user, actor=form.user, request=self.request,
                         summary=_("修改登录密码"))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm

    def form_valid(self, form):
        users = list(form.get_users(form.cleaned_data["email"]))
        with transaction.atomic():
            for user in users:
                audit.record("auth.password.reset_requested", obj=user, request=self.request,
                             summary=_("申请通过电子邮箱重置密码"))
            if not users:
                audit.record("auth.password.reset_requested", request=self.request,
                             summary=_("申请重置密码：邮箱未对应任何账号"))
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            audit.record("auth.password.reset", obj=form.user, actor=form.user, request=self.request,
                         summary=_("通过重置链接设置新密码"))
        return response
