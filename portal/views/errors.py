from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader


def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "403.html", {"reason": str(exception) if exception else ""}, status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    """Rendered without the request: no context processor (user, roles, session) may touch the database,
    which is often what failed — e.g. while PostgreSQL restarts (tests/faults)."""
    return HttpResponseServerError(loader.get_template("500.html").render())
