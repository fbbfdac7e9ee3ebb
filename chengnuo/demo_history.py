"""A demo with history: twelve months of applications, checks, complaints and credit events.

The supervision dashboard draws a bar per month; a demo made in one afternoon showed a single bar.
This module replays the past through the real services: for each of the last twelve months it runs
the same calls a citizen, a clerk, a verifier, a credit officer and a complaints handler would make,
with ``django.utils.timezone.now`` set to that moment (``at()``). Every row, deadline, audit entry and
message therefore carries its historic time, and timelines read as they would have happened. Steps
that would fall after "now" are left undone, so recent items are still in progress.

Deterministic: each month's items come from ``random.Random`` seeded with the month (``2026-03``), so
a month always produces the same items; dates are relative to today. Idempotent: an item is found
again by its form token, ticket title or decision number before it is made. The history applicants are
extra accounts (``13800000101``…), so the README's demo logins keep their own small, readable story.

Composition (imports every app); runs last in ``seed_demo``.
"""

import datetime
import random
import uuid
from contextlib import contextmanager

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from stdnum.cn import ric, uscc

from commitments import selectors as commitment_selectors
from commitments import services as commitments
from commitments.letters import STATEMENTS
from commitments.models import Application, Commitment, CommitmentsError
from complaints import services as complaints
from complaints.models import Channel, ComplaintsError, Kind, Rating, Ticket, Topic
from credit import services as credit
from credit.models import DishonestyRecord
from credit.services import CreditError
from portal import roles, workdays
from portal.demo import CITIZENS as DEMO_CITIZENS
from portal.models import Agency, Message, Subject, User
from verification import services as verification
from verification.models import AssistanceRequest, VerificationError, VerificationTask

SEED = "chengnuo-demo-history-v1"
MONTHS = 12
NS = uuid.UUID("6d1b3f0e-2c7a-4a55-9a51-0c0ffee00019")
DEMO_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
REFUSED = (CommitmentsError, VerificationError, CreditError, ComplaintsError)

# (mobile/username, name, birth date): the history's applicants, Xi'an residents.
APPLICANTS = [
    ("13800000101", "陈明", "19850312"), ("13800000102", "杨帆", "19900725"), ("13800000103", "黄丽", "19881109"),
    ("13800000104", "周杰", "19790203"), ("13800000105", "吴静", "19930618"), ("13800000106", "徐强", "19820930"),
]
# One per calendar month: whoever is found to have committed falsely that month (then barred, so never twice).
DISHONEST = ["郭涛", "林峰", "何敏", "高洁", "罗斌", "梁艳", "宋健", "谢芳", "韩冰", "唐磊", "冯雪", "董亮"]
# Enterprises with records entered by officers (no account: they only appear in the credit figures).
ENTERPRISES = [("西安渭水商贸有限公司", "91610103MA6W"), ("西安曲江餐饮管理有限公司", "91610113MA6X"),
               ("陕西秦岭建材有限公司", "91610116MA6Y")]
SERVICES = ["律师执业核准", "基层法律服务工作者执业核准", "公证员执业任命", "司法鉴定人执业登记"]
SEVERITIES = ["minor", "general", "general", "major", "serious"]
CONSULTATIONS = [
    ("告知承诺书签了以后还能撤回吗", "我已经签署了告知承诺书，后来找到了证明原件，还能撤回承诺改交证明吗？"),
    ("无犯罪记录证明可以承诺代替吗", "申请基层法律服务工作者执业核准，无犯罪记录证明能否用告知承诺代替？"),
    ("承诺不实会有什么后果", "如果承诺的内容与事实不符，会受到什么处理？会影响以后办事吗？"),
    ("企业可以代员工签署承诺书吗", "单位为员工集体办理资格认定，能否由单位统一签署告知承诺书？"),
]
COMPLAINTS = [
    ("窗口仍要求提供已承诺的证明", "已在网上签署告知承诺书，到窗口后工作人员仍要求提供社区出具的证明。"),
    ("办件超过承诺时限仍未办结", "办件受理已经一个多月，仍显示审查中，电话询问无人答复。"),
    ("一次性告知后又要求补充材料", "按一次性告知书补齐材料后，窗口又要求补充新的材料。"),
]


