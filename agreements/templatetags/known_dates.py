"""``{{ agreement|known:"signed_on" }}``: a date as it is known, in a ``<time>`` element."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def known(obj, name):
    """``<time datetime="1982">1982</time>``, ``… "2018-05">Mei 2018</time>``; "" when empty."""
    value = obj.known(name) if obj is not None else None
    if value is None:
        return ""
    return format_html('<time datetime="{}">{}</time>', value.iso, str(value))


@register.filter
def known_text(obj, name):
    """The same date as plain text ("Mei 2018"), for mail and other text without markup."""
    value = obj.known(name) if obj is not None else None
    return "" if value is None else str(value)
