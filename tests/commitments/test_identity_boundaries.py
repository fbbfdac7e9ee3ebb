"""Issue 14, finding 2 and 4 on the applicant's side: a walk-in's cases and a minor's record are not taken by a form."""

import uuid

import pytest
from django.urls import reverse

from commitments import services as commitments
from commitments.models import Application
from portal.models import Subject, User
from tests.factories import SubjectFactory
from tests.portal.test_identity import ACCOUNT, _adult_id, _minor_id

pytestmark = pytest.mark.django_db


def _registered(client, name, mobile="13712345678", **extra):
    response = client.post(reverse("register_person"), {**ACCOUNT, "full_name": name, "mobile": mobile, **extra})
    assert response.status_code == 302
    return User.objects.get(username=mobile)


def test_registering_with_a_walk_ins_id_number_gives_no_access_to_their_applications(client, clerk, service):
    walk_in = SubjectFactory(name="王小明")
    application, _created = commitments.file_at_window(clerk=clerk, subject=walk_in, service_id=service.pk,
                                                       token=uuid.uuid4())
    attacker = _registered(client, name="王小明", id_number=walk_in.id_number)
    assert attacker.subject is None and not walk_in.accounts.exists()
    page = client.get(reverse("commitments:my_applications"))
    assert page.status_code == 403 and "请先完成实名认证" in page.content.decode()
    assert application.number not in page.content.decode()
    assert client.get(reverse("commitments:application", args=[application.pk])).status_code == 403


def test_a_guardian_form_never_creates_a_person_for_an_unknown_adult_or_minor(client, citizen, service):
    client.force_login(citizen)
    before = Subject.objects.count()
    adult = _guardian(client, service, "随便起个名", _adult_id())
    minor = _guardian(client, service, "随便起个名", _minor_id())
    assert Subject.objects.count() == before
    assert "已年满18周岁" in adult and "未能核对被监护人的登记信息" in minor
    assert not Application.objects.exists()


def test_the_guardian_form_answers_alike_for_an_unknown_minor_and_a_known_minor_under_another_name(client, citizen, service):
    known = SubjectFactory(name="张小宝", id_number=_minor_id(1))
    client.force_login(citizen)
    wrong_name = _guardian(client, service, "李小宝", known.id_number)
    unknown = _guardian(client, service, "李小宝", _minor_id(2))
    assert wrong_name == unknown
    assert Subject.objects.get(pk=known.pk).name == "张小宝"  # never renamed by a form


def test_a_guardian_applies_for_a_minor_registered_at_the_counter(client, citizen, service):
    child = SubjectFactory(name="张小宝", id_number=_minor_id(3))
    client.force_login(citizen)
    response = client.post(reverse("commitments:start"), {"service": service.pk, "token": "00000000-0000-0000-0000-00000000000a",
                                                          "for_minor": "on", "child_name": "张小宝",
                                                          "child_id_number": child.id_number, "relation": "父亲"})
    assert response.status_code == 302
    assert Application.objects.get().subject == child


def test_guardian_attempts_are_throttled(client, citizen, service):
    client.force_login(citizen)
    answers = [_guardian(client, service, "李小宝", _minor_id(10 + n)) for n in range(11)]
    assert "过于频繁" not in answers[9] and "过于频繁" in answers[10]


def _guardian(client, service, name, number) -> str:
    response = client.post(reverse("commitments:start"), {
        "service": service.pk, "token": "00000000-0000-0000-0000-0000000000ff", "for_minor": "on",
        "child_name": name, "child_id_number": number, "relation": "父亲",
    })
    if response.status_code == 302:
        return "created"
    return " ".join(str(e) for e in response.context["form"].errors.get("child_id_number", []) +
                    response.context["form"].errors.get("child_name", []))


