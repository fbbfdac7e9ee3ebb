"""Rows for supervision figures, built directly so that each test knows the right answer.

The apps' services are tested in their own folders; here we need exact states and dates
(a task concluded one day late, a ticket rated unsatisfied in March…), so rows are created
with the ORM, honouring every database constraint. ``*_row`` functions return unsaved
instances for ``bulk_create`` (the benchmark uses them).
"""

import datetime
import hashlib
import itertools

from django.utils import timezone

from catalog.models import AdministrativeService, Catalogue, CertificationMatter
from commitments.models import Application, Commitment, Requirement
from complaints.models import Ticket
from credit.models import CreditRepair, DishonestyRecord, Objection
from tests.factories import CitizenFactory, StaffFactory
from verification.models import (
    AssistanceRequest,
    SpotCheckItem,
    SpotCheckPlan,
    SpotCheckPoolEntry,
    SpotCheckRun,
    VerificationTask,
)

_n = itertools.count(1)
HASH = hashlib.sha256(b"supervision").hexdigest()


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_current_timezone())


def catalogue(agency, *, allowed: int = 1, excluded: tuple[str, ...] = (), field: str = "legal_service"):
    """A published catalogue with ``allowed`` matters under the commitment system and one excluded per category."""
    submitter, approver = StaffFactory(agency=agency), StaffFactory(agency=agency)
    now = timezone.now()
    cat = Catalogue.objects.create(
        agency=agency, version=1, state="published", route="city", approving_agency=agency,
        oversight_government=agency, submitted_by=submitter, submitted_at=now, approved_by=approver,
        approved_at=now, published_at=now,
    )
    service = AdministrativeService.objects.create(
        name=f"办理事项{next(_n)}", code=f"S{next(_n)}", kind="licensing", agency=agency)
    matters = []
    for seq in range(1, allowed + 1):
        matters.append(CertificationMatter.objects.create(
            catalogue=cat, seq=seq, name=f"证明{next(_n)}", service=service, field=field, legal_basis_name="某法",
            requesting_agency=agency, exercise_level="city"))
    for offset, category in enumerate(excluded, start=allowed + 1):
        CertificationMatter.objects.create(
            catalogue=cat, seq=offset, name=f"证明{next(_n)}", service=service, field=field,
            legal_basis_name="某法", requesting_agency=agency, exercise_level="city", commitment_allowed=False,
            exclusion_category=category, exclusion_reason="涉及安全，不能以承诺代替。")
    return cat, matters


class Case:
    """One applicant's accepted application at ``agency`` for ``matter``, for hanging commitments and tasks on."""

    def __init__(self, agency, matter, *, submitted: datetime.datetime, citizen=None, state="accepted"):
        self.citizen = citizen or CitizenFactory()
        self.application = _save(application_row(agency, matter.service, self.citizen, submitted, state=state))
        self.requirement = Requirement.objects.create(application=self.application, matter=matter, seq=1, mode="commit")
        self.matter = matter
        self.agency = agency

    @property
    def parts(self):
        return self.application, self.requirement, self.matter, self.citizen


def _save(instance):
    instance.save()
    return instance


def application_row(agency, service, citizen, submitted, state="accepted") -> Application:
    extra = {"accepted_at": submitted} if state in ("accepted", "approved") else {}
    if state == "approved":
        extra.update(decision_number="决定1号", concluded_at=submitted)
    return Application(
        number=f"BJ{next(_n):010d}", service=service, agency=agency, subject=citizen.subject,
        applicant_user=citizen, channel="online", state=state, submitted_at=submitted, **extra,
    )