@contextmanager
def at(moment: datetime.datetime):
    """Run the services as if it were ``moment``: ``timezone.now()`` (and so auto timestamps, ``localdate()``
    and every working-day deadline) answers that time, a second later on each call to keep the order."""
    real = timezone.now
    clock = [moment]

    def now():
        clock[0] += datetime.timedelta(seconds=1)
        return clock[0]

    timezone.now = now
    try:
        yield
    finally:
        timezone.now = real


class Month:
    """One past month: its random streams and the moments of its events.

    Each item draws from its own stream (``stream("ticket", 2)``), so what one item does (or, on a rerun,
    skips) never changes what the next one draws: the same month always yields the same items.
    """

    def __init__(self, first: datetime.date, now: datetime.datetime):
        self.first, self.now = first, now
        self.key = f"{first:%Y-%m}"

    def stream(self, *name) -> random.Random:
        return random.Random(":".join([SEED, self.key, *map(str, name)]))  # noqa: S311 - demo data, reproducible by design  # nosec B311

    def moment(self, rng, day: int, hour: int | None = None) -> datetime.datetime:
        last = (self.first + relativedelta(months=1) - datetime.timedelta(days=1)).day
        date = self.first.replace(day=min(day, last))
        return timezone.make_aware(datetime.datetime.combine(
            date, datetime.time(hour if hour is not None else rng.randint(9, 16), rng.randint(0, 59))))

    def later(self, rng, moment: datetime.datetime, workdays_after: int, hour: int | None = None):
        """``workdays_after`` working days after ``moment``, in office hours; None if that is still to come."""
        date = workdays.add_workdays(timezone.localtime(moment).date(), workdays_after)
        when = timezone.make_aware(datetime.datetime.combine(
            date, datetime.time(hour if hour is not None else rng.randint(9, 16), rng.randint(0, 59))))
        return when if when < self.now else None

    def token(self, n) -> uuid.UUID:
        return uuid.uuid5(NS, f"{self.key}:{n}")


def _resident_id(area: str, birth: str, seq: int) -> str:
    body = f"{area}{birth}{seq:03d}"
    return body + ric.calc_check_digit(body)


def _uscc(prefix: str, n: int) -> str:
    body = f"{prefix}{n:05d}".ljust(17, "0")[:17]
    return body + uscc.calc_check_digit(body)


def _person(mobile, name, birth, n) -> User:
    user = User.objects.filter(username=mobile).first()
    if user is None:
        number = _resident_id(("610113", "610103", "610116", "610112")[n % 4], birth, 101 + n * 2)
        subject = Subject.objects.by_identifier(Subject.Kind.PERSON, number).first() or Subject.objects.create(
            kind=Subject.Kind.PERSON, name=name, id_number=number, contact_phone=mobile)
        # Bound as if proofed at a window (实名认证), as the demo's own citizens are: unbound accounts see nothing.
        user = User.objects.create(username=mobile, full_name=name, mobile=mobile, subject=subject,
                                   identity_verified_at=timezone.now(), identity_method="counter")
        user.set_password(settings.DEMO_PASSWORD)
        user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name=roles.APPLICANT))
    return user


def _people() -> list[User]:
    return [_person(mobile, name, birth, n) for n, (mobile, name, birth) in enumerate(APPLICANTS)]


def _dishonest(month: datetime.date) -> User:
    n = month.month - 1
    return _person(f"138000002{n + 1:02d}", DISHONEST[n], f"19{80 + n}0{1 + n % 9}15", 40 + n)


def _services() -> list:
    found = {}
    for s in commitment_selectors.online_services():
        if s.name in SERVICES and s.agency.code == "610100-SFJ":
            found[s.name] = s
    return [found[name] for name in SERVICES if name in found]


