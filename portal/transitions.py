"""The one way to take a state-machine step (状态流转) on a model with an ``FSMField``.

``run`` checks, in this order, that the step is allowed from the current state, that its
conditions hold and that the actor is permitted (django-fsm's public ``can_proceed`` and
``has_transition_perm``), each refusal with its own Chinese message and code. It then calls the
transition and saves inside ``transaction.atomic``. The models use ``ConcurrentTransitionMixin``,
so the save is a conditional ``UPDATE … WHERE state = <state read>``: a step taken meanwhile by
someone else makes the save fail, and that too becomes the "state has changed" refusal. With
``audit`` the audit record is written in the same transaction.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_fsm import (
    ConcurrentTransition,
    FSMFieldMixin,
    TransitionNotAllowed,
    can_proceed,
    has_transition_perm,
)

from portal import audit as audit_trail
from portal.errors import Refused

STALE = _("该事项的状态已经变化（可能已被他人处理），请刷新页面后查看。")
FORBIDDEN = _("您无权执行此操作。")


@dataclass(frozen=True)
class Refusals:
    """What an app says when a step is refused: its error class and its messages.

    ``unmet`` is the message (or a function of the object giving it) when the step's conditions
    do not hold; without it that case reads as ``stale``.
    """

    error: type[Refused] = Refused
    stale: str = STALE
    forbidden: str = FORBIDDEN
    unmet: str | Callable[[object], str] | None = None


@dataclass(frozen=True)
class Audit:
    """The audit record a step writes: ``action`` plus what ``portal.audit.record`` takes."""

    action: str
    summary: str = ""
    agency: object = None
    request: object = None
    data: dict = field(default_factory=dict)


DEFAULT = Refusals()


def state_of(obj) -> str:
    """The value of the object's (one) state-machine field."""
    for model_field in obj._meta.concrete_fields:
        if isinstance(model_field, FSMFieldMixin):
            return getattr(obj, model_field.attname)
    raise TypeError(f"{type(obj).__name__} has no FSMField")


def allowed(obj, name: str) -> bool:
    """Whether step ``name`` may start from the object's current state (conditions not checked)."""
    return can_proceed(getattr(obj, name), check_conditions=False)


def check(obj, name: str, actor=None, refusals: Refusals = DEFAULT) -> None:
    """Raise the app's refusal unless step ``name`` is allowed, its conditions hold and ``actor`` may take it.

    ``actor=None`` is the system (a deadline, an automatic routing): no permission is checked.
    """
    bound = getattr(obj, name)
    if not can_proceed(bound, check_conditions=False):
        raise refusals.error(refusals.stale, code="stale")
    if not can_proceed(bound):
        unmet = refusals.unmet(obj) if callable(refusals.unmet) else refusals.unmet
        if unmet is None:
            raise refusals.error(refusals.stale, code="stale")
        raise refusals.error(unmet, code="conditions")
    if actor is not None and not has_transition_perm(bound, actor):
        raise refusals.error(refusals.forbidden, code="forbidden")


def run(
    obj, name: str, *args, actor=None, refusals: Refusals = DEFAULT, audit: Audit | None = None, **kwargs
) -> str:
    """Take step ``name`` on ``obj`` (a row the caller has locked) and save it; return the state before.

    ``args`` and ``kwargs`` go to the transition method unchanged; ``actor`` is whom the
    permission is checked for and whom the audit record names.
    """
    check(obj, name, actor, refusals)
    before = state_of(obj)
    with transaction.atomic():
        try:
            getattr(obj, name)(*args, **kwargs)
            obj.save()
        except (TransitionNotAllowed, ConcurrentTransition):
            raise refusals.error(refusals.stale, code="stale") from None
        if audit is not None:
            audit_trail.record(
                audit.action,
                obj=obj,
                actor=actor,
                agency=audit.agency,
                from_state=before,
                to_state=state_of(obj),
                summary=audit.summary,
                data=audit.data,
                request=audit.request,
            )
    return before
