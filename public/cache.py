"""
Caching of public pages: rendered pages in Django's cache (Redis when REDIS_URL is set) plus HTTP caching.

Invalidation is by generation: every cached page's key contains the current generation token, and purge()
replaces the token, so one call forgets every public page at once (nothing to enumerate, no stale
fragments). purge() runs on every save/delete of what pages show (articles, bylines, tags, authors,
sections, pins; see articles/receivers.py); the workflow's signals and the importer call it too.

Time-based publishing: published() is a function of the clock, so a page may change with no write at all
(a scheduled article goes live, an embargo ends). Each generation therefore records the next moment any
article goes live or expires; the first request after that moment starts a new generation, and cache
entries never live past it.

settings.PUBLIC_PAGE_CACHE (env PUBLIC_PAGE_CACHE, default on) turns the stored pages off, e.g. to benchmark
uncached rendering; HTTP caching headers and 304s stay.

Who gets what:
- anonymous readers: the cached page, `Cache-Control: public, max-age=...` (capped at the next scheduled
  change), `ETag` and `Last-Modified`, 304 on a matching conditional GET; `Vary: Cookie`, because a
  logged-in reader gets a different response.
- logged-in users (staff): always a fresh render, never stored, `Cache-Control: private, no-cache`.

Two levels: each process keeps the pages it served lately in memory (`_LocalMemory`, at most
LOCAL_PAGE_BYTES), under the generation token it last read, in front of the shared cache. The token is what
makes that safe across several app servers: a purge() in this process forgets the local pages at once, and
a purge() by another process (another worker or server) is seen here as soon as this process next reads
the generation from the shared cache, at most LOCAL_SECONDS (1 s) later. That is the same bounded
staleness as the generation reuse alone had before the first level existed: the worker already kept
serving the old generation's pages from the shared cache for up to that second. Scheduled changes are
exact to the second on every process (the generation carries its next_change). A cache hit thus costs no
round trip at all for LOCAL_SECONDS at a time, and a body is unpickled once per process and generation.
Per-generation values (cached_value(): page counts, an author's article ids) are kept the same way.

CSP nonces: a cached body must not carry one request's nonce under another request's header. Public pages
have no inline script; their only <script> is the JSON-LD data block, which browsers never execute (CSP's
script-src does not apply to a non-JavaScript type), but it carries the nonce anyway so the page stays
valid under any policy. Before a page is stored, its nonce is replaced by a placeholder; each cached
response gets the placeholder replaced by its own request's nonce, which also puts that nonce in the
response's CSP header (the middleware adds the nonce once it has been read). A 304 carries no CSP header,
so a browser keeps the header that came with the body it already has.
"""

import datetime
import hashlib
import pickle
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date, parse_http_date_safe

from newsroom.readers import may_be_logged_in

GENERATION_KEY = "public-pages:generation"
PAGE_TTL = 600  # seconds a rendered page stays in the cache at most
BROWSER_MAX_AGE = 60  # seconds browsers and shared caches may reuse a page without asking
NONCE_PLACEHOLDER = b"__public-pages-csp-nonce__"


@dataclass(frozen=True)
class Generation:
    token: str
    next_change: datetime.datetime | None  # the next go-live or expiry after the generation began

    def seconds_left(self, now):
        if self.next_change is None:
            return None
        return max(int((self.next_change - now).total_seconds()), 0)


