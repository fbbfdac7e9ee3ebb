"""Every write on supervision notices (督查通报): draft, edit, approve, publish — each audited.

Who may do what is decided on the model (``portal.models.notices``): a supervisor drafts; a
government's supervisor or a government approver of the issuing agency's area approves, never
their own draft; the author or an approver publishes.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm

from portal import audit, roles, scope
from portal.figures import Period
from portal.models import Agency, NoticeAgency, SupervisionNotice

LATE_BELOW = 80.0  # an on-time rate below this names the agency for rectification
PRAISE_TOP = 3  # at most this many agencies praised, best ranks first,
PRAISE_FROM = 90.0  # and only with a score of at least this


class NoticeError(Exception):
    """A refused notice action; the message is shown to the user as it is."""


def _check_named(author, agency_ids) -> list[Agency]:
    covered = scope.supervision_scope(author)
    agencies = list(Agency.objects.filter(pk__in=agency_ids))
    if covered is None or any(not covered.covers(a.path) for a in agencies):
        raise NoticeError(_("只能点名本级及下级机关。"))
    return agencies


def _name(notice, praised, criticised) -> None:
    both = {a.pk for a in praised} & {a.pk for a in criticised}
    if both:
        raise NoticeError(_("同一机关不能既被表扬又被督促整改。"))
    notice.named.all().delete()
    NoticeAgency.objects.bulk_create(
        [NoticeAgency(notice=notice, agency=a, verdict=NoticeAgency.Verdict.PRAISED) for a in praised]
        + [NoticeAgency(notice=notice, agency=a, verdict=NoticeAgency.Verdict.CRITICISED) for a in criticised]
    )


@transaction.atomic
def draft(*, author, title, body, period: Period, praised=(), criticised=(), request=None) -> SupervisionNotice:
    if not (author.is_superuser or roles.has_role(author, roles.SUPERVISOR)) or author.agency_id is None:
        raise NoticeError(_("只有督查人员可以起草督查通报。"))
    praised_agencies = _check_named(author, [a.pk for a in praised])
    criticised_agencies = _check_named(author, [a.pk for a in criticised])
    notice = SupervisionNotice.objects.create(
        title=title.strip(), body=body.strip(), period_start=period.start, period_end=period.end,
        issuing_agency=author.agency, author=author,
    )
    _name(notice, praised_agencies, criticised_agencies)
    audit.record("supervision.notice_drafted", obj=notice, actor=author, to_state=notice.state,
                 summary=notice.title, request=request)
    return notice


@transaction.atomic
def edit(*, actor, notice: SupervisionNotice, title, body, period: Period, praised=(), criticised=(),
         request=None) -> SupervisionNotice:
    notice = SupervisionNotice.objects.select_for_update().get(pk=notice.pk)
    if notice.author_id != actor.pk or not notice.is_draft:
        raise NoticeError(_("只有起草人可以修改草稿。"))
    praised_agencies = _check_named(actor, [a.pk for a in praised])
    criticised_agencies = _check_named(actor, [a.pk for a in criticised])
    notice.title, notice.body = title.strip(), body.strip()
    notice.period_start, notice.period_end = period.start, period.end
    notice.save()
    _name(notice, praised_agencies, criticised_agencies)
    audit.record("supervision.notice_edited", obj=notice, actor=actor, summary=notice.title, request=request)
    return notice


def _step(actor, notice, method: str, stamp, refusal: str, request=None) -> SupervisionNotice:
    with transaction.atomic():
        notice = SupervisionNotice.objects.select_related("issuing_agency").get(pk=notice.pk)
        transition = getattr(notice, method)
        if not can_proceed(transition) or not has_transition_perm(transition, actor):
            raise NoticeError(refusal)
        before = notice.state
        transition(by=actor)
        stamp(notice)
        notice.save()
        audit.record(f"supervision.notice_{method}", obj=notice, actor=actor, from_state=before,
                     to_state=notice.state, summary=notice.title, request=request)
    return notice


def approve(*, actor, notice, request=None) -> SupervisionNotice:
    def stamp(n):
        n.approved_by, n.approved_at = actor, timezone.now()

    if actor.pk == notice.author_id:
        raise NoticeError(_("不能审核自己起草的通报。"))
    return _step(actor, notice, "approve", stamp,
                 _("只有政府的督查人员或政府审批人员可以审核本地区的草稿通报。"), request)


def publish(*, actor, notice, request=None) -> SupervisionNotice:
    def stamp(n):
        n.published_at = timezone.now()

    return _step(actor, notice, "publish", stamp, _("只有起草人或审核人员可以发布已审核的通报。"), request)


# --- drafting from the figures -----------------------------------------------------------------------
def suggestion(result: dict) -> dict:
    """A first draft from the figures: agencies to praise (best ranks) and to urge (late on something)."""
    rows = [r for r in result["rows"] if r["score"] is not None]
    criticised = [
        r for r in rows
        if any(r[name] is not None and r[name] < LATE_BELOW for name in ("verify_rate", "assist_rate", "reply_rate"))
    ]
    praised = sorted((r for r in rows if r not in criticised and r["score"] >= PRAISE_FROM),
                     key=lambda r: r["rank"])[:PRAISE_TOP]
    period = result["period"]
    lines = [_("%(start)s至%(end)s，%(scope)s证明事项告知承诺制落实情况通报如下。") % {
        "start": f"{period['start']:%Y年%-m月%-d日}", "end": f"{period['end']:%Y年%-m月%-d日}",
        "scope": result["scope"]["name"]}]
    totals = result["totals"]
    lines.append(_("一、总体情况：提交办件 %(a)s 件，签署告知承诺书 %(c)s 份，减少证明材料 %(p)s 份；"
                   "按时核查率 %(v)s，投诉咨询按时答复率 %(r)s。") % {
        "a": totals["applications"], "c": totals["commitments"], "p": totals["proofs_saved"],
        "v": _rate(totals["verify_rate"]), "r": _rate(totals["reply_rate"])})
    if praised:
        lines.append(_("二、工作成效突出、予以通报表扬的单位：%(names)s。") % {
            "names": "、".join(r["name"] for r in praised)})
    if criticised:
        details = []
        for r in criticised:
            late = [f"{lbl}{_rate(r[name])}" for name, lbl in (
                ("verify_rate", _("按时核查率")), ("assist_rate", _("协查按时回复率")),
                ("reply_rate", _("投诉按时答复率"))) if r[name] is not None and r[name] < LATE_BELOW]
            details.append(f"{r['name']}（{'，'.join(late)}）")
        lines.append(_("三、存在超期、需督促整改的单位：%(names)s。请上述单位在15个工作日内报送整改情况。") % {
            "names": "；".join(details)})
    return {
        "title": _("关于%(scope)s证明事项告知承诺制落实情况的通报") % {"scope": result["scope"]["name"]},
        "body": "\n".join(lines),
        "praised": [r["pk"] for r in praised],
        "criticised": [r["pk"] for r in criticised],
    }


def _rate(value) -> str:
    return _("暂无数据") if value is None else f"{value:.1f}%"
