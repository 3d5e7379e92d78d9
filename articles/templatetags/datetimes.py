from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def html_datetime(value):
    """
    A datetime for `<time datetime>`: ISO 8601 in the current time zone, to the second. (Django's `|date:"c"`
    keeps microseconds, and HTML allows at most three digits of a fraction.)
    """
    if not value:
        return ""
    return timezone.localtime(value).replace(microsecond=0).isoformat()
