"""Inbound query to the national credit information sharing platform (全国信用信息共享平台): 联合惩戒名单.

§二(六) "一处失信、处处受限": before a subject may commit, the portal asks the platform whether the subject is on
a joint-punishment list kept elsewhere. ``POST {CREDIT_PLATFORM_URL}/joint-punishment`` with the JSON body
``{"id_number", "subject_kind"}`` answers ``{"listed": bool, "lists": [{"name", "agency", "until"}...]}``.
Same timeouts, retries and circuit breaker as every other outbound call (``portal.exchange``).

Every answer is stored as a ``JointPunishmentCheck`` (the eligibility record, with its time). A successful
answer is reused for ``CREDIT_PLATFORM_MAX_AGE`` seconds so page views do not each ask the platform.
The documented rule (docs/rules.md §二(六)): when the platform cannot be asked, the commitment route is
refused with that reason and the applicant may still submit the proof — never a silent pass.
When ``CREDIT_PLATFORM_URL`` is empty the portal is not connected: local records only, said on the page.
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal import exchange

from . import conf
from .models import JointPunishmentCheck

log = logging.getLogger(__name__)

NOT_CONNECTED = "not_connected"


class PlatformBreaker(exchange.CircuitBreaker):
    open_message = gettext_lazy("全国信用信息共享平台暂时不可用（连续失败后熔断）。")

    def __init__(self):
        super().__init__(default_threshold=conf.platform_breaker_threshold,
                         default_cooldown=conf.platform_breaker_cooldown)


BREAKER = PlatformBreaker()


@dataclass(frozen=True)
class JointPunishmentStatus:
    """The platform's answer: ``state`` is clear / listed / unavailable / not_connected."""

    state: str
    lists: tuple = ()
    checked_at: object = None
    error: str = ""
    check_id: int | None = None
    reasons: tuple = field(default=())

    @property
    def listed(self) -> bool:
        return self.state == JointPunishmentCheck.State.LISTED


def _ask(subject) -> dict | None:
    return exchange.post_json(
        f"{conf.platform_url()}/joint-punishment", {"id_number": subject.id_number, "subject_kind": subject.kind},
        timeout=conf.platform_timeout(), retries=conf.platform_retries(), breaker=BREAKER,
        unreachable=gettext_lazy("连接全国信用信息共享平台失败：%(reason)s"),
        unreadable=gettext_lazy("全国信用信息共享平台返回的内容无法解析。"),
    )


def _reasons(state, lists, error) -> tuple:
    if state == JointPunishmentCheck.State.LISTED:
        names = "；".join(f"{item.get('name', '')}（{item.get('agency', '')}）" for item in lists) or _("联合惩戒名单")
        return (_("经全国信用信息共享平台查询，已被列入联合惩戒名单：%(lists)s，不适用告知承诺制，请提交证明材料办理。")
                % {"lists": names},)
    if state == JointPunishmentCheck.State.UNAVAILABLE:
        return (_("全国信用信息共享平台暂时无法查询（%(error)s），无法确认是否列入联合惩戒名单，本次不能以告知承诺方式办理；"
                  "可以提交证明材料继续办理，或稍后再试。") % {"error": error or _("无应答")},)
    return ()


def _status(check: JointPunishmentCheck) -> JointPunishmentStatus:
    return JointPunishmentStatus(state=check.state, lists=tuple(check.lists or ()), checked_at=check.checked_at,
                                 error=check.error, check_id=check.pk,
                                 reasons=_reasons(check.state, check.lists or (), check.error))


def joint_punishment_status(subject) -> JointPunishmentStatus:
    """Is ``subject`` on a joint-punishment list (联合惩戒名单)? Asks the platform (or reuses a recent answer)."""
    if not conf.platform_url():
        return JointPunishmentStatus(state=NOT_CONNECTED)
    now = timezone.now()
    recent = (JointPunishmentCheck.objects.filter(subject=subject, checked_at__gte=now - timedelta(seconds=conf.platform_max_age()))
              .exclude(state=JointPunishmentCheck.State.UNAVAILABLE).order_by("-checked_at", "-pk").first())
    if recent is not None:
        return _status(recent)
    try:
        answer = _ask(subject)
    except exchange.ConnectorError as exc:
        log.warning("joint-punishment query failed: %s", type(exc).__name__)
        check = JointPunishmentCheck.objects.create(subject=subject, state=JointPunishmentCheck.State.UNAVAILABLE,
                                                    error=str(exc)[:300], checked_at=now)
        return _status(check)
    answer = answer or {}
    lists = [
        {"name": str(item.get("name", ""))[:100], "agency": str(item.get("agency", ""))[:100],
         "until": str(item.get("until", ""))[:20]}
        for item in answer.get("lists", []) if isinstance(item, dict)
    ]
    state = JointPunishmentCheck.State.LISTED if answer.get("listed") else JointPunishmentCheck.State.CLEAR
    check = JointPunishmentCheck.objects.create(subject=subject, state=state, lists=lists, checked_at=now)
    return _status(check)


def joint_punishment_reasons(subject) -> tuple:
    """The refusal reasons (Chinese) from the platform's answer: empty when clear or not connected."""
    return joint_punishment_status(subject).reasons


def last_check_before(subject, moment):
    """The check a decision made at ``moment`` relied on (the latest one at or before it)."""
    return (JointPunishmentCheck.objects.filter(subject=subject, checked_at__lte=moment)
            .order_by("-checked_at", "-pk").first())