def commitment_row(case_or_parts, *, signed: datetime.datetime, state="signed") -> Commitment:
    application, requirement, matter, citizen = case_or_parts
    row = Commitment(
        requirement=requirement, application=application, agency_id=application.agency_id, matter=matter,
        letter_number=f"CN{next(_n):012d}",
        state=state, matter_name=matter.name, service_name="办理事项", agency_name="机关", catalogue_version=1,
        notification={}, notification_text="告知承诺书全文", signer_user=citizen, signer_name="张伟",
        signer_relation="self", subject_name="张伟", subject_id_masked="610***********123X", method="online",
        signed_at=signed, content_hash=HASH,
    )
    if state == "withdrawn":
        row.withdrawn_at, row.withdrawal_reason = signed, "改为提交证明"
    return row


def commitment(case: Case, *, signed: datetime.datetime, state="signed") -> Commitment:
    return _save(commitment_row(case.parts, signed=signed, state=state))


def task_row(parts, agency, *, due: datetime.date, concluded: datetime.datetime | None = None,
             result="true", origin="plan") -> VerificationTask:
    application, requirement, matter, citizen = parts
    done = {"state": "concluded", "result": result, "concluded_at": concluded} if concluded else {"state": "open"}
    return VerificationTask(
        agency=agency, application=application, requirement=requirement, subject=citizen.subject, matter=matter,
        method="data_sharing", origin=origin, due_date=due, **done,
    )


def task(case: Case, *, due: datetime.date, concluded: datetime.datetime | None = None, result="true",
         origin="plan") -> VerificationTask:
    return _save(task_row(case.parts, case.agency, due=due, concluded=concluded, result=result, origin=origin))


def assistance(task_obj, to_agency, *, sent: datetime.datetime, due: datetime.date, state="pending",
               answered: datetime.datetime | None = None, on_time: bool | None = None) -> AssistanceRequest:
    sender = StaffFactory(agency=task_obj.agency)
    request = AssistanceRequest.objects.create(
        task=task_obj, number=f"XC{next(_n):010d}", from_agency=task_obj.agency, to_agency=to_agency,
        question="请核实", state=state, sent_by=sender, due_date=due, answered_at=answered,
        answered_on_time=on_time, answer="confirmed" if state == "answered" else "",
        refusal_reason="不属于本机关职责" if state == "refused" else "",
    )
    AssistanceRequest.objects.filter(pk=request.pk).update(sent_at=sent)
    return request


def pool_entry(case: Case, *, added: datetime.datetime, drawn: bool = False) -> SpotCheckPoolEntry:
    entry = SpotCheckPoolEntry.objects.create(
        requirement=case.requirement, application=case.application, subject=case.citizen.subject,
        agency=case.agency, matter=case.matter, matter_key=case.matter.key, path="proof",
    )
    SpotCheckPoolEntry.objects.filter(pk=entry.pk).update(added_at=added)
    if drawn:
        plan = SpotCheckPlan.objects.create(name=f"抽查计划{next(_n)}", owner=case.agency)
        run = SpotCheckRun.objects.create(plan=plan, period=f"P{next(_n)}", seed=1, pool_max_id=entry.pk,
                                          pool_size=1, sample_size=1)
        SpotCheckItem.objects.create(run=run, entry=entry)
    return entry


def ticket(agency, *, created: datetime.datetime, replied_on_time: bool | None = None, rating: str = "",
           kind="complaint") -> Ticket:
    operator = StaffFactory(agency=agency)
    day = created.date()
    fields = {
        "number": f"GD{next(_n):010d}", "lookup_hash": HASH, "kind": kind, "channel": "12345",
        "entered_by": operator, "title": "反映问题", "content": "窗口仍要求提交已承诺的证明",
        "agency": agency, "assigned_at": created, "sign_due": day, "reply_due": day + datetime.timedelta(days=10),
        "contact_name": "张伟", "contact_phone": "13800000001",
    }
    if replied_on_time is None:
        fields["state"] = "assigned"
    else:
        fields.update(state="closed" if rating else "replied", signed_at=created, signed_on_time=True,
                      reply="已答复", replied_at=created, replied_on_time=replied_on_time)
        if rating:
            fields.update(rating=rating, rated_at=created, closed_at=created)
    obj = Ticket.objects.create(**fields)
    Ticket.objects.filter(pk=obj.pk).update(created_at=created)
    return obj


