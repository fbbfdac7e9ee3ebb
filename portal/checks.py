"""Deployment checks of our own (``manage.py check --deploy``), beside Django's."""

import os
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Tags, Warning, register

# The partners that receive personal data: the data-sharing exchange gets ID numbers, the credit
# platform gets credit records with them, the identity platform returns proofed identities.
# Loopback (the demo's exchange simulator) is exempt.
PARTNER_URLS = ("VERIFICATION_EXCHANGE_URL", "CREDIT_PUSH_URL", "IDENTITY_PROVIDER_URL")
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@register(Tags.security, deploy=True)
def partners_over_https(app_configs, **kwargs):
    warnings = []
    for name in PARTNER_URLS:
        url = str(getattr(settings, name, None) or os.environ.get(name, "")).strip()
        if url and urlsplit(url).scheme != "https" and urlsplit(url).hostname not in LOOPBACK:
            warnings.append(Warning(
                f"{name} is not an https:// URL; personal data would cross the network unencrypted.",
                hint="Use the partner's HTTPS endpoint (ASVS 9.2.2, docs/security.md).",
                id="chengnuo.W001",
            ))
    return warnings


@register(Tags.security)
def seals_ready(app_configs, **kwargs):
    """电子印章: a missing or expired certificate stops letters being issued (portal/seals.py)."""
    from django.db import DatabaseError

    from portal import seals
    from portal.models import Agency

    try:
        problems = seals.problems(Agency.objects.filter(is_active=True).only("code", "name"))
    except seals.SealError as exc:
        problems = [exc.message]
    except (DatabaseError, RuntimeError):  # no tables yet (before migrate), or no database here: nothing to check
        problems = []
    warnings = [Warning(f"电子印章：{problem}", hint="docs/operations.md「电子印章」", id="chengnuo.W010")
                for problem in problems[:20]]
    if seals.demo_mode() and getattr(settings, "PRODUCTION", False):
        warnings.append(Warning("SEAL_DEMO_CA is on in production: letters carry demo seals (演示) without legal effect.",
                                hint="Install the agencies' real seal certificates and set SEAL_DEMO_CA=false.",
                                id="chengnuo.W011"))
    return warnings
