"""The one way to write the audit trail (审计记录). History is append-only and hash-chained
(portal/audit_chain.py; ``manage.py verify_audit`` checks it). The trail is several chains, each with
its own ``seq``: read it in time order (``at``, then chain and seq, the model's ordering), never by ``seq``."""

from django.db import models

from portal.identifiers import redact, redact_data
from portal.models import AuditEvent


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(
    action: str,
    *,
    obj: models.Model | None = None,
    actor=None,
    agency=None,
    from_state: str = "",
    to_state: str = "",
    summary: str = "",
    data: dict | None = None,
    request=None,
) -> AuditEvent:
    """Append one audit event. Call it inside the service's transaction so both land or neither.

    Resident ID numbers in the summary and the data are masked: free text copied from a form
    (a report, a reason) must not put a full ID number into the permanent trail.
    """
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if agency is None and actor is not None:
        agency = getattr(actor, "agency", None)
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        agency=agency,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        from_state=str(from_state or ""),
        to_state=str(to_state or ""),
        summary=redact(str(summary))[:300],
        data=redact_data(data or {}),
        ip=client_ip(request),
    )


def timeline(obj: models.Model):
    """The object's history, oldest first (by ``at``; its events may sit in different chains), as shown in
    every timeline."""
    return AuditEvent.objects.for_object(obj).select_related("actor", "agency")


def recent(obj: models.Model, shown: int) -> tuple[list, int]:
    """The newest ``shown`` events of the object's history, oldest first, and how many older ones are left
    out — for a page whose object gathers history without end (a task claimed and released again and
    again). The count is asked only when the page is full."""
    events = list(timeline(obj).reverse()[:shown])[::-1]
    return events, (timeline(obj).count() - shown if len(events) == shown else 0)
