"""Views: access matrix (anonymous → login, wrong role → 403, foreign object → 404), forms, query counts."""

import re

import pytest
from django.urls import reverse

from commitments import services
from commitments.models import Application, Commitment, ProofDocument
from tests.commitments.conftest import EXE, PDF, upload
from tests.factories import PASSWORD, answer_negative_list_no, resident_id

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user)
    return client


def _token(page):
    return re.search(r'name="token" value="([0-9a-f-]+)"', page.content.decode()).group(1)


def citizen_urls(a):
    req = a.requirements.order_by("seq").first()
    c = a.commitments.first()
    return [
        reverse("commitments:my_applications"), reverse("commitments:start"),
        reverse("commitments:application", args=[a.pk]), reverse("commitments:sign", args=[a.pk, req.pk]),
        reverse("commitments:upload", args=[a.pk, req.pk]), reverse("commitments:withdraw", args=[a.pk]),
        reverse("commitments:withdraw_commitment", args=[a.pk, c.letter_number]),
    ]


def desk_urls(a):
    req = a.requirements.order_by("seq").first()
    return [
        reverse("commitments:desk"), reverse("commitments:desk_subject"),
        reverse("commitments:desk_application", args=[a.pk]), reverse("commitments:desk_sign", args=[a.pk, req.pk]),
        reverse("commitments:desk_upload", args=[a.pk, req.pk]),
    ]


def test_anonymous_is_sent_to_login_everywhere_but_public_pages(client, submitted):
    c = submitted.commitments.first()
    proof = ProofDocument.objects.first()
    private = citizen_urls(submitted) + desk_urls(submitted) + [
        reverse("commitments:letter_pdf", args=[c.letter_number]), reverse("commitments:proof", args=[proof.pk]),
    ]
    for url in private:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    assert client.get(reverse("commitments:publicity")).status_code == 200
    assert client.get(reverse("commitments:verify_letter", args=[c.letter_number])).status_code == 200


def test_wrong_role_gets_403(client, submitted, clerk, citizen, verifier):
    _login(client, clerk)
    for url in citizen_urls(submitted):
        assert client.get(url).status_code == 403, url
    _login(client, citizen)
    for url in desk_urls(submitted):
        assert client.get(url).status_code == 403, url
    _login(client, verifier)
    assert client.get(reverse("commitments:desk")).status_code == 403


def test_other_citizen_and_other_agency_get_404(client, submitted, other_citizen, other_agency_clerk):
    c = submitted.commitments.first()
    proof = ProofDocument.objects.first()
    _login(client, other_citizen)
    for url in citizen_urls(submitted)[2:]:
        assert client.get(url).status_code == 404, url
    for url in (reverse("commitments:letter_pdf", args=[c.letter_number]), reverse("commitments:proof", args=[proof.pk])):
        assert client.get(url).status_code == 404, url
    _login(client, other_agency_clerk)
    for url in desk_urls(submitted)[2:] + [reverse("commitments:letter_pdf", args=[c.letter_number])]:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("commitments:desk_action", args=[submitted.pk, "accept"])).status_code == 404


def test_citizen_starts_twice_with_one_form_and_gets_one_application(client, citizen, service):
    _login(client, citizen)
    page = client.get(reverse("commitments:start") + f"?service={service.pk}")
    assert "律师执业场所安全评估证明" in page.content.decode() and "涉及公共安全" in page.content.decode()
    token = _token(page)
    data = {"service": service.pk, "token": str(token)}
    first = client.post(reverse("commitments:start"), data)
    second = client.post(reverse("commitments:start"), data)
    assert first["Location"] == second["Location"]
    assert Application.objects.count() == 1


def test_sign_page_shows_full_notification_and_errors_beside_fields(client, citizen, start):
    a = start(citizen)
    req = a.requirements.get(matter__name="无犯罪记录证明")
    _login(client, citizen)
    url = reverse("commitments:sign", args=[a.pk, req.pk])
    html = client.get(url).content.decode()
    for text in ("证明内容", "不实承诺的法律责任", "核查权力和核查方式", "承诺公示", "曾因故意犯罪"):
        assert text in html
    response = client.post(url, {"state": "draft", "full_name": "李四", "password": PASSWORD})
    html = response.content.decode()
    assert response.status_code == 200 and "请阅读并勾选确认此项承诺" in html
    data = {"state": "draft", "full_name": "李四", "password": PASSWORD, **{f"statement_{i}": "on" for i in range(6)},
            **answer_negative_list_no(req.matter)}
    html = client.post(url, data).content.decode()
    assert "签署姓名须与账号实名信息一致" in html and 'id="error_1_id_full_name"' in html or "is-invalid" in html
    data["full_name"] = "张伟"
    response = client.post(url, data)
    assert response.status_code == 302
    assert Commitment.objects.filter(application=a).count() == 1


