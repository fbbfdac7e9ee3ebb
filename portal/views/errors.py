from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme


def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "403.html", {"reason": str(exception) if exception else ""}, status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    """Rendered without the request: no context processor (user, roles, session) may touch the database,
    which is often what failed — e.g. while PostgreSQL restarts (tests/faults)."""
    try:
        return HttpResponseServerError(loader.get_template("500.html").render())
    except Exception:  # the page must never fail in turn (e.g. a static manifest entry missing)
        return HttpResponseServerError(FALLBACK_500, content_type="text/html; charset=utf-8")


FALLBACK_500 = ('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>系统繁忙 - 承诺通</title></head>'
                '<body style="font:18px/1.7 sans-serif;max-width:40em;margin:3em auto"><h1>系统繁忙，请稍后再试</h1>'
                '<p>您刚才的操作要么已完整保存，要么完全没有保存；请稍后刷新页面查看。如急需办理，请拨打 12345。</p>'
                '<p><a href="/">返回首页</a></p></body></html>')


def csrf_failure(request, reason=""):
    """``CSRF_FAILURE_VIEW``: a form sent from a page that has expired (a tab left open while the user
    logged in or out elsewhere, a session that timed out). Says so in plain words and offers the way
    back: the page the form came from, opened afresh (same site only), where it can be sent again."""
    back = request.META.get("HTTP_REFERER") or ""
    if request.method == "POST" and not back:
        back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = request.path if request.method == "GET" else "/"
    return render(request, "403_csrf.html", {"back": back}, status=403)
