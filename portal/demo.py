"""Demo data for the kernel: Xi'an agencies, one account per role, citizens and enterprises.

Idempotent: every row is found by its natural key before it is created.
"""

from django.conf import settings
from django.contrib.auth.models import Group
from django.utils import timezone

from portal import roles, two_factor
from portal.models import Agency, Subject, User

K, L = Agency.Kind, Agency.Level

# (code, name, kind, level, parent code)
AGENCIES = [
    ("610100", "西安市人民政府", K.CITY_GOVERNMENT, L.CITY, None),
    ("610100-SFJ", "西安市司法局", K.JUSTICE_BUREAU, L.CITY, "610100"),
    ("610100-SPJ", "西安市行政审批服务局", K.DEPARTMENT, L.CITY, "610100"),
    ("610100-SJJ", "西安市数据局", K.DEPARTMENT, L.CITY, "610100"),
    ("610100-GXJ", "西安市工业和信息化局", K.DEPARTMENT, L.CITY, "610100"),
    ("610100-GAJ", "西安市公安局", K.DEPARTMENT, L.CITY, "610100"),
    ("610100-RSJ", "西安市人力资源和社会保障局", K.DEPARTMENT, L.CITY, "610100"),
    ("610100-MZJ", "西安市民政局", K.DEPARTMENT, L.CITY, "610100"),
    ("610100-SCJ", "西安市市场监督管理局", K.DEPARTMENT, L.CITY, "610100"),
    ("610100-JYJ", "西安市教育局", K.DEPARTMENT, L.CITY, "610100"),
    ("610100-WJW", "西安市卫生健康委员会", K.DEPARTMENT, L.CITY, "610100"),
    ("610100-FGW", "西安市发展和改革委员会", K.DEPARTMENT, L.CITY, "610100"),
    ("610100-YJJ", "西安市应急管理局", K.DEPARTMENT, L.CITY, "610100"),
    ("610100-RKZX", "西安市人事考试中心", K.DEPARTMENT, L.CITY, "610100-RSJ"),
    ("610100-12345", "西安市12345市民热线服务中心", K.DEPARTMENT, L.CITY, "610100"),
    ("610100-GXQ", "西安高新技术产业开发区管理委员会", K.DEV_ZONE, L.CITY, "610100"),
    ("610100-JKQ", "西安经济技术开发区管理委员会", K.DEV_ZONE, L.CITY, "610100"),
    ("610100-XXXQ", "西咸新区管理委员会", K.NEW_AREA, L.CITY, "610100"),
    ("610102", "西安市新城区人民政府", K.DISTRICT_GOVERNMENT, L.COUNTY, "610100"),
    ("610103", "西安市碑林区人民政府", K.DISTRICT_GOVERNMENT, L.COUNTY, "610100"),
    ("610104", "西安市莲湖区人民政府", K.DISTRICT_GOVERNMENT, L.COUNTY, "610100"),
    ("610112", "西安市未央区人民政府", K.DISTRICT_GOVERNMENT, L.COUNTY, "610100"),
    ("610113", "西安市雁塔区人民政府", K.DISTRICT_GOVERNMENT, L.COUNTY, "610100"),
    ("610116", "西安市长安区人民政府", K.DISTRICT_GOVERNMENT, L.COUNTY, "610100"),
    ("610113-SFJ", "西安市雁塔区司法局", K.JUSTICE_BUREAU, L.COUNTY, "610113"),
    ("610113-SPJ", "西安市雁塔区行政审批服务局", K.DEPARTMENT, L.COUNTY, "610113"),
    ("610113-SCJ", "西安市雁塔区市场监督管理局", K.DEPARTMENT, L.COUNTY, "610113"),
    ("610113-RSJ", "西安市雁塔区人力资源和社会保障局", K.DEPARTMENT, L.COUNTY, "610113"),
    ("610113-XZL", "西安市雁塔区小寨路街道办事处", K.TOWNSHIP, L.TOWNSHIP, "610113"),
    ("610116-MZJ", "西安市长安区民政局", K.DEPARTMENT, L.COUNTY, "610116"),
    ("610116-SFJ", "西安市长安区司法局", K.JUSTICE_BUREAU, L.COUNTY, "610116"),
    ("610100-XXXQ-SFJ", "西咸新区司法局", K.JUSTICE_BUREAU, L.CITY, "610100-XXXQ"),
]

