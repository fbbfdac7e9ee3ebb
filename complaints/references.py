"""Resolving a ticket's plain references (办件编号, 告知承诺书/公示编号) against the commitments app.

The ticket keeps them as the text a citizen typed; these return ``None`` when a reference does not
resolve (a typo, a number from another system), so routing falls back to the operator's choice.
"""

from commitments import api as commitments


def commitment_for(ref: str):
    """The commitment (告知承诺书) whose letter number is ``ref``, or ``None``."""
    return commitments.commitment_by_letter_number(ref)


def application_for(number: str):
    """The application (办件) numbered ``number``, or ``None``."""
    return commitments.application_by_number(number)


def agency_for(*, application_number: str = "", commitment_ref: str = ""):
    """The agency that handled the referenced application or commitment (a routing suggestion)."""
    commitment = commitment_for(commitment_ref)
    if commitment is not None:
        return commitment.application.agency
    application = application_for(application_number)
    if application is not None:
        return application.agency
    return None
