"""``{% form_token %}``: the hidden field of ``portal.once`` (one result per form, 防重复提交)."""

from django import template
from django.utils.html import format_html

from portal import once

register = template.Library()


@register.simple_tag
def form_token():
    return format_html('<input type="hidden" name="{}" value="{}">', once.FIELD, once.new_token())
