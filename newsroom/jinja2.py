"""
The Jinja2 environment of the public pages (templates/jinja2/); the admin stays on Django templates.

Public pages render dozens of story cards; Jinja2 compiles a template to Python once, so a card costs a few
attribute lookups rather than a walk over Django template nodes. Globals and filters mirror the Django tags
the templates used: static, url, now, the project's own helpers (articles/templating.py) and a few of
Django's filters.
"""

from django.template.defaultfilters import pluralize
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from jinja2 import Environment, Template

from articles import templating


def url(name, *args, **kwargs):
    return reverse(name, args=args or None, kwargs=kwargs or None)


def now(format_string):
    return templating.date(timezone.now(), format_string)


def picture(image, **options):
    """<picture> for an image: the same Django template as {% picture %} (images/templatetags/images.py)."""
    from django.template.loader import render_to_string

    from images.templatetags.images import picture_context

    if image is None:
        return ""
    return mark_safe(render_to_string("images/picture.html", picture_context(image, **options)))


class PageTemplate(Template):
    """A template whose date and link helpers read the time zone and language once per render."""

    def render(self, *args, **kwargs):
        with templating.rendering():
            return super().render(*args, **kwargs)


def environment(**options):
    env = Environment(**options)
    env.template_class = PageTemplate
    env.globals.update(
        {
            "static": static,
            "url": url,
            "now": now,
            "json_ld": templating.json_ld,
            "page_url": templating.page_url,
            "byline": templating.byline,
            "picture": picture,
        }
    )
    env.filters.update(
        {
            "date": templating.date,
            "iso_time": templating.iso_time,
            "time_tag": templating.time_tag,
            "story_link": templating.story_link,
            "article_url": templating.article_url,
            "section_url": templating.section_url,
            "truncatechars": templating.truncatechars,
            "pluralize": pluralize,
        }
    )
    return env
