"""
{% load images %}{% picture image sizes="(min-width: 50rem) 50rem, 100vw" loading="lazy" %}

Renders <picture> from the image's Rendition rows, which the view prefetches (Image.objects.with_renditions()
or prefetch_related("...__renditions")): no storage call and no rendition work while a page renders.
"""

from django import template

from images import processing
from images.models import Rendition

register = template.Library()

# The fallback <img src> for browsers without srcset: big enough for a phone, small enough to be cheap.
FALLBACK_WIDTH = 960


def picture_context(image, *, sizes="100vw", loading="lazy", fetchpriority="", css_class="", alt=None):
    if image is None:
        return {"image": None}
    by_format = {}
    for rendition in image.renditions.all():
        if rendition.kind == Rendition.Kind.WIDTH:
            by_format.setdefault(rendition.format, []).append(rendition)
    for renditions in by_format.values():
        renditions.sort(key=lambda r: r.width)
    fallback_format = "jpeg" if "jpeg" in by_format else next(iter(by_format), None)
    if fallback_format is None:  # renditions not made yet (the worker is on it): the cleaned original
        return {
            "image": image,
            "src": image.file.url,
            "width": image.width,
            "height": image.height,
            "alt": image.alt_text if alt is None else alt,
            "loading": loading,
            "fetchpriority": fetchpriority,
            "css_class": css_class,
        }
    fallbacks = by_format[fallback_format]
    small_enough = [r for r in fallbacks if r.width <= FALLBACK_WIDTH]
    src = small_enough[-1] if small_enough else fallbacks[0]
    largest = fallbacks[-1]
    return {
        "image": image,
        "sources": [
            {"type": processing.MIME_TYPES[f], "srcset": _srcset(by_format[f])}
            for f in processing.rendition_formats()
            if f != fallback_format and f in by_format
        ],
        "src": src.url,
        "srcset": _srcset(fallbacks),
        "sizes": sizes,
        # The largest rendition's size: the browser reserves the right box (no layout shift).
        "width": largest.width,
        "height": largest.height,
        "alt": image.alt_text if alt is None else alt,
        "loading": loading,
        "fetchpriority": fetchpriority,
        "css_class": css_class,
    }


def _srcset(renditions):
    return ", ".join(f"{r.url} {r.width}w" for r in renditions)


@register.inclusion_tag("images/picture.html")
def picture(image, sizes="100vw", loading="lazy", fetchpriority="", css_class="", alt=None):
    return picture_context(
        image, sizes=sizes, loading=loading, fetchpriority=fetchpriority, css_class=css_class, alt=alt
    )
