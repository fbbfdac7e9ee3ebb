"""Verification outcomes on a commitment (called by the verification app) and the route to credit."""


from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from credit import api as credit

from ..models import (
    Commitment,
    CommitmentsError,
)
from ._common import _audit

OUTCOMES = {"verified": "mark_verified", "found_false": "mark_false", "exempted": "mark_exempted"}


def conclude_commitment(*, commitment_pk, outcome, actor=None, request=None) -> Commitment:
    """Record a verification outcome on a commitment (idempotent) and note it in the integrity file."""
    with transaction.atomic():
        commitment = Commitment.objects.select_for_update(of=("self",)).select_related("application__agency",
                                                                           "application__subject").get(pk=commitment_pk)
        if commitment.state == outcome:
            return commitment
        method = getattr(commitment, OUTCOMES[outcome])
        if not can_proceed(method):
            raise CommitmentsError(_("该告知承诺书当前状态为“%(state)s”，不能变更。") % {"state": commitment.get_state_display()})
        method()
        commitment.concluded_at = timezone.now()
        commitment.save(update_fields=["state", "concluded_at"])
        # A false finding reaches credit through ``record_false_finding`` below, once the disposition
        # is decided (credit notes the broken commitment with the record): every outcome goes this way.
        if outcome == "verified":
            credit.record_commitment_outcome(commitment.application.subject, commitment.letter_number, kept=True)
        _audit("commitment." + outcome, commitment.application, actor, commitment.application.state,
               summary=commitment.letter_number, request=request, letter_number=commitment.letter_number)
    return commitment


def record_false_finding(commitment, severity, decision, actor=None):
    """A commitment found false (失诺): the dishonesty record in the integrity file (idempotent).

    Verification calls this with its disposition (认定文号, 程度); with ``conclude_commitment``'s note of
    a kept commitment it is the one route from a verification finding to credit.
    """
    return credit.record_false_commitment(commitment.application.subject, commitment.letter_number, severity,
                                          decision, actor=actor)
