"""The one helper the Django templates still need (the news sitemap); the public pages are Jinja2."""

from django import template

from public import templating

register = template.Library()
register.filter("iso_time", templating.iso_time)
