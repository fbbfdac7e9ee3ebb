"""Cross-cutting session and response policy."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseNotFound
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

SIGNED_IN_AT = "chengnuo_signed_in_at"
REFRESHED_AT = "chengnuo_refreshed_at"


class IdleTimeout:
    """A session left alone ``SESSION_IDLE_MINUTES`` (30) expires; any request pushes that back.

    Pushing it back means saving the session (a new ``expire_date``). Django's
    ``SESSION_SAVE_EVERY_REQUEST`` would write the session row on every page of every signed-in
    user; this writes it at most once per ``SESSION_REFRESH_SECONDS`` (60), so a session expires
    between 29 and 30 idle minutes after its last request. A request that changes the session
    saves it anyway, as always.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            now = int(time.time())
            refreshed = session.get(REFRESHED_AT, 0)  # loads it: an expired or unknown key turns out empty
            if not session.is_empty() and now - refreshed >= settings.SESSION_REFRESH_SECONDS:
                session[REFRESHED_AT] = now  # marks it modified: SessionMiddleware saves it on the way out
        return response


class AbsoluteSessionLifetime:
    """However busy, a session ends ``SESSION_ABSOLUTE_HOURS`` (12) after it began (ASVS 3.3.2);
    the idle timeout (``SESSION_IDLE_MINUTES``) ends it sooner when it is left alone.

    The clock starts at the first request after login (a session older than this rule starts it then).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            began = request.session.setdefault(SIGNED_IN_AT, now)
            if now - began > settings.SESSION_ABSOLUTE_HOURS * 3600:
                logout(request)
                messages.info(request, _("为保护您的账号安全，登录已超过%(hours)s小时，请重新登录。")
                              % {"hours": settings.SESSION_ABSOLUTE_HOURS})
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)


class NoStoreWhenSignedIn:
    """Every page answered to a signed-in user may show personal data (an ID number masked, a credit
    record, an application): no browser or shared cache keeps it (``Cache-Control: no-store``).

    Anonymous pages (the catalogue, the blacklist, the publicity list) stay cacheable; static files
    are answered by WhiteNoise before this runs.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response


class ChineseNotFoundInDevelopment:
    """With ``DEBUG`` on, Django answers an unknown address with its English technical 404 page
    (``HttpResponseNotFound``); in development the visitor sees the portal's own Chinese 404 page
    instead, as in production. Pages that answer 404 themselves (e.g. a letter number not found)
    render their own content and are left alone. Only installed when ``DEBUG`` is on."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if isinstance(response, HttpResponseNotFound) and "text/html" in response.get("Content-Type", ""):
            from portal.views.errors import page_not_found

            return page_not_found(request)
        return response
