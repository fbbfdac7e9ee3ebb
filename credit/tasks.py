"""Celery tasks of the credit app: thin, take ids, re-read state, idempotent."""

from celery import shared_task

from . import conf, push, selectors, services


@shared_task(bind=True, max_retries=conf.PUSH_MAX_RETRIES)
def deliver_push(self, outbox_id: int) -> str:
    """Post one outbox row; on failure retry with back-off (the beat task covers what retries miss).

    If another attempt holds the row (a worker killed mid-POST leaves its lease behind and this
    message comes back at once), try again when that lease has run out instead of dropping it.
    """
    result = push.deliver(outbox_id)
    if self.request.is_eager or self.request.retries >= self.max_retries:
        return result
    if result == push.FAILED:
        raise self.retry(countdown=conf.push_backoff(self.request.retries + 1))
    if result == push.BUSY:
        raise self.retry(countdown=push.lease_seconds() + 1)
    return result


@shared_task
def resend_pending_pushes() -> int:
    """Beat: queue every pending row whose back-off has passed (after an endpoint or broker outage)."""
    if not conf.push_url():
        return 0
    ids = list(selectors.due_pushes())
    for pk in ids:
        push.enqueue(pk)
    return len(ids)


@shared_task
def expire_records() -> int:
    """Beat: end records whose publicity period is over (they also leave the blacklist)."""
    return services.expire_records()


@shared_task
def flag_overdue() -> int:
    """Beat: flag repair requests and objections past their working-day deadline."""
    return services.flag_overdue()
