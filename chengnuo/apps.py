from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChengnuoConfig(AppConfig):
    """The composition as an app only so that ``seed_demo`` and ``chengnuo.tasks`` are found; it has no models."""

    name = "chengnuo"
    verbose_name = _("承诺通")
