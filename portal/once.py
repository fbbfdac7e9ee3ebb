"""One result per form (防重复提交): a double click, a re-sent POST or a reload never does the work twice.

Each protected form carries a random hidden ``form_token`` (``{% form_token %}``). The view, wrapped in
``once_per_form``, runs for the first POST with a token; when it ends in a redirect (the work was done)
the redirect, the messages it queued and the session values it set are kept in the cache for
``KEEP_SECONDS``. A repeat POST with the same token — the second click of a double click usually
arrives while the first is still running — waits for that outcome and answers with it, so the visitor
sees the ticket number, the new letter or the banner once, never the form again. When the first
attempt re-renders the form (a validation error), the token is released and may be used again.

The key binds the token to the browser's CSRF secret, so a token copied from someone else's page
finds nothing. The cache must be shared between web processes for this to hold across them
(``CACHE_URL``; the same holds for the rate limits and single-use challenges).
"""

import hashlib
import secrets
import time
from functools import wraps

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponseRedirect

FIELD = "form_token"
KEEP_SECONDS = 600
WAIT_SECONDS = 15
_PENDING = "pending"


def new_token() -> str:
    return secrets.token_urlsafe(16)


def _key(request, scope: str, token: str) -> str:
    secret = request.META.get("CSRF_COOKIE") or ""
    digest = hashlib.sha256(f"{secret}|{token}".encode()).hexdigest()
    return f"once:{scope}:{digest}"


def _outcome(key: str):
    """The first attempt's outcome, waiting while it still runs; ``None`` when there is none (any more)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        value = cache.get(key)
        if value != _PENDING or time.monotonic() >= deadline:
            return value if isinstance(value, dict) else None
        time.sleep(0.1)


def _replay(request, outcome: dict):
    for name, value in outcome["session"].items():
        request.session[name] = value
    for level, text in outcome["messages"]:
        messages.add_message(request, level, text)
    return HttpResponseRedirect(outcome["url"])


def once_per_form(scope: str, session_keys: tuple[str, ...] = ()):
    """Decorate a view whose POST form carries ``{% form_token %}``; ``session_keys`` are session
    values the view sets that a repeat must see too (e.g. the one-time lookup code page)."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            token = request.POST.get(FIELD, "")[:64] if request.method == "POST" else ""
            if not token:
                return view(request, *args, **kwargs)
            key = _key(request, scope, token)
            if not cache.add(key, _PENDING, timeout=KEEP_SECONDS):
                outcome = _outcome(key)
                if outcome is not None:
                    return _replay(request, outcome)
                cache.set(key, _PENDING, timeout=KEEP_SECONDS)
            try:
                response = view(request, *args, **kwargs)
            except BaseException:
                cache.delete(key)
                raise
            if isinstance(response, HttpResponseRedirect):
                queued = getattr(getattr(request, "_messages", None), "_queued_messages", [])
                cache.set(key, {
                    "url": response.url,
                    "messages": [(m.level, str(m.message)) for m in queued],
                    "session": {name: request.session[name] for name in session_keys if name in request.session},
                }, timeout=KEEP_SECONDS)
            else:
                cache.delete(key)
            return response

        return wrapper

    return decorate
