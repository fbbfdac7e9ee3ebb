from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("门户基础")

    def ready(self):
        from . import checks, choice_labels, security_events  # noqa: F401 - importing checks registers them

        security_events.connect()
        choice_labels.install()
