from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VerificationConfig(AppConfig):
    name = "verification"
    verbose_name = _("核查监管")

    def ready(self):
        from commitments import panels

        from . import views

        panels.register(views.case_panel)

        # commitments may not import verification (it sits to the right), so verification hands it the
        # callable that closes a withdrawn commitment's open tasks (commitments/hooks.py says why).
        from commitments import hooks

        from .withdrawal import close_tasks_of_withdrawn

        if close_tasks_of_withdrawn not in hooks.ON_COMMITMENT_WITHDRAWN:
            hooks.ON_COMMITMENT_WITHDRAWN.append(close_tasks_of_withdrawn)
