"""Demo applications with signed commitments and stored letters. Idempotent: fixed tokens per demo case.

Runs after ``catalog.demo`` and ``credit.demo``: it uses their published matters and the kernel's
demo citizens and clerk. Missing prerequisites are skipped with a note.
"""

import uuid

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.models import Subject, User

from . import selectors, services
from .letters import STATEMENTS
from .models import Application, Commitment

NS = uuid.UUID("6d1b3f0e-2c7a-4a55-9a51-0c0ffee00005")
DEMO_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _token(name):
    return uuid.uuid5(NS, name)


def _service(name, agency_code):
    for s in selectors.online_services():
        if s.name == name:
            service, matters = selectors.public_service(s.pk)
            if service.agency.code == agency_code:
                return service
    return None


def _sign_all(application, user, witness=None):
    """Sign every matter that allows it through the public signing services, as the applicant would online or
    as the clerk would at the window (demo accounts all use settings.DEMO_PASSWORD)."""
    application = Application.objects.select_related("subject", "agency").get(pk=application.pk)
    for req in application.requirements.select_related("matter"):
        if req.proof_only or req.commitments.exists() or req.proofs.exists():
            continue
        confirmations = [True] * (len(STATEMENTS) + (1 if req.matter.negative_entries.exists() else 0))
        if witness is None:
            services.sign_online(user=user, application_pk=application.pk, requirement_pk=req.pk,
                                 full_name=user.get_full_name(), password=settings.DEMO_PASSWORD,
                                 confirmations=confirmations)
        else:
            services.sign_at_window(clerk=witness, application_pk=application.pk, requirement_pk=req.pk,
                                    signer_name=application.subject.name, relation=Commitment.Relation.SELF,
                                    clerk_password=settings.DEMO_PASSWORD, identity_checked=True,
                                    confirmations=confirmations)


def _upload_rest(application, user):
    for req in application.requirements.all():
        if req.proof_only and not req.proofs.exists():
            services.upload_proof(user=user, application_pk=application.pk, requirement_pk=req.pk,
                                  upload=SimpleUploadedFile("证明.pdf", DEMO_PDF))


def seed(stdout=None):
    clerk = User.objects.filter(username="clerk").first()
    citizen = User.objects.filter(username="13800000001").first()
    other = User.objects.filter(username="13800000002").first()
    service = _service("律师执业核准", "610100-SFJ")
    if not (clerk and citizen and other and service):
        if stdout:
            stdout.write("commitments.demo: 缺少演示机关、账号或已公布的“律师执业核准”清单，跳过。")
        return []
    # 1. 张伟: online, committed to every allowed matter, proofs for the rest, accepted (letters stored).
    app, created = services.start_online(user=citizen, service_id=service.pk, token=_token("zhangwei-lawyer"))
    if created:
        _sign_all(app, citizen)
        _upload_rest(app, citizen)
        services.submit(user=citizen, application_pk=app.pk)
        services.accept(clerk=clerk, application_pk=app.pk)
    # 2. 李娜: online draft with her commitments signed, not yet submitted.
    app2, created = services.start_online(user=other, service_id=service.pk, token=_token("lina-lawyer"))
    if created:
        _sign_all(app2, other)
    # 3. A walk-in at the window, signed on screen; proofs still missing → one-time notice.
    walk_in = Subject.objects.by_identifier(Subject.Kind.PERSON, "610102196011110029").first()
    if walk_in is not None:
        app3, created = services.file_at_window(clerk=clerk, subject=walk_in, service_id=service.pk,
                                                token=_token("window-liuxiuying"))
        if created:
            # 刘秀英 has a minor record (credit.demo): under §二(二) she brings every proof instead of committing.
            if selectors.eligibility_for(walk_in).allowed:
                _sign_all(app3, clerk, witness=clerk)
            services.submit(user=clerk, application_pk=app3.pk)
            if selectors.missing_items(app3):
                services.issue_notice(clerk=clerk, application_pk=app3.pk, note="请携带身份证原件。")
    for pk in Commitment.objects.filter(letter_file="").values_list("pk", flat=True):
        services.letter_pdf(pk)
    if stdout:
        stdout.write(f"commitments.demo: {Application.objects.count()} 个办件，{Commitment.objects.count()} 份告知承诺书。")
    return []
