import json

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

# The escapes of django.utils.html.json_script: no "<", ">" or "&" can end the script element early.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag(takes_context=True)
def json_ld(context, data):
    """A schema.org data block, with the CSP nonce although browsers never run it (see articles/cache.py)."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_JSON_ESCAPES)
    nonce = context.get("csp_nonce")  # a LazyNonce: false until read, so test for None
    if nonce is not None:
        return format_html(
            '<script type="application/ld+json" nonce="{}">{}</script>', nonce, mark_safe(payload)
        )
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))


@register.simple_tag(takes_context=True)
def page_url(context, number):
    """The current URL with ?page=number (page 1 is the bare URL), other query parameters kept."""
    request = context["request"]
    query = request.GET.copy()
    if number == 1:
        query.pop("page", None)
    else:
        query["page"] = number
    encoded = query.urlencode()
    return request.path + ("?" + encoded if encoded else "")
