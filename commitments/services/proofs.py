"""Uploading a proof for a requirement (also the proof of a 责令限期整改)."""


from django.db import transaction
from django.utils.translation import gettext as _

from .. import files, selectors
from ..models import (
    Commitment,
    CommitmentsError,
    ProofDocument,
    Requirement,
)
from ._common import _audit, _check_expected, _lock


def upload_proof(*, user, application_pk, requirement_pk, upload, expected_state=None, rectification=False,
                 request=None) -> ProofDocument:
    """``rectification``: 责令限期整改 — the proof for a letter found false (verification checks the order and its
    deadline before calling)."""
    content_type, digest = files.sniff(upload)
    with transaction.atomic():
        application = _lock(application_pk)
        _check_expected(application, expected_state)
        if not (selectors.is_owner(application, user) or selectors.is_handling_staff(application, user)):
            raise CommitmentsError(_("您无权对该办件执行此操作。"), code="forbidden")
        if not application.is_editable:
            raise CommitmentsError(_("该办件已办结，不能再上传材料。"), code="closed")
        requirement = selectors.requirement_of(application, requirement_pk)
        signed = requirement.commitments.exclude(state=Commitment.State.WITHDRAWN)
        if rectification and (not signed.exists() or signed.exclude(state=Commitment.State.FOUND_FALSE).exists()):
            raise CommitmentsError(_("本证明事项没有经核查不实、责令整改的告知承诺书。"))
        if not rectification and signed.exists():
            raise CommitmentsError(_("本证明事项已签署告知承诺书，无需再提交证明。如需改为提交证明，请先撤回承诺。"))
        proof = ProofDocument(requirement=requirement, original_name=(upload.name or "")[:200], content_type=content_type,
                              size=upload.size, sha256=digest, uploaded_by=user)
        proof.file.save("proof", upload, save=False)
        proof.save()
        Requirement.objects.filter(pk=requirement.pk).update(mode=Requirement.Mode.PROOF)
        _audit("proof.uploaded", application, user, application.state,
               summary=_("上传“%(matter)s”证明材料") % {"matter": requirement.matter.name}, request=request,
               proof=proof.pk, sha256=digest)
    return proof
