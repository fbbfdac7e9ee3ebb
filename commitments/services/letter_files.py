"""The letter PDF: stored once, sealed, rendered by a task or on the spot."""

import hashlib
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from portal import seals

from .. import letters, selectors
from ..models import (
    Commitment,
)
from ._common import log


def letter_pdf(commitment_pk) -> bytes:
    """The stored letter; rendered and stored now if the task has not run yet (first one stored wins)."""
    commitment = Commitment.objects.get(pk=commitment_pk)
    if commitment.letter_file:
        try:
            with commitment.letter_file.open("rb") as fh:
                return fh.read()
        except FileNotFoundError:
            log.warning("letter %s missing from storage; rendering again", commitment.letter_number)
            Commitment.objects.filter(pk=commitment.pk).update(letter_file="")
    try:
        content = letters.render(commitment)
    except seals.SealError as exc:  # never an unsealed letter: operators see this in the log and /healthz
        log.error("letter %s not issued: %s", commitment.letter_number, exc.message)
        raise
    name = default_storage.save(f"commitments/letters/{uuid.uuid4().hex}.pdf", ContentFile(content))
    stored = Commitment.objects.filter(pk=commitment.pk, letter_file="").update(
        letter_file=name, letter_rendered_at=timezone.now(), letter_sha256=hashlib.sha256(content).hexdigest(),
        letter_sealed_by=seals.seal_key(commitment.application.agency, issue=False).holder[:200],
    )
    if not stored:  # someone else stored it meanwhile: keep theirs
        default_storage.delete(name)
    return content


def render_letter(commitment_pk) -> bool:
    """Task body: render and store the letter unless it is already stored. Returns whether it rendered."""
    if Commitment.objects.filter(pk=commitment_pk).exclude(letter_file="").exists():
        return False
    if not Commitment.objects.filter(pk=commitment_pk).exists():
        return False
    letter_pdf(commitment_pk)
    return True


def render_missing_letters(limit=100) -> int:
    """Beat sweep: letters whose task was lost (broker down at commit time)."""
    done = 0
    for pk in selectors.letters_to_render(limit):
        done += render_letter(pk)
    return done
