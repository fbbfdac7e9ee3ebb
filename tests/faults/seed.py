"""Data for the fault stack, made through the services (run as ``python -m tests.faults.seed`` with its env).

One city department with a published catalogue: 律师执业核准 needs one matter a citizen can
commit to (a short letter); 大型活动备案 needs one whose negative list is long (a letter of many
pages, slow enough to kill a worker while it renders). Citizens and staff share tests/factories'
password. ``--pool N`` adds N proof-path entries to the spot-check pool of a plan that draws
every entry (a run long enough to kill a worker in the middle). Prints one line of JSON.
"""

import argparse
import json
import os

import django


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--citizens", type=int, default=0)
    parser.add_argument("--pool", type=int, default=0)
    parser.add_argument("--catalogue", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.faults.settings")
    django.setup()
    from django.db import transaction

    out = {}
    with transaction.atomic():
        if args.catalogue:
            out.update(catalogue())
        if args.citizens:
            out["citizens"] = citizens(args.citizens)
        if args.pool:
            out.update(pool(args.pool))
    print(json.dumps(out, ensure_ascii=False))


def _agencies():
    from portal.models import Agency
    from tests.factories import AgencyFactory

    city = AgencyFactory(code="610100", name="西安市人民政府", kind=Agency.Kind.CITY_GOVERNMENT)
    justice = AgencyFactory(code="610100-SFJ", name="西安市司法局", kind=Agency.Kind.JUSTICE_BUREAU, parent=city)
    agency = AgencyFactory(code="610100-RSJ", name="西安市人力资源和社会保障局", parent=city)
    return city, justice, agency


def catalogue():
    from catalog import services as catalog_services
    from catalog.models import AdministrativeService, NegativeListEntry
    from portal import roles, two_factor
    from tests.catalog.conftest import add_matter
    from tests.factories import StaffFactory
    from tests.faults.stack import OTP_KEY

    city, justice, agency = _agencies()
    editor = StaffFactory(username="editor", agency=agency, roles=[roles.CATALOGUE_EDITOR])
    reviewer = StaffFactory(username="reviewer", agency=justice, roles=[roles.JUSTICE_REVIEWER])
    approver = StaffFactory(username="approver", agency=city, roles=[roles.GOVERNMENT_APPROVER])
    StaffFactory(username="clerk", full_name="王敏", agency=agency, roles=[roles.WINDOW_CLERK])
    officer = StaffFactory(username="credit", full_name="周涛", agency=agency, roles=[roles.CREDIT_OFFICER])
    two_factor.demo_device(officer, OTP_KEY)  # a credit officer logs in with a second factor
    draft = catalog_services.start_version(actor=editor)
    add_matter(draft, "无犯罪记录证明")
    big = add_matter(draft, "场地安全承诺证明", service_name="大型活动备案")
    NegativeListEntry.objects.bulk_create(
        NegativeListEntry(matter=big, description=f"第{i}类情形：近三年内在本市举办的活动中发生过安全责任事故、"
                          f"被责令停业整顿或者列入严重失信主体名单，且尚未完成整改、信用修复或者期限未届满的")
        for i in range(1, 901)
    )
    published = catalog_services.submit(actor=editor, catalogue=draft)
    published = catalog_services.pass_review(actor=reviewer, catalogue=published)
    published = catalog_services.approve(actor=approver, catalogue=published)
    published = catalog_services.publish(actor=approver, catalogue=published)
    services = {s.name: s.pk for s in AdministrativeService.objects.filter(agency=agency)}
    return {"service": services["律师执业核准"], "big_service": services["大型活动备案"], "agency": agency.pk}


def citizens(n):
    from portal.models import User
    from tests.factories import CitizenFactory, resident_id

    start = User.objects.filter(username__startswith="faults-").count()
    made = [CitizenFactory(username=f"faults-{start + i:04d}", full_name=f"演练{start + i}", mobile=f"137{start + i:08d}",
                           subject__id_number=resident_id(1000 + start + i)) for i in range(n)]
    return [[u.username, u.full_name] for u in made]


def pool(n):
    """N accepted proof-path requirements in the spot-check pool, and a plan drawing them all monthly."""
    import uuid

    from django.utils import timezone

    from catalog.models import AdministrativeService, CertificationMatter
    from commitments.models import Application, Requirement
    from portal import roles
    from portal.models import Agency, Subject, User
    from tests.factories import StaffFactory, SubjectFactory, resident_id
    from verification.models import SpotCheckPlan, SpotCheckPoolEntry

    agency = Agency.objects.get(code="610100-RSJ")
    service = AdministrativeService.objects.get(agency=agency, name="律师执业核准")
    matter = CertificationMatter.objects.filter(service=service, catalogue__state="published").first()
    clerk = User.objects.get(username="clerk")
    first = 3000 + Subject.objects.count()
    subjects = [SubjectFactory(id_number=resident_id(first + i)) for i in range(20)]
    now = timezone.now()
    apps = Application.objects.bulk_create(
        Application(number=f"BJ-POOL-{uuid.uuid4().hex[:12]}", service=service, agency=agency,
                    subject=subjects[i % len(subjects)], channel=Application.Channel.WINDOW, filed_by=clerk,
                    state="approved", decision_number=f"西人社许〔2026〕{i}号", submitted_at=now, accepted_at=now,
                    concluded_at=now, due_date=now.date())
        for i in range(n)
    )
    reqs = Requirement.objects.bulk_create(Requirement(application=a, matter=matter, seq=1, mode="proof") for a in apps)
    SpotCheckPoolEntry.objects.bulk_create(
        SpotCheckPoolEntry(requirement=r, application=r.application, subject=r.application.subject, agency=agency,
                           matter=matter, matter_key=matter.key, path=SpotCheckPoolEntry.Path.PROOF) for r in reqs
    )
    inspectors = [StaffFactory(username=f"inspector-{uuid.uuid4().hex[:6]}", agency=agency,
                               roles=[roles.INSPECTOR]) for _ in range(4)]
    plan = SpotCheckPlan.objects.create(name="故障演练抽查计划", owner=agency, ratio_permille=1000, minimum=1,
                                        frequency=SpotCheckPlan.Frequency.MONTHLY, inspectors_per_check=2)
    plan.agencies.set([agency])
    plan.inspectors.set(inspectors)
    return {"plan": plan.pk, "pool": SpotCheckPoolEntry.objects.filter(agency=agency).count()}


if __name__ == "__main__":
    main()
