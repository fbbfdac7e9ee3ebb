"""When the user last proved who they are (a timestamp in the session).

The login, the second-factor step (``portal.two_factor``) and a 确认身份 (``portal.reauth``) each
mark it; ``portal.reauth`` asks whether it is still within ``settings.REAUTH_MINUTES``. It lives
apart from both so that neither has to import the other to set it.
"""

import time

from django.conf import settings
from django.contrib.auth.signals import user_logged_in

SESSION_KEY = "reauth_at"


def minutes() -> int:
    return int(getattr(settings, "REAUTH_MINUTES", 5))


def mark(request) -> None:
    """The user has just proved who they are (password, code or second-factor login)."""
    request.session[SESSION_KEY] = int(time.time())


def _logged_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        mark(request)


# Logging in proves identity as much as 确认身份 does (the second-factor step marks it again).
user_logged_in.connect(_logged_in, dispatch_uid="portal.reauth.logged_in")


def is_fresh(request) -> bool:
    stamp = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    if not isinstance(stamp, int):
        return False
    return 0 <= time.time() - stamp <= minutes() * 60
