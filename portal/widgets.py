"""Form widgets whose cost does not grow with a long list of choices."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join


class QuickSelect(forms.Select):
    """A single ``<select>`` written in one pass. Django renders every option through a template of its own
    (about 560 Python calls an option): a list of every agency of a city — hundreds — cost more than the
    rest of its page. Same markup, attributes and escaping as ``forms.Select``; grouped choices fall back
    to it."""

    def render(self, name, value, attrs=None, renderer=None):
        choices = [choice for choice in self.choices]  # noqa: C416 - list() would ask a ModelChoiceIterator its len(): a COUNT query
        if any(isinstance(label, (list, tuple)) for _value, label in choices):
            return super().render(name, value, attrs, renderer)
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        chosen = {str(v) for v in self.format_value(value)}
        options = format_html_join("", "{}", ((
            format_html('<option value="{}" selected>{}</option>', v, label) if str(v) in chosen
            else format_html('<option value="{}">{}</option>', v, label),
        ) for v, label in ((str(v), label) for v, label in choices)))
        return format_html("<select{}>{}</select>", flatatt(final), options)
