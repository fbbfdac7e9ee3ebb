"""QuickSelect writes the same <select> as Django's own, in one pass."""

import pytest
from django import forms
from django.test.html import parse_html

from portal.models import Agency
from portal.widgets import QuickSelect
from tests.factories import AgencyFactory

CHOICES = [("", "请选择"), ("1", "西安市公安局"), ("2", '名称里有 <b>标签</b> & "引号"'), ("3", "雁塔区民政局")]


@pytest.mark.parametrize("value", [None, "", "2", 3, ["1"]])
def test_a_quick_select_writes_the_same_markup_as_djangos(value):
    attrs = {"id": "id_to_agency", "class": "form-select", "required": True}
    ours = QuickSelect(choices=CHOICES).render("to_agency", value, attrs)
    django = forms.Select(choices=CHOICES).render("to_agency", value, attrs)
    assert parse_html(ours) == parse_html(django)


def test_a_label_with_markup_is_escaped():
    html = QuickSelect(choices=CHOICES).render("x", None)
    assert "&lt;b&gt;标签&lt;/b&gt; &amp; &quot;引号&quot;" in html and "<b>" not in html


@pytest.mark.django_db
def test_a_model_choice_field_on_a_quick_select_shows_every_agency_and_keeps_the_chosen_one():
    a, b = AgencyFactory(name="西安市市场监督管理局"), AgencyFactory(name="西安市人力资源和社会保障局")

    class F(forms.Form):
        to_agency = forms.ModelChoiceField(queryset=Agency.objects.filter(pk__in=[a.pk, b.pk]).order_by("pk"),
                                           empty_label="请选择", widget=QuickSelect)

    bound = F({"to_agency": str(b.pk)})
    assert bound.is_valid() and bound.cleaned_data["to_agency"] == b
    html = str(bound["to_agency"])
    assert f'<option value="{b.pk}" selected>西安市人力资源和社会保障局</option>' in html
    assert f'<option value="{a.pk}">西安市市场监督管理局</option>' in html and '<option value="">请选择</option>' in html

    class Plain(forms.Form):
        to_agency = forms.ModelChoiceField(queryset=F.base_fields["to_agency"].queryset, empty_label="请选择")

    assert parse_html(html) == parse_html(str(Plain({"to_agency": str(b.pk)})["to_agency"]))


def test_grouped_choices_are_left_to_djangos_select():
    grouped = [("市级", [("1", "西安市公安局")]), ("区县", [("2", "雁塔区民政局")])]
    assert parse_html(QuickSelect(choices=grouped).render("x", "2")) == parse_html(
        forms.Select(choices=grouped).render("x", "2"))
