"""What other apps may use of credit (信用): the one door into ``credit``.

Commitments asks whether a subject may commit and notes every commitment outcome here — kept
(守诺) or found false (失诺, with the dishonesty record): the one route from a verification
finding to the integrity file. Verification reads the credit level for its checking intensity.
"""

from .services import (
    CreditError,
    credit_level,
    eligibility,
    ensure_subject,
    record_commitment_outcome,
    record_false_commitment,
)

__all__ = [
    "CreditError",
    "credit_level",
    "eligibility",
    "ensure_subject",
    "record_commitment_outcome",
    "record_false_commitment",
]
