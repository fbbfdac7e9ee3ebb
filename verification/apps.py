from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VerificationConfig(AppConfig):
    name = "verification"
    verbose_name = _("核查监管")

    def ready(self):
        from commitments import panels

        from . import views

        panels.register(views.case_panel)
