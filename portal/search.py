"""Search boxes by POST (检索不入网址): what someone types — perhaps an ID number — never reaches a URL.

A search form posts; ``posted`` keeps the typed text in the session under the page's name and sends
the browser back to the page with only the other, non-personal fields (status, kind, page …) and
the mark ``s=1`` in the URL. ``text`` gives the kept text back while the URL carries the mark, and
forgets it when the page is opened afresh (from the menu, a bookmark). Access logs, browser history,
proxies and Referer headers therefore see ``?status=active&s=1``, never the text.
"""

from urllib.parse import urlencode

from django.shortcuts import redirect

from portal import inputs

MARK = "s"
_NOT_IN_URL = {"csrfmiddlewaretoken", "page", MARK}


def _session_key(page: str) -> str:
    return f"search:{page}"


def posted(request, page: str, name: str = "q", limit: int = 50):
    """On POST: keep the text, redirect to the page with the other fields; otherwise ``None``."""
    if request.method != "POST":
        return None
    text = inputs.text(request.POST.get(name), limit)
    if text:
        request.session[_session_key(page)] = text
    else:
        request.session.pop(_session_key(page), None)
    params = [(key, inputs.text(value, 100)) for key, value in request.POST.items()
              if key != name and key not in _NOT_IN_URL and inputs.text(value, 100)]
    if text:
        params.append((MARK, "1"))
    return redirect(request.path + (f"?{urlencode(params)}" if params else ""))


def text(request, page: str, limit: int = 50) -> str:
    """The kept search text, while the URL carries the mark; ``""`` (and forgotten) otherwise."""
    if not hasattr(request, "session"):
        return ""
    if request.GET.get(MARK) != "1":
        request.session.pop(_session_key(page), None)
        return ""
    return inputs.text(request.session.get(_session_key(page)), limit)


def mark(query: str) -> str:
    """``s=1`` when there is a search text: the part of a page link that keeps it."""
    return f"{MARK}=1" if query else ""
