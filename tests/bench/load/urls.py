"""chengnuo.urls plus the baseline view of the load test."""

from django.db import connection
from django.http import HttpResponse
from django.urls import include, path

from chengnuo.urls import handler400, handler403, handler404, handler500  # noqa: F401 (Django looks them up here)


def minimal_view(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok")


urlpatterns = [path("bench/minimal/", minimal_view), path("", include("chengnuo.urls"))]
