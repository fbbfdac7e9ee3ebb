from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from portal import holidays, roles, seals
from portal.models import Agency

from . import navigation
from .celery import app as celery_app


def home(request):
    return render(request, "portal/home.html", {"catalog_url": navigation.url_or_none("catalog:index")})


@login_required
def workspace(request):
    sections = navigation.workspace_links(request.user)
    notices = holidays.recent_deadline_notices(request.user)
    return render(request, "portal/workspace.html",
                  {"sections": sections, "all_roles": roles.ROLES, "deadline_notices": notices})


@require_POST
def care_mode(request):
    """关怀版: large text and high contrast, remembered for a year in a cookie."""
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    if request.COOKIES.get("care_mode") == "1":
        response.delete_cookie("care_mode", samesite="Lax")
    else:
        response.set_cookie("care_mode", "1", max_age=365 * 24 * 3600, samesite="Lax", secure=request.is_secure(), httponly=True)
    return response


@never_cache
def healthz(request):
    """Database and broker status for load balancers and operators."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure is "down"
        checks["database"] = f"error: {type(exc).__name__}"
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        checks["broker"] = "ok"
    except Exception as exc:  # noqa: BLE001
        checks["broker"] = f"error: {type(exc).__name__}"
    healthy = all(v == "ok" for v in checks.values())
    # 电子印章: without it no letter is issued, but every other page works, so the node stays in the
    # load balancer (200) and says "degraded" with the reason for operators.
    try:
        problems = seals.problems(Agency.objects.filter(is_active=True).only("code", "name"))
    except Exception as exc:  # noqa: BLE001
        problems = [type(exc).__name__]
    checks["seals"] = "ok" if not problems else "error: " + "；".join(problems)[:500]
    status = "ok" if healthy and not problems else "degraded"
    return JsonResponse({"status": status, **checks}, status=200 if healthy else 503)
