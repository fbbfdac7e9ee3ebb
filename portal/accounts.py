"""Account services: self-registration of citizens and enterprise contacts (the one write path for them).

A registered account is bound to no record: it acts for a person or an enterprise only after real-name
proofing (``portal.identity``). Registration asks for no ID number, so it can neither claim a record
nor tell anyone whether a number is known (issue 14).
"""

from django.contrib.auth.models import Group
from django.db import transaction

from portal import audit, roles
from portal.models import User


@transaction.atomic
def register_person(*, full_name: str, mobile: str, password: str, email: str = "", request=None) -> User:
    """A citizen's account (个人账号) with the applicant role, not yet bound to any record."""
    return _create_account(full_name=full_name, mobile=mobile, password=password, email=email, request=request,
                           summary="个人自助注册")


@transaction.atomic
def register_enterprise(*, contact_name: str, mobile: str, password: str, email: str = "", request=None) -> User:
    """An enterprise contact's account (企业账号) with the applicant role, bound to the enterprise after proofing."""
    return _create_account(full_name=contact_name, mobile=mobile, password=password, email=email, request=request,
                           summary="企业经办人自助注册")


def _create_account(*, full_name, mobile, password, email, request, summary) -> User:
    user = User(username=mobile, mobile=mobile, full_name=full_name, email=email)
    user.set_password(password)
    user.save()
    user.groups.add(Group.objects.get(name=roles.APPLICANT))
    audit.record("account.registered", obj=user, actor=user, summary=summary, request=request)
    return user
