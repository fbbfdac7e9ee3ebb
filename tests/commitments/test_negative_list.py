"""§二(二) 告知承诺制负面清单 as rules: subject conditions the portal checks, questions asked before signing."""

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.models import NegativeListEntry
from commitments import services
from commitments.models import Commitment, CommitmentsError, Requirement
from credit import services as credit
from tests.factories import PASSWORD

from .conftest import confirmations_for

pytestmark = pytest.mark.django_db
QUESTION = "曾因故意犯罪受过刑事处罚的"


def _entry(matters, name, **fields):
    return NegativeListEntry.objects.create(matter=matters[name], **fields)


def _sign_form(client, application, req):
    """Open the sign page; return its URL and the fields a browser would send back (token and hidden state)."""
    url = reverse("commitments:sign", args=[application.pk, req.pk])
    html = client.get(url).content.decode()
    import re

    seen = re.search(r'name="negative_seen" value="([^"]*)"', html).group(1)
    data = {
        "state": application.state,
        "full_name": "张伟",
        "password": PASSWORD,
        "negative_seen": seen,
        **{f"statement_{i}": "on" for i in range(len(confirmations_for(req)))},
    }
    return url, html, data


def test_the_sign_page_asks_each_question_and_an_answer_no_is_kept_in_the_letter(
    client, citizen, start, matters
):
    a = start(citizen)
    req = a.requirements.get(matter__name="无犯罪记录证明")
    entry = matters["无犯罪记录证明"].negative_entries.get()
    client.force_login(citizen)
    url, html, data = _sign_form(client, a, req)
    assert f"申请事项是否涉及：{QUESTION}？" in html
    response = client.post(url, data)
    assert "请回答此问题（是或否）。" in response.content.decode()
    assert not Commitment.objects.filter(application=a).exists()
    data[f"negative_{entry.pk}"] = "no"
    assert client.post(url, data).status_code == 302
    c = Commitment.objects.get(application=a)
    assert c.notification["negative_checks"][0]["detail"] == "申请人回答：否"
    assert f"负面清单核对：申请事项是否涉及：{QUESTION}？（申请人回答：否）" in c.notification_text


def test_answering_yes_routes_the_matter_to_proof_with_the_entry_quoted(client, citizen, start, matters):
    a = start(citizen)
    req = a.requirements.get(matter__name="无犯罪记录证明")
    entry = matters["无犯罪记录证明"].negative_entries.get()
    client.force_login(citizen)
    url, _html, data = _sign_form(client, a, req)
    data[f"negative_{entry.pk}"] = "yes"
    data.pop("password")  # no signature is needed to say “是”
    response = client.post(url, data, follow=True)
    html = response.content.decode()
    assert not Commitment.objects.filter(application=a).exists()
    req = Requirement.objects.get(pk=req.pk)
    assert req.proof_only and req.mode == "proof" and f"不适用的情形：{QUESTION}" in req.proof_reason
    assert req.negative_answers[0]["applies"] is True
    assert "须提交证明" in html and QUESTION in html
    # Signing afterwards is refused, with the same reason.
    with pytest.raises(CommitmentsError, match=QUESTION):
        services.sign_online(
            user=citizen,
            application_pk=a.pk,
            requirement_pk=req.pk,
            full_name="张伟",
            password=PASSWORD,
            confirmations=confirmations_for(req),
        )


def test_a_subject_condition_sends_the_matter_to_proof_on_every_page(client, citizen, start, matters):
    _entry(
        matters,
        "完全民事行为能力证明",
        kind="subject",
        description="已满18周岁、应由本人到场核验的申请人",
        rule="age_at_least",
        number=18,
    )
    a = start(citizen)
    req = a.requirements.get(matter__name="完全民事行为能力证明")
    client.force_login(citizen)
    page = client.get(reverse("commitments:application", args=[a.pk])).content.decode()
    assert "已满18周岁、应由本人到场核验的申请人" in page and "现年" in page
    assert reverse("commitments:sign", args=[a.pk, req.pk]) not in page
    with pytest.raises(CommitmentsError, match="已满18周岁、应由本人到场核验的申请人"):
        services.sign_online(
            user=citizen,
            application_pk=a.pk,
            requirement_pk=req.pk,
            full_name="张伟",
            password=PASSWORD,
            confirmations=confirmations_for(req),
        )
    start_page = client.get(reverse("commitments:start") + f"?service={a.service_id}").content.decode()
    assert "不能承诺的原因：属于本证明事项告知承诺制负面清单" in start_page


def test_a_condition_that_starts_to_apply_after_the_page_opened_refuses_the_signature(
    client, citizen, start, matters
):
    a = start(citizen)
    req = a.requirements.get(matter__name="完全民事行为能力证明")
    client.force_login(citizen)
    url, _html, data = _sign_form(client, a, req)
    # Meanwhile the (draft-only) list is checked again: here the condition now applies to this applicant.
    _entry(
        matters,
        "完全民事行为能力证明",
        kind="subject",
        description="已满18周岁的申请人",
        rule="age_at_least",
        number=18,
    )
    html = client.post(url, data).content.decode()
    assert "打开签署页后情况发生了变化，未签署告知承诺书" in html and "已满18周岁的申请人" in html
    assert not Commitment.objects.filter(application=a).exists()


