"""The one transition runner (portal.transitions) and the one refusal (portal.errors)."""

import pytest
from django import forms
from django.utils import timezone

from catalog import services
from catalog.models import Catalogue
from portal import transitions
from portal.errors import Refused, show_refusal
from portal.models import AuditEvent
from tests.catalog.conftest import add_matter

S = Catalogue.State


class _Refusal(Refused):
    pass


REFUSALS = transitions.Refusals(error=_Refusal, stale="状态已变", forbidden="无权", unmet="条件不满足")


@pytest.fixture
def draft(editor):
    catalogue = services.start_version(actor=editor)
    add_matter(catalogue)
    return catalogue


def test_a_step_taken_is_saved_and_audited_with_both_states(draft, editor):
    draft.submitted_at = timezone.now()
    before = transitions.run(
        draft,
        "submit",
        by=editor,
        actor=editor,
        refusals=REFUSALS,
        audit=transitions.Audit("catalog.test_submit", summary="报送"),
    )
    assert before == S.DRAFT
    assert Catalogue.objects.get(pk=draft.pk).state == S.SUBMITTED
    event = AuditEvent.objects.get(action="catalog.test_submit")
    assert (event.from_state, event.to_state, event.actor) == (S.DRAFT, S.SUBMITTED, editor)


def test_a_step_not_allowed_from_the_current_state_is_refused_as_stale(draft, approver):
    with pytest.raises(_Refusal) as exc:
        transitions.run(draft, "publish", by=approver, actor=approver, refusals=REFUSALS)
    assert (exc.value.code, exc.value.message) == ("stale", "状态已变")
    assert Catalogue.objects.get(pk=draft.pk).state == S.DRAFT


def test_a_step_whose_conditions_fail_is_refused_with_the_apps_message(editor):
    empty = services.start_version(actor=editor)
    with pytest.raises(_Refusal) as exc:
        transitions.run(empty, "submit", by=editor, actor=editor, refusals=REFUSALS)
    assert (exc.value.code, exc.value.message) == ("conditions", "条件不满足")


def test_a_step_the_actor_may_not_take_is_refused_as_forbidden(draft, clerk):
    with pytest.raises(_Refusal) as exc:
        transitions.run(draft, "submit", by=clerk, actor=clerk, refusals=REFUSALS)
    assert exc.value.code == "forbidden"
    assert not AuditEvent.objects.filter(action__startswith="catalog.test").exists()


def test_a_step_taken_meanwhile_by_someone_else_makes_the_conditional_save_fail(draft, editor):
    stale_copy = Catalogue.objects.get(pk=draft.pk)
    draft.submitted_at = stale_copy.submitted_at = timezone.now()
    transitions.run(draft, "submit", by=editor, actor=editor, refusals=REFUSALS)
    # The copy still reads "draft": UPDATE … WHERE state = 'draft' hits no row.
    with pytest.raises(_Refusal) as exc:
        transitions.run(
            stale_copy,
            "submit",
            by=editor,
            actor=editor,
            refusals=REFUSALS,
            audit=transitions.Audit("catalog.test_twice"),
        )
    assert exc.value.code == "stale"
    assert not AuditEvent.objects.filter(action="catalog.test_twice").exists()


def test_allowed_answers_from_the_state_alone(draft):
    assert transitions.allowed(draft, "submit")
    assert not transitions.allowed(draft, "publish")


class _Form(forms.Form):
    name = forms.CharField(required=False)


def test_a_refusal_with_a_field_is_shown_beside_it_and_one_without_above_the_form():
    form = _Form({"name": "x"})
    form.is_valid()
    show_refusal(form, Refused("已有同名事项", field="name", code="duplicate"))
    show_refusal(form, Refused("状态已变", field="not_on_this_form"))
    assert form.errors["name"] == ["已有同名事项"]
    assert form.non_field_errors() == ["状态已变"]


def test_a_refusal_has_a_default_code_and_reads_as_its_message():
    exc = Refused("不能办理")
    assert (str(exc), exc.code, exc.field) == ("不能办理", "refused", None)
