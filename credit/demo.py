"""Demo credit data: a blacklisted subject with an objection in progress, one with a repair in progress,
and a minor record. Idempotent: each record is found by its decision number before it is made."""

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone

from portal import roles, two_factor
from portal.models import Agency, Subject, User

from . import services
from .models import DishonestyRecord

PROOF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

# (decision number, subject kind, ID number, kind, severity, months ago, agency code, facts, basis/ref)
RECORDS = [
    ("西人社罚〔2026〕15号", Subject.Kind.PERSON, "610116197509080018", DishonestyRecord.Kind.FALSE_COMMITMENT, "serious", 2,
     "610100-RSJ", "申领一次性抚恤金时承诺与死者存在亲属关系，经派出所协查，承诺内容不实。", "CN-DEMO-0001"),
    ("西司罚〔2025〕42号", Subject.Kind.ORGANISATION, "31610000MD0146751C", DishonestyRecord.Kind.FALSE_COMMITMENT, "serious", 14,
     "610100-SFJ", "申请律师事务所变更登记时承诺执业人员均无犯罪记录，经公安机关核查，承诺内容不实。", "CN-DEMO-0002"),
    ("西市监罚〔2026〕8号", Subject.Kind.PERSON, "610102196011110029", DishonestyRecord.Kind.OTHER, "minor", 1,
     "610100-SCJ", "个体工商户年度报告逾期未报送。", "《企业信息公示暂行条例》第八条"),
]


# Each deciding agency's credit officer handles its own records (portal.scope): 人社局's handles the objection.
RSJ_OFFICER = ("rsj_credit", "韩梅（人社局信用管理）", "610100-RSJ")


def _rsj_officer():
    username, full_name, code = RSJ_OFFICER
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        return None
    user, created = User.objects.get_or_create(username=username, defaults={"full_name": full_name, "agency": agency})
    if created:
        user.set_password(settings.DEMO_PASSWORD)
        user.save(update_fields=["password"])
    user.groups.add(Group.objects.get(name=roles.CREDIT_OFFICER))
    two_factor.demo_device(user)
    return user


def seed(stdout=None):
    today = timezone.localdate()
    officer = User.objects.filter(username="credit").first()
    rsj = _rsj_officer()
    logins = []
    if rsj is not None:
        logins.append((rsj.username, settings.DEMO_PASSWORD,
                       f"{roles.ROLES[roles.CREDIT_OFFICER].label} · {rsj.agency.name}{two_factor.DEMO_NOTE}"))
    for number, subject_kind, id_number, kind, severity, months, agency_code, facts, extra in RECORDS:
        if DishonestyRecord.objects.filter(decision_number=number).exists():
            continue
        subject = Subject.objects.by_identifier(subject_kind, id_number).first()
        agency = Agency.objects.filter(code=agency_code).first()
        if subject is None or agency is None:
            continue
        ref = {"commitment_ref": extra} if kind == DishonestyRecord.Kind.FALSE_COMMITMENT else {"basis": extra}
        record = services.enter_record(
            subject=subject, kind=kind, severity=severity, decision_number=number,
            decision_date=today - relativedelta(months=months), deciding_agency=agency, facts=facts,
            actor=rsj if (rsj is not None and agency.pk == rsj.agency_id) else officer, **ref,
        )
        account = subject.accounts.first()
        if account is None:
            continue
        if number == "西人社罚〔2026〕15号":
            services.raise_objection(record=record, applicant=account,
                                     reasons="本人与死者系叔侄关系，户籍资料登记有误，已申请更正，请重新核查。")
        elif number == "西司罚〔2025〕42号":
            services.apply_for_repair(
                record=record, applicant=account,
                rectification="已解除与涉事人员的劳动关系，完善了执业人员入职审查制度，并已向司法局提交真实材料。",
                uploads=[ContentFile(PROOF, name="整改报告.pdf")],
            )
    if stdout is not None:
        stdout.write("信用演示数据：黑名单 2 条（异议处理中 1 条、信用修复待审核 1 条），轻微失信 1 条。")
    return logins
