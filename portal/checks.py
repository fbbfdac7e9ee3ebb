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
