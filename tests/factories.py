"""factory-boy factories shared by every app's tests."""

import itertools

import factory
from django.contrib.auth.models import Group
from django.utils import timezone
from stdnum.cn import ric, uscc

from portal.models import Agency, Subject, User

_seq = itertools.count(1)


def resident_id(n: int | None = None) -> str:
    """A valid 居民身份证号 (Xi'an, Yanta district), different for each n.

    Born 1985–2004: python-stdnum checks the district code existed at the birth date.
    """
    n = next(_seq) if n is None else n
    body = f"610113{1985 + n % 20}{(n % 12) + 1:02d}{(n % 28) + 1:02d}{n % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def uscc_code(n: int | None = None) -> str:
    """A valid 统一社会信用代码, different for each n."""
    n = next(_seq) if n is None else n
    body = f"91610113MA6{n:06d}"
    return body + uscc.calc_check_digit(body)


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"T{n:05d}")
    name = factory.Sequence(lambda n: f"测试局{n}")
    kind = Agency.Kind.DEPARTMENT
    level = Agency.Level.CITY
    parent = None


class SubjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subject

    kind = Subject.Kind.PERSON
    name = factory.Sequence(lambda n: f"申请人{n}")
    id_number = factory.LazyFunction(resident_id)


class OrganisationFactory(SubjectFactory):
    kind = Subject.Kind.ORGANISATION
    name = factory.Sequence(lambda n: f"西安测试有限公司{n}")
    id_number = factory.LazyFunction(uscc_code)
    legal_representative = "法人代表"


PASSWORD = "Test-pass-2026"


class UserFactory(factory.django.DjangoModelFactory):
    """A user; ``roles=[...]`` adds groups (citizens get ``applicant`` unless told otherwise)."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if not create:
            return
        names = extracted if extracted is not None else (["applicant"] if self.subject_id else [])
        if names:
            self.groups.add(*Group.objects.filter(name__in=names))
        self.save()


class CitizenFactory(UserFactory):
    """An applicant account bound to its subject after real-name proofing (portal.identity)."""

    subject = factory.SubFactory(SubjectFactory)
    mobile = factory.Sequence(lambda n: f"137{n:08d}")
    identity_verified_at = factory.LazyAttribute(lambda o: timezone.now() if o.subject else None)
    identity_method = factory.LazyAttribute(lambda o: "counter" if o.subject else "")


class StaffFactory(UserFactory):
    agency = factory.SubFactory(AgencyFactory)


def answer_negative_list_no(matter) -> dict:
    """Sign-form fields answering each 负面清单 question of ``matter`` “否” (the sign pages ask them)."""
    return {f"negative_{e.pk}": "no" for e in matter.negative_entries.all() if e.is_question}
