"""Account services: self-registration of citizens and enterprises (the one write path for them)."""

from django.contrib.auth.models import Group
from django.db import transaction

from portal import audit, roles
from portal.models import Subject, User


@transaction.atomic
def register_person(*, full_name: str, id_number: str, mobile: str, password: str, email: str = "", request=None) -> User:
    """Create a natural-person subject (自然人) and its account, with the applicant role."""
    subject, _created = Subject.objects.get_or_create(
        kind=Subject.Kind.PERSON,
        id_hash=_hash(id_number),
        defaults={"name": full_name, "id_number": id_number, "contact_name": full_name, "contact_phone": mobile},
    )
    return _create_account(subject, full_name=full_name, mobile=mobile, password=password, email=email, request=request)


@transaction.atomic
def register_enterprise(
    *, name: str, uscc: str, legal_representative: str, contact_name: str, mobile: str, password: str,
    email: str = "", request=None,
) -> User:
    """Create an organisation subject (法人和其他组织) and its contact's account, with the applicant role."""
    subject, _created = Subject.objects.get_or_create(
        kind=Subject.Kind.ORGANISATION,
        id_hash=_hash(uscc),
        defaults={
            "name": name, "id_number": uscc, "legal_representative": legal_representative,
            "contact_name": contact_name, "contact_phone": mobile,
        },
    )
    return _create_account(subject, full_name=contact_name, mobile=mobile, password=password, email=email, request=request)


def _hash(number: str) -> str:
    from portal.identifiers import keyed_hash, normalise

    return keyed_hash(normalise(number))


def _create_account(subject, *, full_name, mobile, password, email, request) -> User:
    user = User(username=mobile, mobile=mobile, full_name=full_name, email=email, subject=subject)
    user.set_password(password)
    user.save()
    user.groups.add(Group.objects.get(name=roles.APPLICANT))
    audit.record("account.registered", obj=user, actor=user, summary=f"{subject.get_kind_display()}自助注册", request=request)
    return user
