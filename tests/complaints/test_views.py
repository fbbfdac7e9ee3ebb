import re

import pytest
from django.conf import settings
from django.urls import reverse

from complaints import abuse, services
from complaints.models import Kind, Ticket
from tests.challenge import solve

from .conftest import reload, walk

pytestmark = pytest.mark.django_db
S = Ticket.State


def _login(client, user):
    client.force_login(user)
    return client


def _answer_challenge(page: str) -> tuple[str, str]:
    """The signed token and the answer its keyed hash accepts (tests/challenge.py)."""
    return solve(page)


REPORT = {"topic": "false_commitment", "title": "公示承诺疑似不实", "content": "公示的住所实为民宅。",
          "commitment_ref": "CN-2026-000009"}


# --- access matrix -----------------------------------------------------------------------------------
STAFF_PAGES = ["complaints:operator", "complaints:call_new", "complaints:window_new", "complaints:inbox",
               "complaints:figures", "complaints:mine"]


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_private_pages_send_anonymous_visitors_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_ticket_page_sends_anonymous_visitors_to_login(client, complaint):
    response = client.get(reverse("complaints:detail", args=[complaint.number]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name,role_fixture", [
    ("complaints:operator", "clerk"), ("complaints:call_new", "clerk"), ("complaints:window_new", "operator"),
    ("complaints:inbox", "citizen"), ("complaints:inbox", "supervisor"), ("complaints:figures", "clerk"),
    ("complaints:mine", "clerk"),
])
def test_wrong_role_gets_403(client, request, name, role_fixture):
    _login(client, request.getfixturevalue(role_fixture))
    assert client.get(reverse(name)).status_code == 403


def test_citizen_may_not_open_the_staff_ticket_page(client, citizen, complaint):
    _login(client, citizen)
    assert client.get(reverse("complaints:detail", args=[complaint.number])).status_code == 403


def test_other_agency_ticket_is_404_for_staff_and_other_citizen(client, other_agency_clerk, other_citizen,
                                                                complaint):
    _login(client, other_agency_clerk)
    assert client.get(reverse("complaints:detail", args=[complaint.number])).status_code == 404
    for action in ("sign", "reply"):
        assert client.post(reverse(f"complaints:{action}", args=[complaint.number]), {"text": "x"}).status_code == 404
    _login(client, other_citizen)
    assert client.get(reverse("complaints:my_ticket", args=[complaint.number])).status_code == 404


def test_tracked_page_without_unlocking_is_404(client, complaint):
    assert client.get(reverse("complaints:tracked", args=[complaint.number])).status_code == 404


def test_public_pages_open_without_login(client):
    for name in ("complaints:new", "complaints:track", "complaints:faq"):
        assert client.get(reverse(name)).status_code == 200


def test_staff_actions_only_accept_post(client, clerk, complaint):
    _login(client, clerk)
    assert client.get(reverse("complaints:sign", args=[complaint.number])).status_code == 405


# --- anonymous filing ----------------------------------------------------------------------------------
def test_anonymous_report_with_solved_challenge_shows_number_and_code_once(client):
    token, answer = _answer_challenge(client.get(reverse("complaints:new")).content.decode())
    response = client.post(reverse("complaints:new"), {**REPORT, "challenge_token": token,
                                                        "challenge_answer": answer}, follow=True)
    page = response.content.decode()
    ticket = Ticket.objects.get()
    assert ticket.anonymous and ticket.kind == Kind.REPORT and ticket.state == S.RECEIVED
    code = re.search(r'id="lookup-code">([A-Z0-9]{8})<', page).group(1)
    assert ticket.number in page and services.code_matches(ticket, code)
    assert client.get(reverse("complaints:filed")).status_code == 302  # shown once


def test_wrong_challenge_answer_is_refused_beside_the_field_with_a_new_question(client):
    token, answer = _answer_challenge(client.get(reverse("complaints:new")).content.decode())
    response = client.post(reverse("complaints:new"), {**REPORT, "challenge_token": token,
                                                        "challenge_answer": str(int(answer) + 1)})
    page = response.content.decode()
    assert "答案不正确" in page and Ticket.objects.count() == 0
    assert f'value="{token}"' not in page  # a fresh question


