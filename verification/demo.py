"""Demo data for verification: a second inspector, a 公安局 verifier who answers 协查函, a spot-check plan,
and a verification plan for every accepted demo application. Idempotent (natural keys, planning is idempotent).

Runs after ``commitments.demo`` (see ``portal/management/commands/seed_demo.py``). Data checks in the
demo talk to ``python manage.py run_exchange_simulator`` (VERIFICATION_EXCHANGE_URL, default port 8765).
"""

from django.conf import settings
from django.contrib.auth.models import Group

from portal import roles
from portal.models import Agency, User

from . import services
from .models import SpotCheckPlan

# (username, full name, role, agency code)
STAFF = [
    ("inspector2", "钱敏（现场检查）", roles.INSPECTOR, "610100-SFJ"),
    ("gaj_verifier", "孙伟（公安局协查）", roles.VERIFIER, "610100-GAJ"),
]
PLAN_NAME = "法律服务领域告知承诺事项“双随机、一公开”抽查"


def _account(username, full_name, role, agency, password):
    user, created = User.objects.get_or_create(username=username, defaults={"full_name": full_name, "agency": agency})
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    user.groups.add(Group.objects.get(name=role))
    return user


def seed(stdout=None) -> list[tuple[str, str, str]]:
    password = settings.DEMO_PASSWORD
    agencies = {a.code: a for a in Agency.objects.filter(code__in=["610100-SFJ", "610100-GAJ"])}
    if len(agencies) < 2:  # the kernel demo has not run
        return []
    logins = []
    for username, full_name, role, code in STAFF:
        _account(username, full_name, role, agencies[code], password)
        logins.append((username, password, f"{roles.ROLES[role].label} · {agencies[code].name}"))
    plan, created = SpotCheckPlan.objects.get_or_create(
        name=PLAN_NAME, defaults={"owner": agencies["610100-SFJ"], "ratio_permille": 100, "minimum": 1,
                                  "frequency": SpotCheckPlan.Frequency.MONTHLY, "inspectors_per_check": 2},
    )
    if created:
        plan.agencies.set([agencies["610100-SFJ"]])
        plan.inspectors.set(User.objects.filter(username__in=["inspector", "inspector2"]))
    planned = services.plan_unplanned(limit=1000)
    _make_sure_the_queue_has_work()
    if stdout is not None:
        stdout.write(f"核查：已为 {planned} 件已受理办件制定核查计划；数据共享核查请先运行 "
                     "python manage.py run_exchange_simulator")
    return logins


def _make_sure_the_queue_has_work():
    """Credit level A samples only a share of commitments, so the demo may plan no task at all.

    The demo then shows the other two ways work arrives: this month's spot check (双随机) of the
    pool, and a report (举报) about one pooled commitment — both idempotent.
    """
    from .models import SpotCheckPoolEntry, VerificationTask

    if VerificationTask.objects.exists():
        return
    services.run_due_spot_checks()
    entry = (SpotCheckPoolEntry.objects.filter(commitment__isnull=False).select_related("commitment")
             .order_by("pk").first())
    if entry is not None:
        services.open_task_for_report(entry.commitment, "演示：群众举报该承诺内容与实际不符", source="demo")
