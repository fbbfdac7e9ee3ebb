from celery import shared_task

from portal import holidays, workdays
from portal.notifications import send_delivery, send_pending_deliveries  # noqa: F401 - registers the outbox tasks


@shared_task
def extend_workday_calendar() -> int:
    """Copy newly published holidays and 调休 days from chinese-calendar (idempotent), then recount provisional deadlines."""
    added = workdays.sync_from_package()
    holidays.settle_provisional_deadlines()
    return added


@shared_task
def settle_provisional_deadlines() -> dict:
    """Count provisional deadlines (暂定期限) again once their years' schedules are entered (idempotent)."""
    return holidays.settle_provisional_deadlines()


@shared_task
def log_audit_head() -> str:
    """Write each audit chain's last (chain, seq, hash) to the log: shipped off the host, these are the
    anchors against which ``verify_audit --anchor`` finds rows cut off a chain's end, a chain removed
    whole, or a recomputed chain."""
    import logging

    from portal import audit_chain
    from portal.models import AuditEvent

    anchors = audit_chain.format_anchors(audit_chain.heads(AuditEvent.objects.all()))
    logging.getLogger("portal.audit").info("audit chain heads %s", anchors)
    return anchors


@shared_task
def check_daily_counts() -> dict:
    """Compare the supervision's daily counts with a recount of their rows, once a day; log an error naming
    each kind that differs (a restore or a TRUNCATE went behind the triggers). Repairs nothing: the
    operator runs ``manage.py daily_counts --rebuild`` (docs/operations.md)."""
    import logging

    from django.db import connection

    from portal import rollup

    differing = {}
    for spec, found in rollup.check(connection).items():
        if found:
            differing[spec.kind] = len(found)
            first = found[0]
            logging.getLogger("portal.rollup").error(
                "daily counts of %s differ from their rows at %d key(s), e.g. agency=%s day=%s bucket=%r: kept %d, "
                "rows %d; run manage.py daily_counts --rebuild", spec.kind, len(found), first.agency_id, first.day,
                first.bucket, first.kept, first.counted)
    return differing


@shared_task
def prune_login_throttles() -> int:
    """Forget login-failure counters whose window and lock have run out (portal/login_guard.py)."""
    import datetime

    from django.conf import settings
    from django.db.models import Q
    from django.utils import timezone

    from portal.models import LoginThrottle

    now = timezone.now()
    stale = now - datetime.timedelta(hours=settings.LOGIN_FAILURE_WINDOW_HOURS)
    deleted, _ = LoginThrottle.objects.filter(
        Q(locked_until__isnull=True) | Q(locked_until__lt=now), window_start__lt=stale).delete()
    return deleted