def test_a_solved_challenge_cannot_be_replayed(client):
    token, answer = _answer_challenge(client.get(reverse("complaints:new")).content.decode())
    data = {**REPORT, "challenge_token": token, "challenge_answer": answer}
    client.post(reverse("complaints:new"), data)
    response = client.post(reverse("complaints:new"), data)
    assert "已经使用过" in response.content.decode() and Ticket.objects.count() == 1


def test_forged_challenge_token_is_refused(client):
    response = client.post(reverse("complaints:new"), {**REPORT, "challenge_token": "x:y:z", "challenge_answer": "3"})
    assert "验证问题无效" in response.content.decode()


def test_anonymous_filing_is_rate_limited_per_client(client):
    allowed = abuse.FILE_LIMIT[0]
    for _i in range(allowed):
        token, answer = _answer_challenge(client.get(reverse("complaints:new")).content.decode())
        client.post(reverse("complaints:new"), {**REPORT, "challenge_token": token, "challenge_answer": answer})
    assert Ticket.objects.count() == allowed
    token, answer = _answer_challenge(client.get(reverse("complaints:new")).content.decode())
    response = client.post(reverse("complaints:new"), {**REPORT, "challenge_token": token, "challenge_answer": answer})
    assert response.status_code == 429 and Ticket.objects.count() == allowed
    # Another client is not affected.
    response = client.post(reverse("complaints:new"), {**REPORT}, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 200


def test_too_long_content_is_refused_in_chinese_beside_the_field(client):
    token, answer = _answer_challenge(client.get(reverse("complaints:new")).content.decode())
    response = client.post(reverse("complaints:new"), {**REPORT, "content": "字" * 2001, "challenge_token": token,
                                                        "challenge_answer": answer})
    assert "内容不能超过 2000 个字" in response.content.decode()


def test_input_is_escaped_on_every_page(client, operator):
    token, answer = _answer_challenge(client.get(reverse("complaints:new")).content.decode())
    client.post(reverse("complaints:new"), {**REPORT, "title": "<script>alert(1)</script>",
                                            "challenge_token": token, "challenge_answer": answer})
    ticket = Ticket.objects.get()
    _login(client, operator)
    page = client.get(reverse("complaints:detail", args=[ticket.number])).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


# --- logged-in filing, tracking, rating -----------------------------------------------------------------
def test_citizen_files_a_consultation_and_sees_it_in_mine(client, citizen, agency):
    _login(client, citizen)
    response = client.post(reverse("complaints:new"), {
        "kind": "consultation", "topic": "policy", "title": "能否承诺", "content": "无犯罪记录证明能否承诺？",
        "about_agency": agency.pk, "publish_consent": "on"}, follow=True)
    ticket = Ticket.objects.get()
    assert ticket.requester == citizen and ticket.state == S.ASSIGNED and ticket.publish_consent
    assert ticket.number in response.content.decode()
    assert ticket.number in client.get(reverse("complaints:mine")).content.decode()


def test_track_with_wrong_code_says_so_beside_the_code(client, anonymous_report):
    response = client.post(reverse("complaints:track"), {"number": anonymous_report.number, "code": "AAAAAAAA"})
    assert "查询码不正确" in response.content.decode()


def test_track_and_rate_with_number_and_code(client, anonymous_report, operator, agency, clerk):
    services.route(actor=operator, ticket_pk=anonymous_report.pk, agency=agency)
    walk(anonymous_report, clerk, "replied")
    response = client.post(reverse("complaints:track"), {"number": anonymous_report.number,
                                                          "code": anonymous_report.code.lower()})
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "经核实" in page and "评价答复" in page
    client.post(response.url, {"rating": "satisfied", "state": "replied"})
    assert reload(anonymous_report).state == S.CLOSED


def test_tracking_lookups_are_rate_limited(client, anonymous_report):
    for _i in range(abuse.TRACK_LIMIT[0]):
        client.post(reverse("complaints:track"), {"number": anonymous_report.number, "code": "AAAAAAAA"})
    response = client.post(reverse("complaints:track"), {"number": anonymous_report.number,
                                                          "code": anonymous_report.code})
    assert response.status_code == 429


def test_not_satisfied_without_reason_is_refused_beside_the_comment(client, citizen, complaint, clerk):
    walk(complaint, clerk, "replied")
    _login(client, citizen)
    response = client.post(reverse("complaints:my_ticket", args=[complaint.number]), {"rating": "not_satisfied"})
    assert "请说明不满意的原因" in response.content.decode()
    assert reload(complaint).state == S.REPLIED


# --- contact details ---------------------------------------------------------------------------------------
def test_contact_details_show_to_the_handling_agency_and_desk_only(client, complaint, clerk, operator, supervisor):
    url = reverse("complaints:detail", args=[complaint.number])
    for user, visible in ((clerk, True), (operator, True), (supervisor, False)):
        _login(client, user)
        page = client.get(url).content.decode()
        assert ("13700000001" in page) is visible, user


# --- staff flow ---------------------------------------------------------------------------------------------
def test_operator_enters_a_call_and_the_agency_signs_and_replies(client, operator, clerk, agency):
    _login(client, operator)
    response = client.post(reverse("complaints:call_new"), {
        "kind": "complaint", "topic": "proof_demand", "title": "来电投诉", "content": "窗口要求开证明。",
        "contact_name": "王先生", "contact_phone": "13900000000", "route_to": agency.pk})
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and ticket.channel == "12345" and ticket.agency == agency
    _login(client, clerk)
    client.post(reverse("complaints:sign", args=[ticket.number]), {"state": "assigned"})
    response = client.post(reverse("complaints:reply", args=[ticket.number]), {"text": "", "state": "in_progress"})
    assert response.status_code == 400 and "请填写答复内容" in response.content.decode()
    client.post(reverse("complaints:reply", args=[ticket.number]), {"text": "已整改。", "state": "in_progress"})
    assert reload(ticket).state == S.REPLIED
    _login(client, operator)
    client.post(reverse("complaints:callback", args=[ticket.number]), {"rating": "satisfied", "state": "replied"})
    assert reload(ticket).state == S.CLOSED


def test_reroute_without_reason_shows_the_error_beside_the_reason(client, operator, complaint, other_agency):
    _login(client, operator)
    response = client.post(reverse("complaints:route", args=[complaint.number]), {"agency": other_agency.pk})
    assert response.status_code == 400 and "改派须说明理由" in response.content.decode()


def test_window_clerk_enters_a_visit_routed_to_their_own_agency_by_default(client, clerk, agency):
    _login(client, clerk)
    page = client.get(reverse("complaints:window_new")).content.decode()
    assert f'<option value="{agency.pk}" selected' in page
    client.post(reverse("complaints:window_new"), {"kind": "consultation", "topic": "policy", "title": "窗口咨询",
                                                   "content": "怎么承诺？", "route_to": agency.pk})
    assert Ticket.objects.get().channel == "window"


def test_reply_template_fills_the_reply_without_javascript(client, clerk, complaint):
    from complaints.models import ReplyTemplate

    template = ReplyTemplate.objects.create(title="整改答复", body="经核实已整改。")
    walk(complaint, clerk, "in_progress")
    _login(client, clerk)
    page = client.get(reverse("complaints:detail", args=[complaint.number]) + f"?template={template.pk}")
    assert "经核实已整改。</textarea>" in page.content.decode()


def test_attachment_download_is_private(client, citizen, agency, clerk, other_agency_clerk):
    from django.core.files.uploadedfile import SimpleUploadedFile

    ticket, _c = services.file_ticket(kind=Kind.COMPLAINT, channel="portal", requester=citizen, title="t",
                                      content="c", about_agency=agency,
                                      uploads=[SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\nxx")])
    url = reverse("complaints:attachment", args=[ticket.attachments.get().pk])
    assert client.get(url).status_code == 404
    _login(client, other_agency_clerk)
    assert client.get(url).status_code == 404
    _login(client, clerk)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert not settings.MEDIA_URL.startswith("/media/")


# --- query counts -----------------------------------------------------------------------------------------
def _many(citizen, agency, n=12):
    for i in range(n):
        services.file_ticket(kind=Kind.COMPLAINT, channel="portal", requester=citizen, title=f"投诉{i}",
                             content="内容", about_agency=agency)


def test_inbox_query_count_does_not_grow_with_tickets(client, clerk, citizen, agency,
                                                      django_assert_max_num_queries):
    _many(citizen, agency)
    _login(client, clerk)
    # session, user, roles, agency, page count, page rows, session save (3)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("complaints:inbox"))
    assert response.content.decode().count("投诉1") >= 1


def test_desk_query_count_does_not_grow_with_tickets(client, operator, citizen, agency,
                                                     django_assert_max_num_queries):
    _many(citizen, agency)
    _login(client, operator)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("complaints:operator") + "?view=all").status_code == 200


def test_ticket_page_query_count(client, clerk, complaint, django_assert_max_num_queries):
    _login(client, clerk)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("complaints:detail", args=[complaint.number])).status_code == 200


def test_faq_and_figures_query_counts(client, supervisor, citizen, agency, django_assert_max_num_queries):
    _many(citizen, agency)
    with django_assert_max_num_queries(4):
        assert client.get(reverse("complaints:faq") + "?q=承诺").status_code == 200
    _login(client, supervisor)
    # session, user, roles, agency, per-row aggregate, totals aggregate, escalated list, session save (3)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("complaints:figures")).status_code == 200


def test_beat_schedule_entries_import():
    from importlib import import_module

    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        if entry["task"].startswith("complaints."):
            module, func = entry["task"].rsplit(".", 1)
            assert callable(getattr(import_module(module), func)), name


def _form_token(page: str) -> str:
    return re.search(r'name="form_token" value="([^"]+)"', page).group(1)


def test_double_clicked_anonymous_report_shows_the_number_and_code_not_the_form_again(client):
    page = client.get(reverse("complaints:new")).content.decode()
    token, answer = _answer_challenge(page)
    data = {**REPORT, "challenge_token": token, "challenge_answer": answer, "form_token": _form_token(page)}
    client.post(reverse("complaints:new"), data)  # the first click: its answer never reaches the screen
    response = client.post(reverse("complaints:new"), data, follow=True)  # the second click
    page = response.content.decode()
    ticket = Ticket.objects.get()
    code = re.search(r'id="lookup-code">([A-Z0-9]{8})<', page).group(1)
    assert ticket.number in page and services.code_matches(ticket, code)
    assert "已经使用过" not in page and 'name="challenge_answer"' not in page


def test_a_report_refused_for_a_wrong_answer_can_be_sent_again_with_the_same_form(client):
    page = client.get(reverse("complaints:new")).content.decode()
    form_token = _form_token(page)
    token, answer = _answer_challenge(page)
    page = client.post(reverse("complaints:new"), {**REPORT, "challenge_token": token, "form_token": form_token,
                                                    "challenge_answer": str(int(answer) + 1)}).content.decode()
    token, answer = _answer_challenge(page)
    response = client.post(reverse("complaints:new"), {**REPORT, "challenge_token": token, "form_token": form_token,
                                                        "challenge_answer": answer})
    assert response.status_code == 302 and Ticket.objects.count() == 1
def test_the_challenge_token_carries_no_answer_and_no_single_pattern_reads_the_questions(client):
    from django.core import signing

    questions = set()
    for _ in range(60):
        question, token = abuse.new_challenge()
        assert set(signing.TimestampSigner(salt="complaints.challenge").unsign_object(token)) == {"n", "h"}
        questions.add(re.sub("[零一二三四五六七八九十、]+", "#", question))
    assert len(questions) >= 5  # several forms of sentence, not one template
    assert not any(re.fullmatch(r"#(加|减)#等于几？", q) for q in questions)


def test_one_question_takes_one_answer_so_numbers_cannot_be_tried_in_turn(client):
    token, answer = _answer_challenge(client.get(reverse("complaints:new")).content.decode())
    assert abuse.check_challenge(token, int(answer) + 1) == "答案不正确，请回答新的问题。"
    assert abuse.check_challenge(token, answer) == "该验证问题已经使用过，请回答新的问题。"


def test_anonymous_filings_are_capped_across_all_addresses(client, settings, monkeypatch):
    monkeypatch.setattr(abuse, "FILE_LIMIT_ALL", (2, 3600))
    for n in range(2):
        token, answer = _answer_challenge(client.get(reverse("complaints:new")).content.decode())
        client.post(reverse("complaints:new"), {**REPORT, "challenge_token": token, "challenge_answer": answer},
                    REMOTE_ADDR=f"10.9.0.{n + 1}")
    token, answer = _answer_challenge(client.get(reverse("complaints:new")).content.decode())
    response = client.post(reverse("complaints:new"), {**REPORT, "challenge_token": token,
                                                        "challenge_answer": answer}, REMOTE_ADDR="10.9.0.77")
    assert response.status_code == 429
    assert Ticket.objects.filter(anonymous=True).count() == 2




# --- the matter a ticket is about: typed, not picked from the whole catalogue ---------------------------
@pytest.fixture
def similar_matters(editor, reviewer, approver):
    """Two published matters whose names share “无犯罪记录”, and a third that does not."""
    from catalog import services as catalog_services
    from tests.catalog.conftest import add_matter

    catalogue = catalog_services.start_version(actor=editor)
    first = add_matter(catalogue, name="无犯罪记录证明")
    second = add_matter(catalogue, name="境外无犯罪记录公证认证")
    add_matter(catalogue, name="律师执业场所安全评估证明")
    for step in (catalog_services.submit, catalog_services.pass_review):
        step(actor=editor if step is catalog_services.submit else reviewer, catalogue=catalogue)
    catalog_services.approve(actor=approver, catalogue=catalogue)
    catalog_services.publish(actor=approver, catalogue=catalogue)
    return first, second


CONSULTATION = {"kind": "consultation", "topic": "policy", "title": "能否承诺", "content": "这个证明能否承诺？"}


def test_the_form_does_not_list_the_whole_catalogue(client, citizen, similar_matters):
    _login(client, citizen)
    html = client.get(reverse("complaints:new")).content.decode()
    assert "涉及的证明事项" in html and "律师执业场所安全评估证明" not in html


def test_a_typed_name_that_fits_one_matter_files_the_ticket_about_it(client, citizen, similar_matters):
    _login(client, citizen)
    client.post(reverse("complaints:new"), {**CONSULTATION, "matter_text": "公证认证"})
    assert Ticket.objects.get().matter == similar_matters[1]


def test_a_name_that_fits_several_matters_offers_them_beside_the_field_then_files_the_chosen_one(
        client, citizen, similar_matters):
    _login(client, citizen)
    html = client.post(reverse("complaints:new"), {**CONSULTATION, "matter_text": "无犯罪"}).content.decode()
    assert "有 2 项证明事项的名称含“无犯罪”，请选择其中一项。" in html and not Ticket.objects.exists()
    assert "境外无犯罪记录公证认证" in html and "律师执业场所安全评估证明" not in html
    chosen = similar_matters[1]
    client.post(reverse("complaints:new"), {**CONSULTATION, "matter_text": "无犯罪", "matter": chosen.pk})
    assert Ticket.objects.get().matter == chosen


def test_the_exact_name_of_a_matter_is_taken_even_when_others_contain_it(client, citizen, similar_matters):
    _login(client, citizen)
    client.post(reverse("complaints:new"), {**CONSULTATION, "matter_text": "无犯罪记录证明"})
    assert Ticket.objects.get().matter == similar_matters[0]


def test_a_name_that_fits_no_matter_is_said_beside_the_field(client, citizen, similar_matters):
    _login(client, citizen)
    html = client.post(reverse("complaints:new"), {**CONSULTATION, "matter_text": "结婚证"}).content.decode()
    assert "没有找到名称含“结婚证”的证明事项；请换几个字，或不填。" in html and not Ticket.objects.exists()


def test_a_matters_whole_name_wins_even_when_more_than_can_be_offered_contain_it(
        client, citizen, editor, reviewer, approver, monkeypatch):
    from catalog import services as catalog_services
    from complaints import forms
    from tests.catalog.conftest import add_matter

    catalogue = catalog_services.start_version(actor=editor)
    add_matter(catalogue, name="境外无犯罪记录证明")
    add_matter(catalogue, name="无犯罪记录证明的公证")
    whole = add_matter(catalogue, name="无犯罪记录证明")
    catalog_services.submit(actor=editor, catalogue=catalogue)
    catalog_services.pass_review(actor=reviewer, catalogue=catalogue)
    catalog_services.approve(actor=approver, catalogue=catalogue)
    catalog_services.publish(actor=approver, catalogue=catalogue)
    monkeypatch.setattr(forms, "MATTER_CHOICES", 1)  # a city's "营业执照": more names contain it than are offered
    _login(client, citizen)
    client.post(reverse("complaints:new"), {**CONSULTATION, "matter_text": "无犯罪记录证明"})
    assert Ticket.objects.get().matter == whole
