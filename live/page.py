"""
What a live article's public page and its fragment endpoint show: the visible updates in page order (pinned
first, then newest first), the key events, the cursor a poller sends back, and the LiveBlogPosting JSON-LD.
Every function reads a fixed number of queries, however many updates there are.
"""

import datetime

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from embeds.render import render_urls
from live.models import LiveUpdate
from public.structured_data import _iso, absolute, person

MAX_UPDATES = 200  # shown on the page and in its JSON-LD (the feed has the newest FEED_SIZE)
HEADLINE_LENGTH = 110  # schema.org headline, as the article's


def coverage_of(article):
    """
    The article's coverage, as the article page's own query joined it (no query). A share preview's article
    is not joined: previews show the article's text without its live blog (and its query count stays).
    """
    field = type(article)._meta.get_field("live_coverage") if hasattr(type(article), "_meta") else None
    if field is None or not field.is_cached(article):
        return None
    return field.get_cached_value(article)


def visible_updates(article, now):
    """
    The updates readers see, page order, authors and images joined, embeds rendered: two queries (one
    more with images, one more with embeds).
    """
    updates = LiveUpdate.objects.visible(now).filter(article=article).for_page().page_order()
    return with_embeds(list(updates[:MAX_UPDATES]))


def with_embeds(updates):
    """
    Each update's `embed_html`: its embed URL as the embeds app renders a body's lone URL (a click-to-load
    placeholder from the cached embed, else a plain link), in one query for all of them, never a fetch.
    """
    rendered = render_urls({update.anchor: update.embed_url for update in updates if update.embed_url})
    for update in updates:
        update.embed_html = rendered.get(update.anchor, "")
    return updates


def cursor_of(coverage, updates):
    """The newest change the page shows (an update's or the coverage's): what a poller sends as ?since=."""
    moments = [coverage.updated_at, *(update.updated_at for update in updates)]
    return max(moments).isoformat()


def page_context(article, *, now, news_article):
    """The article page's live blog (None for an ordinary article); `news_article` becomes LiveBlogPosting."""
    coverage = coverage_of(article)
    if coverage is None:
        return None
    updates = visible_updates(article, now)
    return {
        "live": coverage,
        "live_pinned": [u for u in updates if u.is_pinned],
        "live_updates": [u for u in updates if not u.is_pinned],
        "live_key_events": [u for u in updates if u.is_key_event],
        "live_cursor": cursor_of(coverage, updates),
        "live_endpoint": reverse("live:updates", kwargs={"article_id": article.pk}),
        "live_feed": reverse("live:feed", kwargs={"article_id": article.pk}),
        "live_poll_seconds": settings.LIVE_POLL_SECONDS,
        "structured_data": live_blog_posting(news_article, coverage, updates),
    }


def render_update(update):
    return render_to_string("live/update.html", {"update": update})


def render_key_events(updates):
    return render_to_string(
        "live/key_events.html", {"live_key_events": [u for u in updates if u.is_key_event]}
    )


def render_status(coverage):
    return render_to_string("live/status.html", {"live": coverage})


def live_blog_posting(news_article, coverage, updates):
    """
    schema.org LiveBlogPosting: the article's NewsArticle data with the coverage times and its updates as
    BlogPostings (Google's live blog structured data).
    """
    page_url = news_article["url"]
    data = {**news_article, "@type": "LiveBlogPosting", "coverageStartTime": _iso(coverage.started_at)}
    if coverage.ended_at:
        data["coverageEndTime"] = _iso(coverage.ended_at)
    if updates:  # the page changes with each update
        modified = [datetime.datetime.fromisoformat(data["dateModified"])] if data.get("dateModified") else []
        data["dateModified"] = _iso(max([*modified, *(update.updated_at for update in updates)]))
    data["liveBlogUpdate"] = [blog_posting(update, page_url) for update in updates]
    return data


def blog_posting(update, page_url):
    posting = {
        "@type": "BlogPosting",
        "@id": f"{page_url}#{update.anchor}",
        "url": f"{page_url}#{update.anchor}",
        "headline": update.title[:HEADLINE_LENGTH],
        "articleBody": update.text,
        "datePublished": _iso(update.published_at),
        "dateModified": _iso(update.updated_at),
    }
    if update.author_id:
        posting["author"] = person(update.author)
    if update.image_id and update.image.social_card_url:
        posting["image"] = absolute(update.image.social_card_url)
    return posting