def _form_token(response):
    return re.search(r'name="form_token" value="([^"]+)"', response.content.decode()).group(1)


def test_double_clicked_sign_shows_the_new_letter_once_and_no_error(client, citizen, start):
    a = start(citizen)
    req = a.requirements.get(matter__name="无犯罪记录证明")
    _login(client, citizen)
    url = reverse("commitments:sign", args=[a.pk, req.pk])
    data = {"state": "draft", "full_name": "张伟", "password": PASSWORD, "form_token": _form_token(client.get(url)),
            **{f"statement_{i}": "on" for i in range(6)}, **answer_negative_list_no(req.matter)}
    first, second = client.post(url, data), client.post(url, data)
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    html = client.get(second["Location"]).content.decode()
    assert Commitment.objects.filter(application=a).count() == 1
    assert html.count("已签署《无犯罪记录证明》告知承诺书") == 1 and "状态已经变化" not in html


def test_submitting_twice_shows_one_banner(client, ready, citizen):
    _login(client, citizen)
    url = reverse("commitments:application", args=[ready.pk])
    data = {"state": "draft", "form_token": _form_token(client.get(url))}
    client.post(reverse("commitments:submit", args=[ready.pk]), data)
    client.post(reverse("commitments:submit", args=[ready.pk]), data)
    html = client.get(url).content.decode()
    assert html.count("办件已提交，请等待窗口受理。") == 1
    assert Application.objects.get(pk=ready.pk).state == "submitted"


def test_desk_accept_clicked_twice_accepts_once_without_an_error(client, submitted, clerk):
    _login(client, clerk)
    url = reverse("commitments:desk_application", args=[submitted.pk])
    data = {"state": "submitted", "form_token": _form_token(client.get(url))}
    for _i in range(2):
        client.post(reverse("commitments:desk_action", args=[submitted.pk, "accept"]), data)
    html = client.get(url).content.decode()
    assert html.count("已受理。") == 1 and "状态已经变化" not in html
    assert Application.objects.get(pk=submitted.pk).state == "accepted"


def test_crafted_post_for_an_excluded_matter_changes_nothing(client, citizen, start):
    a = start(citizen)
    req = a.requirements.get(matter__name="律师执业场所安全评估证明")
    _login(client, citizen)
    data = {"state": "draft", "full_name": "张伟", "password": PASSWORD, **{f"statement_{i}": "on" for i in range(6)}}
    response = client.post(reverse("commitments:sign", args=[a.pk, req.pk]), data)
    assert "不能以告知承诺方式办理" in response.content.decode()
    assert not Commitment.objects.exists()


def test_renamed_executable_is_refused_beside_the_field(client, citizen, start):
    a = start(citizen)
    req = a.requirements.get(matter__name="律师执业场所安全评估证明")
    _login(client, citizen)
    url = reverse("commitments:upload", args=[a.pk, req.pk])
    html = client.post(url, {"state": "draft", "file": upload("证明.pdf", EXE)}).content.decode()
    assert "不是 PDF、JPG 或 PNG 文件" in html and "invalid-feedback" in html
    assert not ProofDocument.objects.exists()
    assert client.post(url, {"state": "draft", "file": upload("证明.pdf", PDF)}).status_code == 302


def test_stale_submit_changes_nothing(client, submitted, citizen):
    _login(client, citizen)
    response = client.post(reverse("commitments:withdraw", args=[submitted.pk]), {"state": "draft", "reason": "x"})
    assert "状态已经变化" in response.content.decode()
    assert Application.objects.get(pk=submitted.pk).state == "submitted"