# (username, full name, role, agency code)
STAFF = [
    ("clerk", "王敏（窗口）", roles.WINDOW_CLERK, "610100-SFJ"),
    ("verifier", "李强（核查）", roles.VERIFIER, "610100-SFJ"),
    ("inspector", "赵刚（现场检查）", roles.INSPECTOR, "610100-SFJ"),
    ("editor", "陈静（清单编制）", roles.CATALOGUE_EDITOR, "610100-RSJ"),
    ("reviewer", "刘洋（司法局审核）", roles.JUSTICE_REVIEWER, "610100-SFJ"),
    ("approver", "孙丽（市政府审批）", roles.GOVERNMENT_APPROVER, "610100"),
    # Case work stays in one's own agency (portal.scope): the demo's credit officer sits in the 司法局 with
    # the clerk, verifier and inspector, so the records their false-commitment findings make are hers.
    ("credit", "周涛（信用管理）", roles.CREDIT_OFFICER, "610100-SFJ"),
    ("operator", "吴芳（12345话务）", roles.COMPLAINTS_OPERATOR, "610100-12345"),
    ("supervisor", "郑华（督查）", roles.SUPERVISOR, "610100"),
    # §三: the second lead agency (市行政审批服务局) — window service standards, one-time notices, follow-up
    ("standards", "高洁（行政审批服务局）", roles.SERVICE_STANDARDS_OFFICER, "610100-SPJ"),
    ("yanta_clerk", "冯磊（雁塔区窗口）", roles.WINDOW_CLERK, "610113-SPJ"),
    ("yanta_editor", "许婷（雁塔区清单编制）", roles.CATALOGUE_EDITOR, "610113-SCJ"),
    ("yanta_approver", "何军（雁塔区政府审批）", roles.GOVERNMENT_APPROVER, "610113"),
    # §二(一) 本级审核批准: the district's own justice bureau reviews the district's lists.
    ("yanta_reviewer", "杜鹃（雁塔区司法局审核）", roles.JUSTICE_REVIEWER, "610113-SFJ"),
    ("yanta_supervisor", "马超（雁塔区督查）", roles.SUPERVISOR, "610113"),
]

# (username/mobile, name, resident ID)
CITIZENS = [
    ("13800000001", "张伟", "610113198805203217"),
    ("13800000002", "李娜", "610103199203154827"),
    ("13800000003", "王建国", "610116197509080018"),
    ("13800000004", "刘秀英", "610102196011110029"),
]
# Not yet verified (实名认证): shows the flow; the exchange simulator knows 陈明 as 610112198709030014.
UNVERIFIED = ("13800000009", "陈明")
# (username/mobile, enterprise, USCC, legal representative, contact)
ENTERPRISES = [
    ("13900000001", "西安秦川软件科技有限公司", "91610131MA6UQ1234U", "赵国栋", "钱晓燕"),
    ("13900000002", "陕西长安律师事务所", "31610000MD0146751C", "孙正义", "孙正义"),
]


def seed(stdout=None) -> list[tuple[str, str, str]]:
    """Create the demo rows; return the demo logins as (username, password, description)."""
    password = settings.DEMO_PASSWORD
    agencies = {}
    for code, name, kind, level, parent in AGENCIES:
        agencies[code], _created = Agency.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "level": level, "parent": agencies.get(parent)}
        )
    logins = []
    admin, created = User.objects.get_or_create(
        username="admin", defaults={"full_name": "系统管理员", "is_staff": True, "is_superuser": True}
    )
    if created:
        admin.set_password(password)
        admin.save()
    demo_key = two_factor.secret_base32(two_factor.demo_device(admin))  # each 2FA account gets the demo authenticator
    logins.append(("admin", password, "系统管理员（/admin/）" + two_factor.DEMO_NOTE))
    for username, full_name, role, agency_code in STAFF:
        user = _account(username, full_name, password, agency=agencies[agency_code])
        user.groups.add(Group.objects.get(name=role))
        note = ""
        if role in roles.TWO_FACTOR_ROLES:
            two_factor.demo_device(user)
            note = two_factor.DEMO_NOTE
        logins.append((username, password, f"{roles.ROLES[role].label} · {agencies[agency_code].name}{note}"))
    if stdout is not None:
        stdout.write(
            "双因素认证（演示）：信用管理、政府审批和系统管理员账号登录时还需6位动态验证码。\n"
            "  查看当前验证码：make otp LOGIN=<账号>（例如 approver、credit、admin）\n"
            f"  或在验证器应用中手动添加密钥：{demo_key}\n"
        )
    for mobile, name, id_number in CITIZENS:
        subject = _subject(Subject.Kind.PERSON, name, id_number, contact_phone=mobile)
        user = _account(mobile, name, password, mobile=mobile, subject=subject)
        _proofed(user, subject, "online")
        user.groups.add(Group.objects.get(name=roles.APPLICANT))
        logins.append((mobile, password, f"个人申请人 · {name}"))
    mobile, name = UNVERIFIED
    user = _account(mobile, name, password, mobile=mobile)
    user.groups.add(Group.objects.get(name=roles.APPLICANT))
    logins.append((mobile, password, f"个人申请人 · {name}（未实名认证，演示认证流程）"))
    for mobile, name, uscc, legal, contact in ENTERPRISES:
        subject = _subject(
            Subject.Kind.ORGANISATION, name, uscc, legal_representative=legal, contact_name=contact, contact_phone=mobile
        )
        user = _account(mobile, contact, password, mobile=mobile, subject=subject)
        _proofed(user, subject, "legal_representative")
        user.groups.add(Group.objects.get(name=roles.APPLICANT))
        logins.append((mobile, password, f"企业申请人 · {name}"))
    return logins


def _account(username, full_name, password, **fields) -> User:
    user, created = User.objects.get_or_create(username=username, defaults={"full_name": full_name, **fields})
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    return user


def _proofed(user, subject, method):
    """The demo accounts are bound as if proofed (the simulator's population includes them), so demo logins work."""
    if user.identity_verified_at is None:
        user.subject, user.identity_verified_at, user.identity_method = subject, timezone.now(), method
        user.save(update_fields=["subject", "identity_verified_at", "identity_method"])


def _subject(kind, name, number, **fields) -> Subject:
    existing = Subject.objects.by_identifier(kind, number).first()
    if existing:
        return existing
    return Subject.objects.create(kind=kind, name=name, id_number=number, **fields)
