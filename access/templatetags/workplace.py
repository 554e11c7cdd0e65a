from django import template
from django.utils import timezone

from access.models import TimeZone

register = template.Library()


@register.simple_tag
def time_zones():
    """Indonesia's three zones as (value, short name, label, chosen) for the zone picker."""
    current = timezone.get_current_timezone_name()
    return [(zone.value, zone.name, zone.label, zone.value == current) for zone in TimeZone]
