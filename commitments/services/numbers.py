"""Numbers of cases, letters and notices: ``<prefix>-<year>-<000001>``."""


from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ..models import (
    Counter,
)


def next_number(prefix: str) -> str:
    """``<prefix>-<year>-<000001>``: one counter row per prefix and year, incremented under its row lock."""
    year = timezone.localdate().year
    scope = f"{prefix}-{year}"
    with transaction.atomic():
        Counter.objects.get_or_create(scope=scope)
        Counter.objects.filter(scope=scope).update(value=F("value") + 1)
        value = Counter.objects.values_list("value", flat=True).get(scope=scope)
    return f"{scope}-{value:06d}"