class History:
    def __init__(self, stdout=None):
        self.stdout = stdout
        self.now = timezone.now() - datetime.timedelta(hours=1)
        self.staff = {u.username: u for u in User.objects.filter(
            username__in=["clerk", "verifier", "credit", "operator", "gaj_verifier"])}
        self.agencies = {a.code: a for a in Agency.objects.filter(code__in=["610100-SFJ", "610100-GAJ", "610100-SCJ"])}
        self.made = {"applications": 0, "tickets": 0, "records": 0}

    def ready(self) -> bool:
        return len(self.staff) == 5 and len(self.agencies) == 3

    def run(self) -> dict:
        people, services = _people(), _services()
        if not services:
            return self.made
        today = timezone.localdate()
        for back in range(MONTHS - 1, -1, -1):
            month = Month(today.replace(day=1) - relativedelta(months=back), self.now)
            self.applications(month, people, services)
            self.tickets(month, people)
            self.records(month)
        for pk in Commitment.objects.filter(letter_file="").values_list("pk", flat=True):
            commitments.letter_pdf(pk)  # the worker would; the demo pages should not wait for it
        # The history's applicants read their old messages long ago; the last month's are still new.
        Message.objects.filter(user__in=User.objects.filter(username__startswith="1380000"), read_at__isnull=True,
                               created_at__lt=self.now - datetime.timedelta(days=30)).exclude(
            user__username__in=[c[0] for c in DEMO_CITIZENS]).update(read_at=F("created_at") + datetime.timedelta(days=1))
        return self.made

    # --- applications, their checks and decisions ------------------------------------------------------
    def applications(self, month: Month, people, services):
        plan = month.stream("plan")
        count = plan.randint(2, 3)
        false_one = plan.random() < 0.35  # about one month in three has a false commitment
        existing = set(Application.objects.filter(client_token__in=[month.token(i) for i in range(count)])
                       .values_list("client_token", flat=True))
        for i in range(count):
            rng = month.stream("application", i)
            false = false_one and i == 0
            user = _dishonest(month.first) if false else rng.choice(people)
            service = rng.choice(services)
            # The first item of a month starts early, so its check usually falls due in the same month.
            start = min(month.moment(rng, rng.randint(1, 7) if i == 0 else rng.randint(1, 20)),
                        self.now - datetime.timedelta(hours=3))
            if month.token(i) in existing:
                continue
            try:
                with transaction.atomic():
                    self._application(month, rng, user, service, start, month.token(i), false=false, first=i == 0)
            except REFUSED as exc:  # the history moves on; the item is tried again on the next run
                if self.stdout is not None:
                    self.stdout.write(f"  历史演示：{month.key} 跳过一件（{exc}）")

    def _application(self, month, rng, user, service, start, token, false=False, first=False):
        clerk = self.staff["clerk"]
        with at(start):
            application, created = commitments.start_online(user=user, service_id=service.pk, token=token)
            if not created:
                return
            self.made["applications"] += 1
            signed = False
            for req in application.requirements.select_related("matter").order_by("seq"):
                if not signed and not req.proof_only and req.matter.commitment_allowed:
                    confirmations = [True] * (len(STATEMENTS) + (1 if req.matter.negative_entries.exists() else 0))
                    commitments.sign_online(user=user, application_pk=application.pk, requirement_pk=req.pk,
                                            full_name=user.full_name, password=settings.DEMO_PASSWORD,
                                            confirmations=confirmations)
                    signed = True
                else:
                    from django.core.files.uploadedfile import SimpleUploadedFile

                    commitments.upload_proof(user=user, application_pk=application.pk, requirement_pk=req.pk,
                                             upload=SimpleUploadedFile("证明.pdf", DEMO_PDF))
            commitments.submit(user=user, application_pk=application.pk)
        accepted = month.later(rng, start, 1, hour=10)
        if accepted is None:
            return
        with at(accepted):
            commitments.accept(clerk=clerk, application_pk=application.pk)
            verification.plan_application(application.pk)
        task = VerificationTask.objects.filter(application=application).order_by("pk").first()
        # Credit level A draws only a fifth of commitments for a check; a tip brings in more, so that every
        # month has checks to show.
        if task is None and (false or first or rng.random() < 0.4):
            task = self._report(month, rng, user, application, accepted)
        concluded = accepted
        if task is not None:
            concluded = self._check(month, rng, task, accepted, false)
            if concluded is None:
                return
        decided = month.later(rng, concluded, rng.randint(1, 3))
        if decided is None or false:
            return
        with at(decided):
            if rng.random() < 0.9:
                commitments.approve(clerk=clerk, application_pk=application.pk,
                                    decision_number=f"西司许〔{decided.year}〕{rng.randint(100, 999)}号")
            else:
                commitments.deny(clerk=clerk, application_pk=application.pk, reason="申请人不符合执业年限要求。")

    def _report(self, month, rng, user, application, accepted):
        """A tip (举报) about the commitment: the complaints desk refers it to verification."""
        commitment = Commitment.objects.filter(application=application).first()
        when = month.later(rng, accepted, 1)
        if commitment is None or when is None:
            return None
        reporter = User.objects.get(username=rng.choice([a[0] for a in APPLICANTS if a[0] != user.username]))
        with at(when):
            ticket, _code = complaints.file_ticket(
                kind=Kind.REPORT, channel=Channel.PORTAL, requester=reporter, topic=Topic.FALSE_COMMITMENT,
                title=f"承诺内容疑似不实（{commitment.letter_number}）",
                content="公示的告知承诺内容与我了解的情况不一致，请核查。", commitment_ref=commitment.letter_number)
            complaints.open_verification_for_report(ticket, actor=self.staff["operator"])
            self.made["tickets"] += 1
            self._answer_ticket(month, rng, ticket, when, text="您好！您举报的情况已转核查部门依法核查，感谢您的监督。")
        return VerificationTask.objects.filter(application=application).order_by("pk").first()

    def _check(self, month, rng, task, accepted, false):
        verifier = self.staff["verifier"]
        claimed = month.later(rng, accepted, rng.randint(1, 2))
        if claimed is None:
            return None
        with at(claimed):
            verification.claim(user=verifier, task_id=task.pk)
        if rng.random() < 0.4:  # ask 公安局 to confirm (协查), answered on time or a little late
            with at(claimed):
                request = verification.send_assistance(user=verifier, task_id=task.pk, to_agency=self.agencies["610100-GAJ"],
                                                       question="请协助核实申请人户籍信息及有无违法犯罪记录。")
            answered = month.later(rng, claimed, rng.choice([1, 2, 2, 3, 5]))
            if answered is None:
                return None
            with at(answered):
                verification.reply_assistance(
                    user=self.staff["gaj_verifier"], request_id=request.pk,
                    answer=AssistanceRequest.Answer.DENIED if false else AssistanceRequest.Answer.CONFIRMED,
                    text="经查询人口信息管理系统，" + ("与承诺内容不符。" if false else "与承诺内容一致。"))
            claimed = answered
        # Most checks end within their deadline; one in six runs late (the on-time rate is not always 100 %).
        due = VerificationTask.objects.values_list("due_date", flat=True).get(pk=task.pk)
        if rng.random() < 0.17:
            day = workdays.add_workdays(due, rng.randint(1, 3))
        else:
            day = min(workdays.add_workdays(timezone.localtime(claimed).date(), rng.randint(1, 4)), due)
        concluded = timezone.make_aware(datetime.datetime.combine(day, datetime.time(15, rng.randint(0, 59))))
        if concluded >= self.now:
            return None
        with at(concluded):
            if false:
                verification.conclude(
                    user=verifier, task_id=task.pk, result="false", conclusion="协查回复与承诺内容不符，承诺不实。",
                    disposition={"terminate": True, "severity": rng.choice(["minor", "general"]),
                                 "decision_number": f"西司核〔{concluded.year}〕{concluded.month * 10 + 1}号",
                                 "legal_basis": "《中华人民共和国行政许可法》第六十九条",
                                 "document_number": f"西司终〔{concluded.year}〕{concluded.month * 10 + 1}号"})
                self.made["records"] += 1
            else:
                verification.conclude(user=verifier, task_id=task.pk, result="true",
                                      conclusion="经数据共享比对和协查，承诺内容属实。")
        if false:
            self._object(month, rng, task, concluded)
        return concluded

    def _object(self, month, rng, task, concluded):
        """The subject objects to the finding; the credit officer answers, usually within the deadline."""
        record = DishonestyRecord.objects.filter(subject_id=task.subject_id).order_by("-pk").first()
        account = User.objects.filter(subject_id=task.subject_id).first()
        raised = month.later(rng, concluded, 2)
        if record is None or account is None or raised is None or record.status != "active":
            return
        with at(raised):
            objection = credit.raise_objection(record=record, applicant=account,
                                               reasons="协查所依据的户籍信息有误，已申请户籍更正，请重新认定。")
        decided = month.later(rng, raised, rng.choice([4, 6, 8, 12]))
        if decided is None:
            return
        with at(decided):
            credit.decide_objection(objection, officer=self.staff["credit"], outcome="maintained",
                                    reason="经复核，原认定事实清楚、证据充分，维持原认定。")

    # --- consultations and complaints -------------------------------------------------------------------
    def tickets(self, month: Month, people):
        for i in range(month.stream("tickets").randint(1, 3)):
            rng = month.stream("ticket", i)
            complaint = rng.random() < 0.4
            title, content = rng.choice(COMPLAINTS if complaint else CONSULTATIONS)
            user = rng.choice(people)
            filed = min(month.moment(rng, rng.randint(1, 24)), self.now - datetime.timedelta(hours=2))
            if Ticket.objects.filter(title=title, requester=user, created_at__date=timezone.localtime(filed).date()).exists():
                continue
            with at(filed):
                ticket, _code = complaints.file_ticket(
                    kind=Kind.COMPLAINT if complaint else Kind.CONSULTATION, channel=Channel.PORTAL, requester=user,
                    title=title, content=content, topic=Topic.PROOF_DEMAND if complaint else Topic.POLICY,
                    about_agency=self.agencies["610100-SFJ"], contact_name=user.full_name, contact_phone=user.mobile,
                    publish_consent=not complaint)
            self.made["tickets"] += 1
            self._answer_ticket(month, rng, ticket, filed)

    def _answer_ticket(self, month, rng, ticket, filed, text=None):
        clerk = self.staff["clerk"]
        signed = month.later(rng, filed, 1)
        if signed is None:
            return
        with at(signed):
            complaints.sign_for(actor=clerk, ticket_pk=ticket.pk)
        replied = month.later(rng, signed, rng.choice([1, 1, 1, 2, 2, 7]))  # 7: after the reply deadline
        if replied is None:
            return
        with at(replied):
            complaints.reply(actor=clerk, ticket_pk=ticket.pk, text=text or (
                "您好！经核实，已按告知承诺制要求整改，窗口不再要求提供已承诺的证明。感谢您的监督。"
                if ticket.kind == Kind.COMPLAINT else
                "您好！该事项已纳入告知承诺制清单，您可以选择签署告知承诺书代替证明。感谢您的咨询。"))
        rated = month.later(rng, replied, rng.randint(1, 3))
        if rated is None or ticket.requester_id is None:
            return
        with at(rated):
            satisfied = rng.random() < 0.85
            complaints.rate(ticket_pk=ticket.pk, actor=ticket.requester,
                            rating=Rating.SATISFIED if satisfied else Rating.NOT_SATISFIED,
                            comment="" if satisfied else "答复没有说明何时整改到位。")

    # --- records entered by the credit officer ----------------------------------------------------------
    def records(self, month: Month):
        rng = month.stream("record")
        if rng.random() < 0.25:
            return
        name, prefix = rng.choice(ENTERPRISES)
        number = f"西市监罚〔{month.first.year}〕{month.first.month * 10 + 3}号"
        decided = month.moment(rng, rng.randint(2, 25))
        if decided >= self.now or DishonestyRecord.objects.filter(decision_number=number).exists():
            return
        code = _uscc(prefix, ENTERPRISES.index((name, prefix)) + 1)
        with at(decided):
            subject = credit.ensure_subject(Subject.Kind.ORGANISATION, name, code)
            credit.enter_record(
                subject=subject, kind=DishonestyRecord.Kind.OTHER, severity=rng.choice(SEVERITIES),
                decision_number=number, decision_date=timezone.localdate(), deciding_agency=self.agencies["610100-SCJ"],
                facts="企业年度报告公示信息隐瞒真实情况、弄虚作假。", basis="《企业信息公示暂行条例》第十条",
                actor=self.staff["credit"])
        self.made["records"] += 1


def seed(stdout=None):
    history = History(stdout)
    if not history.ready():
        if stdout is not None:
            stdout.write("历史演示数据：缺少演示机关或工作人员账号，跳过。")
        return []
    made = history.run()
    if stdout is not None and any(made.values()):
        stdout.write(f"历史演示数据（近 {MONTHS} 个月）：新增办件 {made['applications']} 件，工单 {made['tickets']} 件，"
                     f"失信记录 {made['records']} 条。")
    return []
