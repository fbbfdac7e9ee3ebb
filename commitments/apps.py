from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommitmentsConfig(AppConfig):
    name = "commitments"
    verbose_name = _("告知承诺办件")

    def ready(self):
        # catalog may not import credit or commitments: the matter page asks for this panel through its hook.
        from catalog import api as catalog

        from .panels import matter_eligibility_panel

        if matter_eligibility_panel not in catalog.MATTER_PAGE_PANELS:
            catalog.MATTER_PAGE_PANELS.append(matter_eligibility_panel)
