"""§二(五): the notification, the letter and verification planning read one promise; high-risk is always checked."""

import pytest

from catalog.models import CertificationMatter, verification_promise
from commitments.models import Commitment
from verification import services
from verification.models import SpotCheckPoolEntry, VerificationPolicy, VerificationTask

pytestmark = pytest.mark.django_db


def _lawyer_record(catalogue):
    return CertificationMatter.objects.get(catalogue=catalogue, name="无犯罪记录证明")


def test_high_risk_matter_is_checked_for_an_a_level_applicant_even_at_zero_sampling(catalogue, service, clerk, citizen):
    CertificationMatter.objects.filter(pk=_lawyer_record(catalogue).pk).update(high_risk=True)
    VerificationPolicy.objects.filter(level="A").update(sample_percent=0)
    from .factories import accepted_application

    application = accepted_application(service, clerk, citizen)
    plan = services.plan_application(application.pk)
    assert plan.credit_level == "A"
    task = VerificationTask.objects.get(application=application)
    assert task.matter.name == "无犯罪记录证明" and task.method == "data_sharing"
    assert not SpotCheckPoolEntry.objects.filter(application=application, matter__name="无犯罪记录证明").exists()
    assert Commitment.objects.get(application=application, matter__name="无犯罪记录证明").state == "signed"


def test_the_letter_prints_the_same_promise_planning_acts_on(catalogue, service, clerk, citizen):
    matter = _lawyer_record(catalogue)
    CertificationMatter.objects.filter(pk=matter.pk).update(
        high_risk=True, verification_standard="以公安机关违法犯罪记录为准")
    matter.refresh_from_db()
    from .factories import accepted_application

    application = accepted_application(service, clerk, citizen)
    letter = Commitment.objects.get(application=application, matter__name="无犯罪记录证明")
    promise = verification_promise(matter)
    assert letter.notification["verification_promise"] == promise["text"]
    assert "受理后10个工作日内通过数据共享核查进行核查" in promise["text"]
    assert "每份承诺均予核查" in promise["text"] and "以公安机关违法犯罪记录为准" in promise["text"]
    assert promise["always"] and not promise["exempt"]


def test_only_an_exempt_matter_promises_no_check(catalogue):
    exempt = CertificationMatter.objects.get(catalogue=catalogue, name="学历证明")
    assert verification_promise(exempt)["exempt"]
    assert "免予核查" in verification_promise(exempt)["text"]
    assert "免予核查" not in verification_promise(_lawyer_record(catalogue))["text"]


def test_a_pooled_commitment_never_shows_the_citizen_exempt(accepted, client, citizen):
    VerificationPolicy.objects.filter(level="A").update(sample_percent=0)
    services.plan_application(accepted.pk)
    pooled = Commitment.objects.get(application=accepted, matter__name="无犯罪记录证明")
    assert pooled.state == "signed"
    assert pooled.public_state_label == "已受理，按本事项核查办法处理"
    client.force_login(citizen)
    page = client.get(f"/applications/{accepted.pk}/").content.decode()
    assert "已受理，按本事项核查办法处理" in page
    assert "纳入抽查" not in page
