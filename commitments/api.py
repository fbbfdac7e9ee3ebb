"""What other apps may use of commitments (告知承诺): the one door into ``commitments``.

Verification plans checks on applications and reports outcomes back here (``conclude_commitment``
for kept or exempted, ``record_false_finding`` for a false one, ``terminate_application`` /
``revoke_application`` for §二(五)'s consequences); complaints resolves a report's references and
checks uploads the same way proofs are checked.
"""

from .files import sniff as sniff_upload
from .hooks import ON_COMMITMENT_WITHDRAWN
from .models import Application, Commitment, CommitmentsError, ProofDocument, Requirement
from .panels import register as register_case_panel
from .selectors import application_by_number, commitment_by_letter_number, is_owner
from .services import (
    conclude_commitment,
    next_number,
    record_false_finding,
    revoke_application,
    terminate_application,
    upload_proof,
)

__all__ = [
    # models other apps query or refer to
    "Application",
    "Commitment",
    "ProofDocument",
    "Requirement",
    "CommitmentsError",
    # reading by reference (a ticket's 办件编号 / 告知承诺书编号)
    "application_by_number",
    "commitment_by_letter_number",
    "is_owner",
    # writes on behalf of verification
    "conclude_commitment",
    "record_false_finding",
    "revoke_application",
    "terminate_application",
    "next_number",
    # the applicant's 责令限期整改 proof, handed in from verification's rectification page
    "upload_proof",
    # the upload check (content decides, ≤ 10 MB)
    "sniff_upload",
    # hooks for apps to its right (registered in AppConfig.ready): a withdrawal closes their open work;
    # the case page shows their panel
    "ON_COMMITMENT_WITHDRAWN",
    "register_case_panel",
]
