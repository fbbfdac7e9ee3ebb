"""Resolving a ticket's plain references (办件编号, 告知承诺书/公示编号) against the commitments app.

The ticket keeps them as text: when this app was built the ``commitments`` models were still being
written in the same tree. These functions look the models up through the app registry, so they work
whether or not ``commitments`` has ``Application`` / ``Commitment`` yet, and return ``None`` when a
reference cannot be resolved. Replace them with real foreign keys once those models are stable.
"""

from django.apps import apps


def _model(name):
    try:
        return apps.get_model("commitments", name)
    except LookupError:
        return None


def commitment_for(ref: str):
    """The commitment (告知承诺书) whose letter number is ``ref``, or ``None``."""
    model = _model("Commitment")
    ref = (ref or "").strip()
    if model is None or not ref or not hasattr(model, "letter_number"):
        return None
    return model.objects.filter(letter_number=ref).select_related("application__agency").first()


def application_for(number: str):
    """The application (办件) numbered ``number``, or ``None``."""
    model = _model("Application")
    number = (number or "").strip()
    if model is None or not number:
        return None
    return model.objects.filter(number=number).select_related("agency").first()


def agency_for(*, application_number: str = "", commitment_ref: str = ""):
    """The agency that handled the referenced application or commitment (a routing suggestion)."""
    commitment = commitment_for(commitment_ref)
    if commitment is not None:
        return commitment.application.agency
    application = application_for(application_number)
    if application is not None:
        return application.agency
    return None