def _next_scheduled_change(now):
    """The next moment any article's visibility changes by the clock alone (one indexed query)."""
    from articles.models import Status

    ops = connection.ops
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT
                (SELECT min(published_at) FROM articles_article WHERE status = %s AND published_at > %s),
                      (SELECT min(publish_at) FROM articles_article WHERE status = %s AND publish_at > %s),
                      (SELECT min(unpublish_at) FROM articles_article WHERE unpublish_at > %s)""",
            [
                Status.PUBLISHED,
                ops.adapt_datetimefield_value(now),
                Status.SCHEDULED,
                ops.adapt_datetimefield_value(now),
                ops.adapt_datetimefield_value(now),
            ],
        )
        row = cursor.fetchone()
    moments = []
    for value in row:
        if isinstance(value, str):  # SQLite returns its text form, in UTC
            value = parse_datetime(value).replace(tzinfo=datetime.UTC)
        if value is not None:
            moments.append(value)
    return min(moments) if moments else None


def _start_generation(now):
    generation = Generation(token=secrets.token_hex(8), next_change=_next_scheduled_change(now))
    # Stored as plain values, not the dataclass: a pickle names its class's module, and the shared cache
    # outlives a deploy that moves or renames it.
    cache.set(GENERATION_KEY, (generation.token, generation.next_change), timeout=None)
    return generation


def _stored_generation():
    """The shared generation, or None when there is none or it is not one this code can read."""
    try:
        token, next_change = cache.get(GENERATION_KEY)
    except (TypeError, ValueError):  # none stored, or not a pair
        return None
    except (ImportError, AttributeError, pickle.UnpicklingError):  # pickled by code that is gone
        return None
    if not isinstance(token, str) or not (next_change is None or isinstance(next_change, datetime.datetime)):
        return None
    return Generation(token=token, next_change=next_change)


# The generation as this process last read it, reused for up to LOCAL_SECONDS: a cache hit then costs one
# round trip to the cache, not two. Another process's purge() is seen here at most that much later.
LOCAL_SECONDS = 1.0
_local = (None, 0.0)


def current_generation(now=None):
    global _local
    now = now or timezone.now()
    generation, read_at = _local
    if generation is not None and time.monotonic() - read_at < LOCAL_SECONDS:
        if generation.next_change is None or now < generation.next_change:
            return generation
    generation = _stored_generation()
    if generation is None or (generation.next_change is not None and now >= generation.next_change):
        generation = _start_generation(now)
    _local = (generation, time.monotonic())
    return generation


def _forget():
    forget_local()
    cache.delete(GENERATION_KEY)


def forget_local():
    """Drop what this process keeps in memory (the generation, its pages and values); not the shared cache."""
    global _local
    _local = (None, 0.0)
    _pages.clear()
    _values.clear()


# The first level's budget per process: the bodies of the pages this process served lately, and the
# per-generation values (page counts, an author's article ids).
LOCAL_PAGE_BYTES = 32 * 1024 * 1024
LOCAL_VALUE_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class _Page:
    """A stored page as served: the body cut at its nonce placeholders, so a hit only joins the parts."""

    parts: tuple[bytes, ...]
    content_type: str
    etag: str
    last_modified: str
    last_modified_timestamp: int | None
    headers: dict

    @classmethod
    def from_entry(cls, entry):
        return cls(
            parts=tuple(entry["body"].split(NONCE_PLACEHOLDER)),
            content_type=entry["content_type"],
            etag=entry["etag"],
            last_modified=entry["last_modified"],
            last_modified_timestamp=parse_http_date_safe(entry["last_modified"]),
            headers=entry["headers"],
        )

    @property
    def size(self):
        return sum(len(part) for part in self.parts) + 512

    def body(self, request):
        if len(self.parts) == 1:
            return self.parts[0]
        return str(_nonce(request)).encode().join(self.parts)


class _LocalMemory:
    """
    Items of one generation in this process's memory, each with its size and lifetime; the least recently
    used are dropped past `max_bytes`, and everything when another generation's token comes along.
    """

    def __init__(self, max_bytes):
        self.max_bytes = max_bytes
        self.token = None
        self.items = OrderedDict()  # key -> (item, size, expires: a time.monotonic())
        self.size = 0
        self.lock = threading.Lock()

    def get(self, token, key):
        with self.lock:
            if token != self.token:
                return None
            found = self.items.get(key)
            if found is None:
                return None
            if time.monotonic() >= found[2]:
                self._drop(key)
                return None
            self.items.move_to_end(key)
            return found[0]

    def put(self, token, key, item, *, size, ttl):
        if size > self.max_bytes:
            return
        with self.lock:
            if token != self.token:  # a new generation: the old one's items can never be served again
                self._reset(token)
            if key in self.items:
                self._drop(key)
            self.items[key] = (item, size, time.monotonic() + ttl)
            self.size += size
            while self.size > self.max_bytes:
                self._drop(next(iter(self.items)))

    def clear(self):
        with self.lock:
            self._reset(None)

    def _reset(self, token):
        self.token = token
        self.items.clear()
        self.size = 0

    def _drop(self, key):
        self.size -= self.items.pop(key)[1]


_pages = _LocalMemory(LOCAL_PAGE_BYTES)
_values = _LocalMemory(LOCAL_VALUE_BYTES)


def _value_size(value):
    return 64 + 8 * len(value) if isinstance(value, list | tuple | dict | set) else 64


def purge(*args, **kwargs):
    """Forget every cached public page. Accepts and ignores signal arguments, so it can be a receiver."""
    _forget()
    # Once more after the commit: a request between the write and its commit may have cached old rows.
    transaction.on_commit(_forget)


def cached_value(name, compute, *, now=None):
    """A value (such as a page count) cached for the current generation only."""
    now = now or timezone.now()
    generation = current_generation(now)
    value = _values.get(generation.token, name)
    if value is not None:
        return value
    key = f"public-pages:value:{generation.token}:{name}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout=_ttl(generation, now))
    _values.put(generation.token, name, value, size=_value_size(value), ttl=_ttl(generation, now))
    return value


def _ttl(generation, now):
    left = generation.seconds_left(now)
    return PAGE_TTL if left is None else max(min(PAGE_TTL, left), 1)


def _page_key(generation, path):
    digest = hashlib.sha256(path.encode()).hexdigest()
    return f"public-pages:page:{generation.token}:{digest}"


def _nonce(request):
    return getattr(request, "_csp_nonce", None)


def public_page(view=None, *, key=None):
    """
    Serve `view` from the page cache to anonymous readers; ETag, Last-Modified, 304 and Cache-Control.
    Pages are stored under their full path, or under `key(request)` for a view whose page depends on a
    normalized form of the request only (search: @public_page(key=...)).
    """
    if view is None:
        return lambda view: public_page(view, key=key)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        if may_be_logged_in(request) and request.user.is_authenticated:
            response = view(request, *args, **kwargs)
            patch_cache_control(response, private=True, no_cache=True)
            patch_vary_headers(response, ["Cookie"])
            return response

        now = timezone.now()
        generation = current_generation(now)
        stored = getattr(settings, "PUBLIC_PAGE_CACHE", True)
        path = request.get_full_path() if key is None else key(request)
        page = _pages.get(generation.token, path) if stored else None
        response = None  # a fresh render's own response; a stored page gets a new one below
        if page is None:
            shared_key = _page_key(generation, path)
            entry = cache.get(shared_key) if stored else None
            if entry is None:
                response = view(request, *args, **kwargs)
                if response.status_code != 200 or response.streaming:
                    return _anonymous_headers(response, generation, now)
                if hasattr(response, "render"):
                    response.render()
                body = response.content
                nonce = _nonce(request)
                if nonce:  # the page used the nonce: store the body without it
                    body = body.replace(str(nonce).encode(), NONCE_PLACEHOLDER)
                entry = {
                    "body": body,
                    "content_type": response["Content-Type"],
                    "etag": f'"{hashlib.sha256(body).hexdigest()[:32]}"',
                    "last_modified": http_date(now.timestamp()),
                    "headers": {k: v for k, v in response.items() if k.lower().startswith("x-robots")},
                }
                page = _Page.from_entry(entry)
                if stored:
                    cache.set(shared_key, entry, timeout=_ttl(generation, now))
                    _pages.put(generation.token, path, page, size=page.size, ttl=_ttl(generation, now))
            else:
                page = _Page.from_entry(entry)
                # In memory no longer than the shared cache keeps it: PAGE_TTL from when it was rendered.
                age = now.timestamp() - (page.last_modified_timestamp or now.timestamp())
                ttl = min(_ttl(generation, now), PAGE_TTL - age)
                if ttl > 0:
                    _pages.put(generation.token, path, page, size=page.size, ttl=ttl)
        if response is None:
            response = HttpResponse(page.body(request), content_type=page.content_type)
            for header, value in page.headers.items():
                response[header] = value
        response["ETag"] = page.etag
        response["Last-Modified"] = page.last_modified
        response = _anonymous_headers(response, generation, now)
        conditional = get_conditional_response(
            request,
            etag=page.etag,
            last_modified=page.last_modified_timestamp,
            response=response,
        )
        if conditional.status_code == 304:
            # No CSP header: the browser keeps the one that came with the body it reuses.
            conditional._csp_config = {}
            conditional._csp_ro_config = {}
        return conditional

    return wrapped


def _anonymous_headers(response, generation, now):
    max_age = BROWSER_MAX_AGE
    left = generation.seconds_left(now)
    if left is not None:
        max_age = min(max_age, left)
    # A response of our own (a stored page's) has neither header yet: set them as the patch_* functions
    # would, without parsing what is not there.
    if response.status_code in (200, 301, 404):
        if "Cache-Control" in response:
            patch_cache_control(response, public=True, max_age=max_age)
        else:
            response["Cache-Control"] = f"public, max-age={max_age}"
    if "Vary" in response:
        patch_vary_headers(response, ["Cookie"])
    else:
        response["Vary"] = "Cookie"
    return response
