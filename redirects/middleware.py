"""
Managed redirects, looked up only for a response that is already a 404: an ordinary page pays nothing
(tests/redirects/test_middleware.py counts the queries of an article page with and without redirects).
"""

from django.http import HttpResponseGone, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.template.loader import render_to_string

from redirects.models import Redirect


class RedirectFallbackMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        found = Redirect.objects.for_path(request.path)
        if found is None:
            return response
        Redirect.objects.count_hit(found.pk)
        if found.status == Redirect.Kind.GONE:
            return HttpResponseGone(render_to_string("410.html", request=request))
        target = found.new_path
        if request.META.get("QUERY_STRING") and "?" not in target:
            target = f"{target}?{request.META['QUERY_STRING']}"  # campaign and paging parameters go along
        if found.status == Redirect.Kind.FOUND:
            return HttpResponseRedirect(target)
        return HttpResponsePermanentRedirect(target)
