"""
The framework floor for bench/pages.py: a minimal view that returns a page's exact bytes from memory, served
by the same gunicorn and middleware as the real page. Routed only when BENCH_FLOOR=1 (newsroom/urls.py);
bench/pages.py writes each page's bytes to BENCH_FLOOR_DIR before it measures.
"""

import os
from pathlib import Path

from django.http import Http404, HttpResponse
from django.urls import path

_pages = {}


def floor(request, name):
    page = _pages.get(name)
    if page is None:
        folder = Path(os.environ["BENCH_FLOOR_DIR"])
        try:
            page = (folder / f"{name}.body").read_bytes(), (folder / f"{name}.type").read_text()
        except FileNotFoundError:
            raise Http404(name) from None
        _pages[name] = page
    return HttpResponse(page[0], content_type=page[1])


urlpatterns = [path("__bench__/floor/<slug:name>/", floor)]
