"""Reading a setting the one way every app does (each app's ``conf.py`` names its own settings).

A Django setting of that name wins (tests override with ``settings``), then the environment variable,
then the default; an empty value counts as unset.
"""

import os

from django.conf import settings


def setting(name: str, default: str = "") -> str:
    """The value of setting ``name`` as text: Django settings, else the environment, else ``default``."""
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name)
    return str(value or default)