def test_letter_download_is_an_attachment_rendered_on_the_spot(client, submitted, citizen):
    c = submitted.commitments.first()
    assert not Commitment.objects.get(pk=c.pk).letter_file  # task not run (no commit in this test)
    _login(client, citizen)
    response = client.get(reverse("commitments:letter_pdf", args=[c.letter_number]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content.startswith(b"%PDF")
    assert Commitment.objects.get(pk=c.pk).letter_file


def test_letter_pdf_embeds_a_cjk_font_and_the_verification_link(submitted, tmp_path):
    from commitments import letters
    c = submitted.commitments.first()
    content = letters.render(c)
    (tmp_path / "letter.pdf").write_bytes(content)
    from portal import pdf
    raw = pdf.render_pdf("commitments/letter_pdf.html", {
        "c": c, "s": c.notification, "sections": [], "statements": [], "verify_url": letters.verify_url(c.letter_number),
        "qr": letters.qr_data_uri("x"), "signed_at": c.signed_at}, uncompressed_pdf=True)
    assert b"/FontFile" in raw and b"CJK" in raw
    assert letters.verify_url(c.letter_number) == f"https://chengnuo.example.cn/letters/verify/{c.letter_number}/"


def test_scoped_clerk_downloads_letters_and_proofs(client, submitted, clerk):
    _login(client, clerk)
    c = submitted.commitments.first()
    assert client.get(reverse("commitments:letter_pdf", args=[c.letter_number])).status_code == 200
    response = client.get(reverse("commitments:proof", args=[ProofDocument.objects.first().pk]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]


def test_a_proof_missing_from_storage_is_not_found_rather_than_a_server_error(client, submitted, clerk):
    proof = ProofDocument.objects.first()
    proof.file.storage.delete(proof.file.name)
    _login(client, clerk)
    assert client.get(reverse("commitments:proof", args=[proof.pk])).status_code == 404


def test_verify_page_shows_status_without_personal_data(client, accepted, citizen):
    c = accepted.commitments.get(matter_name="无犯罪记录证明")
    url = reverse("commitments:verify_letter", args=[c.letter_number])
    html = client.get(url).content.decode()
    assert "真实有效" in html and c.content_hash in html
    assert "张伟" not in html and accepted.subject.id_masked not in html
    services.withdraw_commitment(user=citizen, letter_number=c.letter_number, reason="改交证明")
    assert "已撤回" in client.get(url).content.decode()
    response = client.get(reverse("commitments:verify_letter", args=["CN-2026-999999"]))
    assert response.status_code == 404 and "未找到" in response.content.decode()


def test_publicity_board_masks_names_and_links_to_report(client, accepted):
    html = client.get(reverse("commitments:publicity")).content.decode()
    c = accepted.commitments.get(matter_name="完全民事行为能力证明")
    name = accepted.subject.name
    assert name[0] + "*" * (len(name) - 1) in html and name not in html
    assert accepted.subject.id_masked in html
    assert f"/complaints/new/?publicity={c.pk}" in html
    assert "无犯罪记录证明" not in html  # not a publicity matter


def test_desk_walk_in_files_notices_and_accepts(client, clerk, service):
    _login(client, clerk)
    number = resident_id(777)
    lookup = reverse("commitments:desk_subject")
    assert "平台中没有该申请人" in client.post(lookup, {"kind": "person", "number": number}).content.decode()
    client.post(reverse("commitments:desk_register"), {"kind": "person", "number": number, "name": "王建国"})
    page = client.post(lookup, {"kind": "person", "number": number})
    form = page.context["file_form"]
    token = _token(page)
    assert "subject" not in form.fields and form.initial["number"] == number
    response = client.post(reverse("commitments:desk_file"), {"token": str(token), "kind": "person", "number": number,
                                                             "service": service.pk})
    a = Application.objects.get()
    assert response["Location"] == reverse("commitments:desk_application", args=[a.pk])
    req = a.requirements.get(matter__name="完全民事行为能力证明")
    data = {"state": "draft", "signer_name": "王建国", "relation": "self", "identity_checked": "on",
            "clerk_password": PASSWORD, **{f"statement_{i}": "on" for i in range(5)}}
    assert client.post(reverse("commitments:desk_sign", args=[a.pk, req.pk]), data).status_code == 302
    action = lambda name, **d: client.post(reverse("commitments:desk_action", args=[a.pk, name]), d)  # noqa: E731
    action("submit", state="draft")
    action("notice", state="submitted", note="")
    a.refresh_from_db()
    notice = a.notices.get()
    assert [i["matter"] for i in notice.items] == ["无犯罪记录证明", "律师执业场所安全评估证明"]
    pdf = client.get(reverse("commitments:notice_pdf", args=[notice.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    for r in a.requirements.exclude(pk=req.pk):
        client.post(reverse("commitments:desk_upload", args=[a.pk, r.pk]), {"state": "submitted", "file": upload()})
    action("accept", state="submitted")
    assert Application.objects.get(pk=a.pk).state == "accepted"
    action("approve", state="accepted", decision_number="")
    assert Application.objects.get(pk=a.pk).state == "accepted"
    action("approve", state="accepted", decision_number="西司许〔2026〕1号")
    assert Application.objects.get(pk=a.pk).state == "approved"


def _queries(client, url):
    """Queries of a repeated visit (the first page after signing in also saves the session)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _make(citizen, start, sign, clerk, n):
    for _ in range(n):
        a = start(citizen)
        sign(citizen, a, "无犯罪记录证明")
        sign(citizen, a, "完全民事行为能力证明")
        req = a.requirements.get(matter__name="律师执业场所安全评估证明")
        services.upload_proof(user=citizen, application_pk=a.pk, requirement_pk=req.pk, upload=upload())
        services.submit(user=citizen, application_pk=a.pk)
        services.accept(clerk=clerk, application_pk=a.pk)
    return a


PAGES = [
    ("citizen", lambda a: reverse("commitments:my_applications"), 6),  # 6: the header's unread-message count
    # 11: decision wording reads the service kind; one more for the dispositions panel (verification); the
    # letters come with their application (the state label reads it), the negative list in one query
    ("citizen", lambda a: reverse("commitments:application", args=[a.pk]), 11),
    ("anonymous", lambda a: reverse("commitments:publicity"), 4),
    ("anonymous", lambda a: reverse("commitments:verify_letter", args=[a.commitments.first().letter_number]), 2),
    ("clerk", lambda a: reverse("commitments:desk"), 7),
    ("clerk", lambda a: reverse("commitments:desk_application", args=[a.pk]), 11),  # 11: with the dispositions panel
]


@pytest.mark.parametrize("who,url,limit", PAGES)
def test_pages_keep_a_constant_query_count(client, citizen, clerk, start, sign, who, url, limit,
                                           django_assert_max_num_queries):
    if who != "anonymous":
        _login(client, {"citizen": citizen, "clerk": clerk}[who])
    a = _make(citizen, start, sign, clerk, 1)
    few = _queries(client, url(a))
    a = _make(citizen, start, sign, clerk, 3)
    many = _queries(client, url(a))
    assert many == few
    with django_assert_max_num_queries(limit):
        client.get(url(a))


def test_desk_list_stops_counting_at_the_cap_and_says_there_are_more(client, clerk, citizen, start, settings):
    settings.LIST_COUNT_CAP = 3
    for _ in range(5):
        start(citizen)  # a city's desk has a million; the page counts no further than the cap
    _login(client, clerk)
    html = client.get(reverse("commitments:desk")).content.decode()
    assert "符合条件的办件超过 3 件" in html
    settings.LIST_COUNT_CAP = 10
    html = client.get(reverse("commitments:desk")).content.decode()
    assert "超过" not in html and html.count('href="/desk/applications/') == 5


def test_matter_page_offers_online_application_carrying_its_service(client, service, matters):
    matter = service.matters.first()
    html = client.get(reverse("catalog:matter", args=[matter.pk])).content.decode()
    start = reverse("commitments:start") + f"?service={service.pk}"
    assert f'href="{start}"' in html and "在线办理" in html
    response = client.get(start)  # anonymous: log in first, then back to the start form
    assert response.status_code == 302 and "next=" in response["Location"] and f"service%3D{service.pk}" in response["Location"]


def test_service_picker_without_script_filters_by_characters_or_pinyin_initials(client, citizen, service):
    _login(client, citizen)
    url = reverse("commitments:start")
    assert "律师执业核准" in client.get(url, {"q": "lszy"}).content.decode()
    assert "律师执业核准" in client.get(url, {"q": "执业"}).content.decode()
    html = client.get(url, {"q": "xyz"}).content.decode()
    assert f'value="{service.pk}"' not in html and "没有找到" in html


def test_citizen_timeline_is_in_plain_words(client, accepted, citizen):
    from portal import audit

    audit.record("verification.plan.created", obj=accepted, agency=accepted.agency,
                 summary="制定核查计划：核查任务 0 项，纳入抽查库 1 项", data={"tasks": 0, "pooled": 1})
    _login(client, citizen)
    html = client.get(reverse("commitments:application", args=[accepted.pk])).content.decode()
    assert "核查任务 0 项" not in html and "纳入抽查库 1 项" not in html and "系统 ·" not in html
    assert "已纳入随机抽查范围，可能被抽中核查；您不需要做什么" in html
    assert "受理了您的办件，将在" in html and "<strong>您</strong>提交了办件" in html
    assert re.search(r"将在 \d{4}年\d{1,2}月\d{1,2}日 前作出决定", html)  # a Chinese date, not ISO


def test_after_a_false_finding_the_citizen_reads_the_credit_consequence_and_a_link_to_my_credit(client, accepted,
                                                                                               citizen):
    c = accepted.commitments.first()
    services.conclude_commitment(commitment_pk=c.pk, outcome="found_false")
    _login(client, citizen)
    html = client.get(reverse("commitments:application", args=[accepted.pk])).content.decode()
    assert "经核查与事实不符" in html and "记入您的信用记录" in html and "不能再用告知承诺代替证明" in html
    assert f'href="{reverse("credit:me")}"' in html


def test_guardian_fields_are_marked_to_show_only_when_the_box_is_ticked(client, citizen, service):
    _login(client, citizen)
    html = client.get(reverse("commitments:start") + f"?service={service.pk}").content.decode()
    block = html.split('data-shown-when="id_for_minor"', 1)[1]
    assert "被监护人姓名" in block and "与被监护人的关系" in block


def test_a_refused_form_leads_with_an_error_summary_and_an_error_title(client, citizen, start):
    a = start(citizen)
    req = a.requirements.get(matter__name="无犯罪记录证明")
    _login(client, citizen)
    html = client.post(reverse("commitments:sign", args=[a.pk, req.pk]), {"state": "draft"}).content.decode()
    assert re.search(r"<title>错误：", html)
    summary = html.split("data-error-summary", 1)[1].split("</div>", 1)[0]
    assert 'role="alert"' in html.split("data-error-summary", 1)[0][-200:] and 'href="#id_full_name"' in summary
def test_withdrawing_a_draft_application_closes_it_instead_of_failing(client, ready, citizen):
    """A draft never submitted can be withdrawn: it ends withdrawn, with no submission time invented."""
    _login(client, citizen)
    url = reverse("commitments:withdraw", args=[ready.pk])
    response = client.post(url, {"reason": "不再需要办理", "state": "draft"})
    assert response.status_code == 302
    ready.refresh_from_db()
    assert ready.state == Application.State.WITHDRAWN
    assert ready.submitted_at is None and ready.concluded_at is not None
    page = client.get(reverse("commitments:application", args=[ready.pk])).content.decode()
    assert "已撤回" in page


def test_the_desk_finds_an_application_by_a_two_character_name_a_longer_name_part_its_number_or_service(
    start, citizen, clerk
):
    from commitments import selectors
    from tests.factories import CitizenFactory

    zhang = CitizenFactory(subject__name="张伟")
    ouyang = CitizenFactory(subject__name="欧阳明华")
    mine, his, theirs = start(zhang), start(ouyang), start(citizen)
    found = lambda q: set(selectors.desk_applications(clerk, query=q).values_list("pk", flat=True))  # noqa: E731
    assert found("张伟") == {mine.pk}
    assert found("张") == {mine.pk}  # a surname: names that start with it
    assert found("阳明华") == {his.pk}  # three characters or more: anywhere in the name
    assert found(theirs.number[-6:]) >= {theirs.pk}
    assert found(theirs.number.lower()) == {theirs.pk}  # the whole number, typed in lower case
    assert found(mine.service.name[:4]) >= {mine.pk, his.pk, theirs.pk}
    assert found("李") == set()


def test_a_desk_search_matching_more_than_the_list_counts_shows_the_newest_and_says_there_are_more(
    client, start, clerk, settings
):
    from tests.factories import CitizenFactory

    settings.LIST_COUNT_CAP = 2
    zhang = CitizenFactory(subject__name="张伟")
    applications = [start(zhang) for _ in range(4)]
    _login(client, clerk)
    html = client.post(reverse("commitments:desk"), {"q": "张伟"}).content.decode()
    shown = set(re.findall(r'href="/desk/applications/(\d+)/"', html))
    assert shown == {str(a.pk) for a in applications[-2:]}  # the newest, as many as the list counts
    assert "符合条件的办件超过 2 件" in html