def test_subject_kind_condition_tells_enterprises_apart(enterprise_user, citizen, matters):
    from commitments import negative_list

    matter = matters["完全民事行为能力证明"]
    _entry(
        matters,
        "完全民事行为能力证明",
        kind="subject",
        description="企业申请人",
        rule="subject_kind",
        subject_kind="enterprise",
    )
    assert negative_list.conditions_met(negative_list.evaluate(enterprise_user.subject, matter))
    assert not negative_list.conditions_met(negative_list.evaluate(citizen.subject, matter))


def test_a_false_commitment_for_the_same_matter_bars_only_that_matter(accepted, citizen, matters):
    from commitments import negative_list

    c = Commitment.objects.get(application=accepted, matter__name="无犯罪记录证明")
    services.conclude_commitment(commitment_pk=c.pk, outcome="found_false")
    same = matters["无犯罪记录证明"]
    other = matters["完全民事行为能力证明"]
    for m in (same, other):
        _entry(
            matters,
            m.name,
            kind="subject",
            description="曾就本证明事项作出虚假承诺的申请人",
            rule="false_commitment",
            number=3,
        )
    met = negative_list.conditions_met(negative_list.evaluate(citizen.subject, same))
    assert met and c.letter_number in met[0].detail
    assert not negative_list.conditions_met(negative_list.evaluate(citizen.subject, other))


def test_the_dishonesty_condition_quotes_the_credit_record(citizen, matters, agency):
    from commitments import negative_list

    _entry(
        matters, "完全民事行为能力证明", kind="subject", description="有失信记录的申请人", rule="dishonesty"
    )
    credit.enter_record(
        subject=citizen.subject,
        kind="other",
        basis="《企业信息公示暂行条例》",
        severity="minor",
        decision_number="西市监信〔2026〕3号",
        decision_date=timezone.localdate(),
        deciding_agency=agency,
        facts="逾期未年报",
    )
    met = negative_list.conditions_met(
        negative_list.evaluate(citizen.subject, matters["完全民事行为能力证明"])
    )
    assert met and "西市监信〔2026〕3号" in met[0].detail and met[0].bars


def test_the_window_clerk_asks_the_questions_too(client, clerk, citizen, service, matters):
    import uuid

    a, _ = services.file_at_window(
        clerk=clerk, subject=citizen.subject, service_id=service.pk, token=uuid.uuid4()
    )
    req = a.requirements.get(matter__name="无犯罪记录证明")
    entry = matters["无犯罪记录证明"].negative_entries.get()
    client.force_login(clerk)
    url = reverse("commitments:desk_sign", args=[a.pk, req.pk])
    assert f"申请事项是否涉及：{QUESTION}？" in client.get(url).content.decode()
    client.post(url, {"state": a.state, f"negative_{entry.pk}": "yes"})
    req = Requirement.objects.get(pk=req.pk)
    assert req.proof_only and QUESTION in req.proof_reason


def test_another_citizen_cannot_route_someone_elses_requirement(other_citizen, citizen, start, matters):
    a = start(citizen)
    req = a.requirements.get(matter__name="无犯罪记录证明")
    entry = matters["无犯罪记录证明"].negative_entries.get()
    with pytest.raises(CommitmentsError):
        services.route_to_proof(
            actor=other_citizen, application_pk=a.pk, requirement_pk=req.pk, negative_answers={entry.pk: True}
        )
    assert not Requirement.objects.get(pk=req.pk).proof_only


def test_the_matter_page_shows_the_bound_citizen_their_own_answer(client, citizen, matters, agency):
    matter = matters["完全民事行为能力证明"]
    url = reverse("catalog:matter", args=[matter.pk])
    assert "能否以告知承诺方式办理本证明" not in client.get(url).content.decode()  # anonymous
    client.force_login(citizen)
    html = client.get(url).content.decode()
    assert "能否以告知承诺方式办理本证明" in html and "您可以签署告知承诺书代替本证明" in html
    record = credit.enter_record(
        subject=citizen.subject,
        kind="other",
        basis="《企业信息公示暂行条例》",
        severity="minor",
        decision_number="西市监信〔2026〕9号",
        decision_date=timezone.localdate(),
        deciding_agency=agency,
        facts="逾期未年报",
    )
    html = client.get(url).content.decode()
    assert "暂不适用告知承诺制" in html and "西市监信〔2026〕9号" in html
    assert reverse("credit:my_record", args=[record.pk]) in html
    client.logout()
    assert "西市监信〔2026〕9号" not in client.get(url).content.decode()  # the kept page has nobody's answer


def test_the_letter_pdf_prints_each_negative_list_check(citizen, start, sign, matters):
    from commitments import letters
    from tests.portal.test_pdf_fonts import pdf_text

    _entry(
        matters,
        "无犯罪记录证明",
        kind="subject",
        description="未满18周岁的申请人",
        rule="age_below",
        number=18,
    )
    a = start(citizen)
    commitment = sign(citizen, a, "无犯罪记录证明")
    text = "".join(pdf_text(letters.render(commitment)).split())
    assert "负面清单核对" in text
    assert f"申请事项是否涉及：{QUESTION}？（申请人回答：否）" in text
    assert "未满18周岁的申请人" in text and "不属于" in text
