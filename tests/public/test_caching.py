"""HTTP caching, the rendered-page cache and its invalidation, and the CSP nonce of cached pages."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from articles.models import Status
from public import cache
from tests.factories import make_article, make_author, make_section, make_tag

pytestmark = pytest.mark.django_db


def nonce_of(response):
    header = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
    body = re.search(r'<script type="application/ld\+json" nonce="([^"]+)"', response.text)
    return header and header.group(1), body and body.group(1)


def test_anonymous_readers_get_public_cache_headers_an_etag_and_last_modified(client):
    article = make_article("Cached story")

    response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    assert "public" in response["Cache-Control"] and "max-age=" in response["Cache-Control"]
    assert response["ETag"].startswith('"')
    assert response["Last-Modified"].endswith("GMT")
    assert "Cookie" in response["Vary"]


def test_a_conditional_get_with_the_etag_or_date_answers_304_without_a_body(client):
    article = make_article("Cached story")
    first = client.get(article.get_absolute_url())

    by_etag = client.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])
    by_date = client.get(article.get_absolute_url(), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])

    assert by_etag.status_code == 304 and by_etag.content == b""
    assert by_date.status_code == 304
    assert "Content-Security-Policy" not in by_etag  # the browser keeps the header of the body it has
    assert client.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_a_second_request_is_served_from_the_cache_without_queries(client, django_assert_num_queries):
    make_article("Cached story", tags=[make_tag("Cache")], authors=[make_author()])
    client.get("/")
    client.get("/tags/cache/")

    with django_assert_num_queries(0):
        assert client.get("/").status_code == 200
        assert client.get("/tags/cache/").status_code == 200


def test_the_nonce_in_a_cached_page_matches_each_responses_own_header(client):
    article = make_article("Nonce story")

    first = client.get(article.get_absolute_url())
    second = client.get(article.get_absolute_url())

    header1, body1 = nonce_of(first)
    header2, body2 = nonce_of(second)
    assert header1 and header1 == body1
    assert header2 and header2 == body2
    assert header1 != header2
    assert first["ETag"] == second["ETag"]


def test_logged_in_staff_always_get_fresh_private_pages(client, django_assert_max_num_queries):
    staff = get_user_model().objects.create_user("editor", password="pw", is_staff=True)
    article = make_article("Story")
    client.get(article.get_absolute_url())  # warm the cache for anonymous readers
    client.force_login(staff)

    response = client.get(article.get_absolute_url())

    assert "private" in response["Cache-Control"] and "no-cache" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]
    assert "ETag" not in response
    header, body = nonce_of(response)
    assert header == body


@pytest.mark.parametrize(
    "change",
    [
        "edit headline",
        "unpublish",
        "add tag",
        "rename tag",
        "rename author",
        "rename section",
        "delete",
    ],
)
def test_every_change_readers_see_purges_the_cached_pages(client, change):
    section = make_section("Politics")
    author = make_author("Jo Writer")
    tag = make_tag("Elections")
    article = make_article("Original headline", section=section, authors=[author], tags=[tag])
    urls = ["/", article.get_absolute_url(), "/tags/elections/", "/authors/jo-writer/", "/sections/politics/"]
    before = {url: client.get(url).text for url in urls}

    if change == "edit headline":
        article.headline = "Changed headline"
        article.save()
    elif change == "unpublish":
        article.status = Status.UNPUBLISHED
        article.save()
    elif change == "add tag":
        article.tags.add(make_tag("Added topic"))
    elif change == "rename tag":
        tag.name = "Votes"
        tag.save()
    elif change == "rename author":
        author.name = "Jo Renamed"
        author.save()
    elif change == "rename section":
        section.name = "Government"
        section.save()
    elif change == "delete":
        article.delete()

    after = {url: client.get(url) for url in urls}
    changed = [url for url in urls if after[url].status_code != 200 or after[url].text != before[url]]
    assert changed, "no page changed"
    if change == "edit headline":
        assert all("Changed headline" in after[url].text for url in urls)
    if change in ("unpublish", "delete"):
        assert after[article.get_absolute_url()].status_code == 404
        assert "Original headline" not in after["/"].text
    if change == "add tag":
        assert "Added topic" in after[article.get_absolute_url()].text
    if change == "rename author":
        assert "Jo Renamed" in after[article.get_absolute_url()].text


def test_a_scheduled_article_appears_when_its_time_comes_although_nothing_was_written(client):
    now = timezone.now()
    make_article("Already out", published_at=now - datetime.timedelta(hours=1))
    soon = make_article(
        "Embargoed story",
        status=Status.SCHEDULED,
        publish_at=now + datetime.timedelta(seconds=30),
        published_at=now + datetime.timedelta(seconds=30),
    )
    assert "Embargoed story" not in client.get("/").text

    generation = cache.current_generation()
    assert generation.next_change == soon.publish_at
    assert cache._ttl(generation, now) <= 30

    later = soon.publish_at + datetime.timedelta(seconds=1)
    assert cache.current_generation(later).token != generation.token  # the next request starts afresh
    from articles.models import Article

    assert Article.objects.published(later).filter(pk=soon.pk).exists()


def test_an_expiring_article_caps_the_cache_lifetime(client):
    now = timezone.now()
    make_article("Short-lived", unpublish_at=now + datetime.timedelta(seconds=20))

    response = client.get("/")

    max_age = int(re.search(r"max-age=(\d+)", response["Cache-Control"]).group(1))
    assert max_age <= 20


def test_purge_forgets_every_cached_page(client):
    article = make_article("Story")
    client.get(article.get_absolute_url())
    token = cache.current_generation().token

    cache.purge()

    assert cache.current_generation().token != token


def test_search_pages_are_stored_per_normalized_query(client, django_assert_num_queries):
    # Issue 15: search pages are cached like the others (tests/search/test_search_page.py has the rest).
    make_article("Harbour story")
    client.get("/search/", {"q": "harbour"})

    with django_assert_num_queries(0):
        assert "<mark>Harbour</mark> story" in client.get("/search/", {"q": " HARBOUR "}).text


def test_with_the_page_cache_off_every_request_renders_but_http_caching_stays(client, settings):
    settings.PUBLIC_PAGE_CACHE = False
    article = make_article("Uncached story")
    first = client.get(article.get_absolute_url())
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        second = client.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])

    assert len(queries) > 0
    assert second.status_code == 304


def test_a_purge_by_another_process_is_seen_within_the_local_reuse_window(monkeypatch):
    from django.core.cache import cache as django_cache

    make_article("Story")
    token = cache.current_generation().token
    django_cache.delete(cache.GENERATION_KEY)  # what purge() in another worker does to the shared cache

    assert cache.current_generation().token == token  # reused for up to LOCAL_SECONDS
    monkeypatch.setattr(cache, "LOCAL_SECONDS", 0)
    assert cache.current_generation().token != token


def test_a_cached_home_page_shows_a_scheduled_story_as_soon_as_it_goes_live(client):
    import time

    now = timezone.now()
    make_article("Already out", published_at=now - datetime.timedelta(hours=1))
    go_live = now + datetime.timedelta(seconds=2)
    make_article("On the hour", status=Status.SCHEDULED, publish_at=go_live, published_at=go_live)
    first = client.get("/")
    assert "On the hour" not in first.text
    assert int(re.search(r"max-age=(\d+)", first["Cache-Control"]).group(1)) <= 2
    assert "On the hour" not in client.get("/").text  # served from the cache

    time.sleep(max((go_live - timezone.now()).total_seconds(), 0) + 0.1)

    assert "On the hour" in client.get("/").text


# --- the first level: pages kept in each process's memory under the generation token -----------------------


class CountingCache:
    """The shared cache, counting the pages read from it."""

    def __init__(self, cache):
        self.cache, self.page_reads = cache, 0

    def get(self, key, *args, **kwargs):
        if key.startswith("public-pages:page:"):
            self.page_reads += 1
        return self.cache.get(key, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.cache, name)


@pytest.fixture
def shared_cache(monkeypatch):
    counting = CountingCache(cache.cache)
    monkeypatch.setattr(cache, "cache", counting)
    return counting


def test_a_page_served_before_comes_from_process_memory_not_the_shared_cache(client, shared_cache):
    article = make_article("Memory story")
    first = client.get(article.get_absolute_url())
    reads = shared_cache.page_reads

    second = client.get(article.get_absolute_url())

    assert shared_cache.page_reads == reads
    assert second.content.replace(nonce_of(second)[1].encode(), b"") == first.content.replace(
        nonce_of(first)[1].encode(), b""
    )
    assert second["ETag"] == first["ETag"] and second["Last-Modified"] == first["Last-Modified"]
    assert nonce_of(second)[0] == nonce_of(second)[1] != nonce_of(first)[0]


def test_a_fresh_process_reads_the_page_from_the_shared_cache_once_then_from_memory(client, shared_cache):
    article = make_article("Shared story")
    client.get(article.get_absolute_url())
    cache._pages.clear()  # another worker: same shared cache and generation, nothing in memory yet
    reads = shared_cache.page_reads

    client.get(article.get_absolute_url())
    client.get(article.get_absolute_url())

    assert shared_cache.page_reads == reads + 1


def test_a_change_in_this_process_is_served_at_once_not_from_memory(client):
    article = make_article("Before the edit")
    assert "Before the edit" in client.get(article.get_absolute_url()).text

    article.headline = "After the edit"
    article.save()

    assert "After the edit" in client.get(article.get_absolute_url()).text


def test_a_purge_by_another_process_reaches_the_pages_in_memory_within_the_local_reuse_window(
    client, monkeypatch
):
    from django.core.cache import cache as django_cache

    article = make_article("Old headline")
    url = article.get_absolute_url()
    assert "Old headline" in client.get(url).text
    # Another server edits the article: its purge() replaces the generation in the shared cache; this
    # process hears nothing (update() sends no signal here).
    from articles.models import Article

    Article.objects.filter(pk=article.pk).update(headline="New headline")
    django_cache.delete(cache.GENERATION_KEY)

    assert "Old headline" in client.get(url).text  # within LOCAL_SECONDS: the bounded staleness
    monkeypatch.setattr(cache, "LOCAL_SECONDS", 0)  # the window has passed
    assert "New headline" in client.get(url).text


def test_logged_in_staff_never_get_a_page_from_process_memory(client):
    staff = get_user_model().objects.create_user("editor", password="pw", is_staff=True)
    article = make_article("Staff story")
    client.get(article.get_absolute_url())
    from articles.models import Article

    Article.objects.filter(pk=article.pk).update(headline="Edited quietly")  # no purge
    client.force_login(staff)

    assert "Edited quietly" in client.get(article.get_absolute_url()).text


def test_a_reader_with_a_stale_session_cookie_is_anonymous_and_gets_the_public_page(client):
    article = make_article("Cookie story")
    client.get(article.get_absolute_url())
    from articles.models import Article

    Article.objects.filter(pk=article.pk).update(headline="Edited quietly")  # no purge
    client.cookies["sessionid"] = "expired-or-forged"

    response = client.get(article.get_absolute_url())

    assert "Cookie story" in response.text and "Edited quietly" not in response.text
    assert response["Cache-Control"] == "public, max-age=60"
    assert response["Vary"] == "Cookie"


def test_with_the_page_cache_off_nothing_is_kept_in_process_memory(client, settings):
    settings.PUBLIC_PAGE_CACHE = False
    article = make_article("Uncached story")

    client.get(article.get_absolute_url())

    assert not cache._pages.items


def page(body=b"x" * 1000):
    entry = {"body": body, "content_type": "text/html", "etag": '"e"', "last_modified": "x", "headers": {}}
    return cache._Page.from_entry(entry)


def test_process_memory_drops_the_least_recently_used_items_past_its_budget():
    memory = cache._LocalMemory(max_bytes=3000)
    for key in ("/a/", "/b/", "/c/"):
        memory.put("t1", key, page(), size=1000, ttl=60)
    assert memory.get("t1", "/a/") is not None  # /a/ is now the most recently used

    memory.put("t1", "/d/", page(), size=1000, ttl=60)

    assert memory.get("t1", "/b/") is None
    assert [key for key in ("/a/", "/c/", "/d/") if memory.get("t1", key)] == ["/a/", "/c/", "/d/"]
    assert memory.size <= memory.max_bytes


def test_process_memory_keeps_one_generation_and_honours_each_items_lifetime():
    memory = cache._LocalMemory(max_bytes=1_000_000)
    memory.put("t1", "/a/", page(), size=1000, ttl=60)
    memory.put("t1", "/gone/", page(), size=1000, ttl=0)

    assert memory.get("t2", "/a/") is None  # another generation's token never finds the page
    assert memory.get("t1", "/gone/") is None
    memory.put("t2", "/b/", page(), size=1000, ttl=60)
    assert memory.get("t1", "/a/") is None and list(memory.items) == ["/b/"]


def test_a_page_cut_at_its_nonce_placeholders_gets_each_requests_nonce(rf):
    from django.utils.csp import LazyNonce

    stored = page(body=b'<script nonce="' + cache.NONCE_PLACEHOLDER + b'">{}</script>')
    request = rf.get("/")
    request._csp_nonce = LazyNonce()

    assert stored.body(request) == f'<script nonce="{request._csp_nonce}">{{}}</script>'.encode()
    assert page(body=b"<p>no nonce</p>").body(request) == b"<p>no nonce</p>"


def test_a_per_generation_value_is_computed_once_and_forgotten_by_a_purge(shared_cache):
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert cache.cached_value("answer", compute) == 1
    cache._values.clear()  # another worker: it finds the value in the shared cache
    assert cache.cached_value("answer", compute) == 1
    assert cache.cached_value("answer", compute) == 1
    cache.purge()
    assert cache.cached_value("answer", compute) == 2
    assert len(calls) == 2


def test_a_value_is_reused_from_memory_until_another_process_purges_within_the_window(monkeypatch):
    from django.core.cache import cache as django_cache

    assert cache.cached_value("count", lambda: 10) == 10
    django_cache.delete(cache.GENERATION_KEY)  # another process's purge()

    assert cache.cached_value("count", lambda: 11) == 10  # within LOCAL_SECONDS
    monkeypatch.setattr(cache, "LOCAL_SECONDS", 0)
    assert cache.cached_value("count", lambda: 12) == 12


def test_a_page_from_the_shared_cache_stays_in_memory_no_longer_than_its_time_there(client, monkeypatch):
    import time

    article = make_article("Aging story")
    url = article.get_absolute_url()
    client.get(url)  # rendered and stored now
    cache._pages.clear()  # another worker reads it from the shared cache later
    later = timezone.now() + datetime.timedelta(seconds=cache.PAGE_TTL - 30)
    monkeypatch.setattr(cache.timezone, "now", lambda: later)

    assert client.get(url).status_code == 200

    [(page, size, expires)] = cache._pages.items.values()
    assert expires - time.monotonic() <= 31


def test_a_generation_left_in_the_shared_cache_by_code_that_moved_starts_a_new_one(client):
    """
    After a deploy that moves the cache's module, the shared cache (Redis) still holds a generation pickled
    by the old code. Reading it must not fail every public page: it counts as no generation.
    """
    import sys
    import types

    from django.core.cache import cache as shared

    make_article(headline="Still served after a deploy")
    old_module = types.ModuleType("newsroom_code_before_the_deploy")
    exec("class Generation:\n    pass\n", old_module.__dict__)
    old_module.Generation.__module__ = old_module.__name__
    sys.modules[old_module.__name__] = old_module
    try:
        shared.set(cache.GENERATION_KEY, old_module.Generation(), timeout=None)
    finally:
        del sys.modules[old_module.__name__]  # the new code no longer has that module
    cache.forget_local()

    response = client.get("/")

    assert response.status_code == 200 and "Still served after a deploy" in response.text
    token, next_change = shared.get(cache.GENERATION_KEY)  # a new generation, stored as plain values
    assert isinstance(token, str) and cache.current_generation().token == token
