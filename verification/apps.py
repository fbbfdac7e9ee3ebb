from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VerificationConfig(AppConfig):
    name = "verification"
    verbose_name = _("核查监管")

    def ready(self):
        # commitments may not import verification (it sits to the right), so verification hands it its
        # case-page panel and the callable that closes a withdrawn commitment's open tasks (commitments/hooks.py).
        from commitments import api as commitments

        from . import views
        from .withdrawal import close_tasks_of_withdrawn

        commitments.register_case_panel(views.case_panel)
        if close_tasks_of_withdrawn not in commitments.ON_COMMITMENT_WITHDRAWN:
            commitments.ON_COMMITMENT_WITHDRAWN.append(close_tasks_of_withdrawn)
