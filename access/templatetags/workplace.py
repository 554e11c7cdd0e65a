from django import template
from django.utils import timezone

from access.models import TimeZone, is_editor

register = template.Library()


@register.simple_tag
def time_zones():
    """Indonesia's three zones as (value, short name, label, chosen) for the zone picker."""
    current = timezone.get_current_timezone_name()
    return [(zone.value, zone.name, zone.label, zone.value == current) for zone in TimeZone]


@register.filter
def held_to_regions(user):
    """Whether ``user`` is an editor held to their regions (``access.models.is_editor``): in the
    admin, another region's record is not found for them, and the error page says why."""
    return user.is_authenticated and is_editor(user)
