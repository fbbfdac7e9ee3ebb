from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView, TemplateView

from portal import two_factor_views, views
from portal.forms_auth import LoginForm
from portal.views import messages as message_views
from portal.views import passwords

from . import views as composed

handler400 = "portal.views.bad_request"
handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"

account_patterns = [
    path("login/", auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("two-factor/", two_factor_views.verify, name="two_factor"),
    path("two-factor/enrol/", two_factor_views.enrol, name="two_factor_enrol"),
    path("register/", views.register, name="register"),
    path("register/person/", views.register_person, name="register_person"),
    path("register/enterprise/", views.register_enterprise, name="register_enterprise"),
    path("identity/", views.identity_status, name="identity"),
    path("identity/start/", views.identity_start, name="identity_start"),
    path("identity/callback/", views.identity_callback, name="identity_callback"),
    path("identity/code/", views.identity_code, name="identity_code"),
    path("password/change/", passwords.PasswordChangeView.as_view(), name="password_change"),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password/reset/", passwords.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/done/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        passwords.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("profile/", message_views.profile, name="profile"),
    path("password/reset/complete/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]

urlpatterns = [
    path("", composed.home, name="home"),
    path("accounts/", include(account_patterns)),
    path("workspace/", composed.workspace, name="workspace"),
    path("desk/binding-code/", views.desk_binding_code, name="desk_binding_code"),
    path("care-mode/", composed.care_mode, name="care_mode"),
    path("messages/", message_views.message_list, name="messages"),
    path("messages/read-all/", message_views.messages_read_all, name="messages_read_all"),
    path("messages/<int:pk>/read/", message_views.message_read, name="message_read"),
    path("messages/<int:pk>/open/", message_views.message_open, name="message_open"),
    path("terms/", TemplateView.as_view(template_name="portal/legal/terms.html"), name="terms"),
    path("privacy/", TemplateView.as_view(template_name="portal/legal/privacy.html"), name="privacy"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", composed.healthz, name="healthz"),
    path("favicon.ico", RedirectView.as_view(url="/static/img/favicon.svg", permanent=True)),
    path("admin/", admin.site.urls),
    path("", include("catalog.urls")),
    path("", include("credit.urls")),
    path("", include("commitments.urls")),
    path("", include("verification.urls")),
    path("", include("complaints.urls")),
    path("", include("supervision.urls")),
]

admin.site.site_header = "承诺通 管理后台"
admin.site.site_title = "承诺通"
admin.site.index_title = "系统管理"

