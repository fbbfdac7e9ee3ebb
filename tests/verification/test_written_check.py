"""书面核查: a matter whose list says 书面核查 is planned as a written check; the verifier reads the
submitted material, records what was read and found, and only then concludes."""

import pytest

from commitments.models import Commitment
from tests.refusals import refused
from tests.verification.factories import MATTERS, accepted_application, publish_catalogue, service_of
from verification import services
from verification.models import DocumentReview, VerificationError, VerificationTask

pytestmark = pytest.mark.django_db

WRITTEN = {**MATTERS, "执业经历证明": (["written"], 5)}


@pytest.fixture
def written_task(agency, justice_bureau, city_government, clerk, citizen, always_verify, verifier):
    catalogue = publish_catalogue(agency, justice_bureau, city_government, matters=WRITTEN)
    application = accepted_application(service_of(catalogue), clerk, citizen)
    services.plan_application(application.pk)
    task = VerificationTask.objects.get(application=application, matter__name="执业经历证明")
    return task


def test_a_written_check_matter_is_planned_as_a_written_check_task(written_task):
    assert written_task.method == "written"
    assert written_task.get_method_display() == "书面核查"
    assert written_task.state == "open" and written_task.due_date is not None


def test_the_verifier_records_the_desk_check_and_then_concludes(written_task, verifier):
    services.claim(user=verifier, task_id=written_task.pk)
    with refused("written_review_missing", VerificationError):
        services.conclude(user=verifier, task_id=written_task.pk, result="true", conclusion="材料一致")
    review = services.record_document_review(
        user=verifier, task_id=written_task.pk, materials="告知承诺书；律师事务所出具的执业经历说明",
        findings="执业经历起止时间与承诺一致，无涂改。", result="true")
    assert review.get_result_display() == "材料与承诺一致"
    task = services.conclude(user=verifier, task_id=written_task.pk, result="true", conclusion="书面审查材料与承诺一致")
    task.refresh_from_db()
    assert task.state == "concluded" and task.result == "true"
    assert [e["kind"] for e in task.evidence] == ["document_review"]
    assert Commitment.objects.get(pk=task.commitment_id).state == "verified"


def test_a_desk_check_needs_the_materials_findings_and_a_result(written_task, verifier):
    services.claim(user=verifier, task_id=written_task.pk)
    for kwargs, field in (({"materials": "", "findings": "x", "result": "true"}, "materials"),
                          ({"materials": "x", "findings": " ", "result": "true"}, "findings"),
                          ({"materials": "x", "findings": "x", "result": "maybe"}, "result")):
        with pytest.raises(VerificationError) as exc:
            services.record_document_review(user=verifier, task_id=written_task.pk, **kwargs)
        assert exc.value.field == field
    assert not DocumentReview.objects.exists()


def test_only_the_holder_records_a_desk_check(written_task, verifier, other_agency_verifier):
    from django.http import Http404

    with refused("not_claimed", VerificationError):
        services.record_document_review(user=verifier, task_id=written_task.pk, materials="a", findings="b",
                                         result="true")
    services.claim(user=verifier, task_id=written_task.pk)
    with pytest.raises(Http404):
        services.record_document_review(user=other_agency_verifier, task_id=written_task.pk, materials="a",
                                         findings="b", result="true")


def test_the_task_page_offers_the_desk_check_and_shows_its_record(client, written_task, verifier):
    services.claim(user=verifier, task_id=written_task.pk)
    client.force_login(verifier)
    page = client.get(f"/verification/tasks/{written_task.pk}/").content.decode()
    assert "书面核查（审查申请人提交的材料）" in page and "告知承诺书" in page
    response = client.post(f"/verification/tasks/{written_task.pk}/document-review/",
                           {"review-materials": "告知承诺书", "review-findings": "与承诺一致",
                            "review-result": "true"}, follow=True)
    body = response.content.decode()
    assert "已记录书面核查情况" in body and "与承诺一致" in body
    response = client.post(f"/verification/tasks/{written_task.pk}/document-review/",
                           {"review-materials": "告知承诺书", "review-findings": "",
                            "review-result": "true"})
    assert "请填写此项" in response.content.decode()


def test_the_queue_can_be_filtered_to_written_checks(client, written_task, verifier):
    client.force_login(verifier)
    body = client.get("/verification/queue/", {"method": "written"}).content.decode()
    other = VerificationTask.objects.get(application=written_task.application, method="data_sharing")
    assert f'id="task-{written_task.pk}"' in body and f'id="task-{other.pk}"' not in body
