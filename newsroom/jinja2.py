"""
The Jinja2 environment of the public pages (templates/jinja2/); the admin stays on Django templates.

Public pages render dozens of story cards; Jinja2 compiles a template to Python once, so a card costs a few
attribute lookups rather than a walk over Django template nodes. Globals and filters mirror the Django tags
the templates used: static, url, now, the project's own helpers (public/templating.py) and a few of
Django's filters.
"""

import logging

from django.conf import settings
from django.template.defaultfilters import pluralize
from django.templatetags.static import static as hashed_static
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from jinja2 import Environment, Template

from public import templating

logger = logging.getLogger(__name__)


def static(path):
    """
    The static file's URL, hashed by the manifest storage in production. Without a manifest entry (before
    `collectstatic`, or a file left out of it) the plain URL instead of an exception: otherwise every
    page, the 404 and 500 pages included, would fail with a 500 that itself cannot render.
    """
    try:
        return hashed_static(path)
    except ValueError:
        logger.error("No staticfiles manifest entry for %r: run collectstatic", path)
        return settings.STATIC_URL.rstrip("/") + "/" + path.lstrip("/")


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


class PageEnvironment(Environment):
    template_class = PageTemplate

    def make_globals(self, d):
        """
        A template's globals as one dict over the environment's, not a ChainMap: on every render, each
        {% from ... import %} compares the names of the importing page's globals with the imported
        template's, and on a ChainMap that runs through collections.abc in Python (~4% of the home page).
        The environment's globals are all set below, before any template loads (as Jinja2 asks).
        """
        return {**self.globals, **(d or {})}


def environment(**options):
    env = PageEnvironment(**options)
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
