"""``get_<field>_display()`` answered from a table built once per field and language (选项显示名).

Django's own ``get_FOO_display`` rebuilds the field's whole choices dict on every call and hashes each
lazy label to do it — a gettext per label. A list page calls it for every row and column: on the
verification queue that was about a fifth of the page's CPU (docs/performance.md, "Load"). The labels
do not change while the process runs, except with the language, so the table is kept per (field,
language). Same answer as Django's: the label as text, or the stored value when it has no label.

``install()`` replaces Django's default method on every model whose field has fixed choices; a model
that defines its own ``get_FOO_display`` keeps it, and so does a field with callable choices.
"""

import functools
from functools import partialmethod

from django.apps import apps
from django.db.models import Model
from django.utils.choices import CallableChoiceIterator
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import get_language


@functools.cache
def _labels(field, language: str | None) -> dict:
    return {make_hashable(value): force_str(label, strings_only=True) for value, label in field.flatchoices}


def _display(self, field):
    value = getattr(self, field.attname)
    return _labels(field, get_language()).get(make_hashable(value), force_str(value, strings_only=True))


def _is_djangos_default(method) -> bool:
    return isinstance(method, partialmethod) and method.func is Model._get_FIELD_display


def install() -> None:
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            name = f"get_{field.name}_display"
            if not field.choices or isinstance(field.choices, CallableChoiceIterator):
                continue
            if _is_djangos_default(model.__dict__.get(name)):
                setattr(model, name, partialmethod(_display, field=field))
