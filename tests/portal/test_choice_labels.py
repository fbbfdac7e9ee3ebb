"""``get_FOO_display`` answered from a kept table (portal/choice_labels.py) says what Django's own would."""

from django.apps import apps
from django.db.models import Model
from django.utils import translation


def _fields_with_choices():
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.choices:
                yield model, field


def test_every_label_in_both_languages_is_what_django_would_display():
    checked = 0
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for model, field in _fields_with_choices():
                for value, _label in field.flatchoices:
                    row = model(**{field.attname: value})
                    ours = getattr(row, f"get_{field.name}_display")()
                    djangos = Model._get_FIELD_display(row, field)
                    assert ours == djangos, (model.__name__, field.name, value, language)
                    checked += 1
    assert checked > 100


def test_a_stored_value_without_a_label_is_shown_as_stored():
    from verification.models import VerificationTask

    assert VerificationTask(state="retired-state").get_state_display() == "retired-state"


def test_the_task_state_label_follows_the_language():
    from verification.models import VerificationTask

    task = VerificationTask(state=VerificationTask.State.OPEN)
    with translation.override("zh-hans"):
        chinese = task.get_state_display()
    with translation.override("en"):
        english = task.get_state_display()
    assert chinese != english and any("\u4e00" <= ch <= "\u9fff" for ch in chinese)