def record(agency, *, decided: datetime.date, severity="general", subject=None) -> DishonestyRecord:
    subject = subject or CitizenFactory().subject
    return DishonestyRecord.objects.create(
        subject=subject, kind="other", basis="其他失信行为", severity=severity, decision_number=f"XY{next(_n)}",
        decision_date=decided, deciding_agency=agency, facts="事实", publicity_months=6,
        publicity_end=decided + datetime.timedelta(days=180), repair_allowed_on=decided, bars_commitment=False,
        mandatory_onsite=False, blacklisted=False,
    )


def repair(record_obj, *, submitted: datetime.datetime, due: datetime.date, decided: datetime.datetime | None = None,
           model=CreditRepair):
    applicant = CitizenFactory()
    values = {"record": record_obj, "applicant": applicant, "due_on": due}
    if model is CreditRepair:
        values.update(rectification="已整改", commitment_text="守信承诺")
    else:
        values.update(reasons="记录有误")
    if decided is not None:
        values.update(status="approved" if model is CreditRepair else "maintained", decided_at=decided,
                      decision_reason="经审查")
    obj = model.objects.create(**values)
    model.objects.filter(pk=obj.pk).update(submitted_at=submitted)
    return obj


def objection(record_obj, **kwargs):
    return repair(record_obj, model=Objection, **kwargs)


def busy_year(parent, year: int, last_month: int, seed: int = 7) -> list:
    """Several departments with different performance, month by month (for screenshots and browser tests)."""
    import random

    from tests.factories import AgencyFactory

    rng = random.Random(seed)
    names = [("RSJ", "西安市人力资源和社会保障局", 0.95), ("SCJ", "西安市市场监督管理局", 0.7),
             ("GAJ", "西安市公安局", 0.88), ("JYJ", "西安市教育局", 0.6), ("MZJ", "西安市民政局", 0.98),
             ("SFJ2", "西安市司法局公共法律服务处", 0.82)]
    agencies = []
    excluded_pool = ("public_safety", "ecology", "life_health_property", "financial_supervision", "state_secrets")
    for i, (code, name, quality) in enumerate(names):
        agency = AgencyFactory(code=f"{parent.code}-{code}", name=name, parent=parent)
        _cat, matters = catalogue(agency, allowed=3 + i, excluded=excluded_pool[: i % 4])
        agencies.append(agency)
        last = None
        for month in range(1, last_month + 1):
            for k in range(rng.randint(2, 5)):
                day = datetime.date(year, month, 1 + (k * 5) % 27)
                case = Case(agency, matters[k % len(matters)], submitted=at(day))
                if rng.random() < 0.3:
                    continue  # this applicant submitted the proof instead
                state = "verified" if rng.random() < 0.9 else "found_false"
                commitment(case, signed=at(day), state=state)
                due = day + datetime.timedelta(days=10)
                late = rng.random() > quality
                last = task(case, due=due, concluded=at(due + datetime.timedelta(days=3 if late else -2)),
                            result="false" if state == "found_false" else "true")
            if agencies[:-1] and last is not None:
                asked, sent = agencies[month % (len(agencies) - 1)], at(datetime.date(year, month, 3))
                hours = rng.choice([4, 20, 30, 70])
                assistance(last, asked, sent=sent, due=sent.date() + datetime.timedelta(days=2), state="answered",
                           answered=sent + datetime.timedelta(hours=hours), on_time=hours < 48)
            ticket(agency, created=at(datetime.date(year, month, 12)), replied_on_time=rng.random() < quality,
                   rating="satisfied" if rng.random() < quality else "not_satisfied")
        record(agency, decided=datetime.date(year, 1 + i % last_month, 15),
               severity=("minor", "general", "serious")[i % 3])
    return agencies
