"""Starting an application: online by the applicant (or a guardian), or at the window by a clerk."""


from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from stdnum.cn import ric

from credit import api as credit
from portal import audit
from portal.models import Subject

from .. import selectors
from ..models import (
    Application,
    CommitmentsError,
    Requirement,
    in_agency_scope,
)
from ._common import _audit
from .numbers import next_number


def is_minor(subject: Subject, today=None) -> bool:
    if subject.kind != Subject.Kind.PERSON:
        return False
    today = today or timezone.localdate()
    born = ric.get_birth_date(subject.id_number)
    return (today.year - born.year - ((today.month, today.day) < (born.month, born.day))) < 18


def _requirements_for(application, matters):
    Requirement.objects.bulk_create([
        Requirement(application=application, matter=m, seq=i, proof_only=not m.commitment_allowed,
                    mode=Requirement.Mode.UNDECIDED if m.commitment_allowed else Requirement.Mode.PROOF)
        for i, m in enumerate(matters, start=1)
    ])


def _create(*, token, subject, service, matters, actor, request, **fields) -> tuple[Application, bool]:
    existing = Application.objects.filter(subject=subject, client_token=token).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            application = Application.objects.create(
                number=next_number("BJ"), client_token=token, subject=subject, service=service,
                agency=service.agency, **fields,
            )
            _requirements_for(application, matters)
            _audit("application.created", application, actor, "", summary=service.name, request=request,
                   channel=application.channel)
    except IntegrityError:
        # The same token raced in from a double click: the first one won.
        return Application.objects.get(subject=subject, client_token=token), False
    return application, True


GUARDIAN_REFUSED = gettext_lazy("未能核对被监护人的登记信息。首次在网上为未成年人办理前，请监护人携带户口簿（或出生医学证明）"
                     "和本人身份证件到政务服务窗口登记被监护人；已登记的，请核对姓名和身份证号码。")


def start_online(*, user, service_id, token, child=None, request=None) -> tuple[Application, bool]:
    """A citizen or enterprise starts an application (idempotent per form token).

    ``child``: ``{"name", "id_number", "relation"}`` when a legal guardian applies for a minor. The minor must
    already be on record — registered at a window, where the household register was checked — under exactly
    that name; the form never creates or renames a record, and it answers an unknown number and a wrong name
    alike (no existence oracle). Returns (application, created).
    """
    if user.bound_subject_id is None:
        raise CommitmentsError(_("您的账号尚未完成实名认证，无法在线申请。"))
    service, matters = selectors.public_service(service_id)
    subject, guardian = user.subject, {}
    if child:
        if user.subject.kind != Subject.Kind.PERSON:
            raise CommitmentsError(_("只有个人账号可以作为监护人为未成年人申请。"), field="child_name")
        # Decided from the number alone, before looking anything up: the answer says nothing about the records.
        if not is_minor(Subject(kind=Subject.Kind.PERSON, id_number=child["id_number"])):
            raise CommitmentsError(_("被监护人已年满18周岁，应由本人申请和承诺。"), field="child_id_number", code="ward_of_age")
        subject = Subject.objects.by_identifier(Subject.Kind.PERSON, child["id_number"]).first()
        if subject is None or subject.name != child["name"]:
            audit.record("commitments.guardian.refused", obj=user, actor=user, request=request)
            raise CommitmentsError(str(GUARDIAN_REFUSED), field="child_id_number")
        guardian = {"guardian_name": user.get_full_name(), "guardian_relation": child["relation"]}
    with transaction.atomic():
        return _create(token=token, subject=subject, service=service, matters=matters, actor=user, request=request,
                       channel=Application.Channel.ONLINE, applicant_user=user, **guardian)


def file_at_window(*, clerk, subject, service_id, token, guardian_name="", guardian_relation="",
                   request=None) -> tuple[Application, bool]:
    """A window clerk files an application for a subject who is present (idempotent per form token)."""
    service, matters = selectors.public_service(service_id)
    if not (clerk.is_superuser or in_agency_scope(service.agency, clerk)):
        raise CommitmentsError(_("只能受理本机关的办理事项。"), field="service", code="foreign_service")
    if is_minor(subject) and not guardian_name:
        raise CommitmentsError(_("申请人未满18周岁，应由法定监护人到场代为申请和承诺，请填写监护人。"), field="guardian_name")
    if bool(guardian_name) != bool(guardian_relation):
        raise CommitmentsError(_("请同时填写监护人姓名和与申请人的关系。"), field="guardian_relation")
    with transaction.atomic():
        return _create(token=token, subject=subject, service=service, matters=matters, actor=clerk, request=request,
                       channel=Application.Channel.WINDOW, filed_by=clerk, guardian_name=guardian_name,
                       guardian_relation=guardian_relation)


def register_walk_in(*, clerk, kind, name, id_number, request=None) -> Subject:
    """A walk-in applicant the portal does not know yet (ID validated with python-stdnum)."""
    with transaction.atomic():
        subject = credit.ensure_subject(kind, name, id_number)
        audit.record("commitments.subject.registered_at_window", obj=subject, actor=clerk, summary=subject.id_masked,
                     request=request)
    return subject
