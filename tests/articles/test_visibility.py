"""
Property: whatever mix of states and times the articles are in, readers see exactly the published ones, on
every public surface: home, article pages, tag/author/section pages, search, feeds, sitemaps, related lists
and counts.
"""

import datetime
import re

import defusedxml.ElementTree as ET
import feedparser
from django.core.cache import cache
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from articles.models import Article, Status
from tests.factories import make_article, make_author, make_section, make_tag

HOUR = datetime.timedelta(hours=1)

# state: (fields for the article, visible to readers?)
STATES = {
    "draft": (lambda now: {"status": Status.DRAFT}, False),
    "in review": (lambda now: {"status": Status.IN_REVIEW, "published_at": now - HOUR}, False),
    "scheduled, future": (
        lambda now: {"status": Status.SCHEDULED, "publish_at": now + HOUR, "published_at": now + HOUR},
        False,
    ),
    "scheduled, time passed": (
        lambda now: {"status": Status.SCHEDULED, "publish_at": now - HOUR, "published_at": now - HOUR},
        True,
    ),
    "scheduled, on legal hold": (
        lambda now: {
            "status": Status.SCHEDULED,
            "publish_at": now - HOUR,
            "published_at": now - HOUR,
            "legal_hold": True,
        },
        False,
    ),
    "published": (lambda now: {"status": Status.PUBLISHED, "published_at": now - 2 * HOUR}, True),
    "published, future date": (lambda now: {"status": Status.PUBLISHED, "published_at": now + HOUR}, False),
    "unpublished": (lambda now: {"status": Status.UNPUBLISHED, "published_at": now - HOUR}, False),
    "expired": (
        lambda now: {"status": Status.PUBLISHED, "published_at": now - 3 * HOUR, "unpublish_at": now - HOUR},
        False,
    ),
    "expires later": (
        lambda now: {"status": Status.PUBLISHED, "published_at": now - 3 * HOUR, "unpublish_at": now + HOUR},
        True,
    ),
}


class EveryPublicSurfaceShowsOnlyPublishedArticles(TestCase):
    def check(self, url, status=200):
        response = self.client.get(url)
        self.assertEqual(response.status_code, status, url)
        return response

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(states=st.lists(st.sampled_from(sorted(STATES)), min_size=1, max_size=8))
    def test_only_published_articles_appear_anywhere(self, states):
        cache.clear()
        now = timezone.now()
        section, tag, author = make_section("Desk"), make_tag("Topic"), make_author("Writer")
        # A published anchor sharing the tag, whose page lists the related stories.
        anchor = make_article("Anchor", published_at=now - 5 * HOUR, tags=[tag])
        articles = []
        for n, state in enumerate(states):
            fields, visible = STATES[state]
            article = make_article(
                f"Zebra story {n}", section=section, tags=[tag], authors=[author], **fields(now)
            )
            articles.append((article, visible))
        visible = {article.headline for article, shown in articles if shown}
        hidden = {article.headline for article, shown in articles if not shown}
        self.assertEqual(
            visible,
            set(
                Article.objects.published()
                .filter(headline__startswith="Zebra")
                .values_list("headline", flat=True)
            ),
        )

        def shown_in(text):
            found = set(re.findall(r"Zebra story \d+", re.sub(r"</?mark>", "", text)))
            self.assertFalse(found & hidden, f"hidden articles shown: {found & hidden}")
            return found

        # Pages
        self.assertEqual(shown_in(self.check("/").text), visible)
        for url in ["/tags/topic/", "/authors/writer/", "/sections/desk/"]:
            self.assertEqual(shown_in(self.check(url).text), visible, url)
        for article, shown in articles:
            self.check(article.get_absolute_url(), 200 if shown else 404)
        on_anchor = shown_in(self.check(anchor.get_absolute_url()).text)  # up to 5 related stories
        self.assertTrue(on_anchor <= visible)
        self.assertEqual(len(on_anchor), min(5, len(visible)))

        # Search, and its count
        search = self.check("/search/?q=zebra").text
        self.assertEqual(shown_in(search), visible)
        if visible:
            self.assertIn(f"{len(visible)} result", search)
        else:
            self.assertIn("No stories match", search)

        # Feeds
        for url in [
            "/feeds/latest/",
            "/feeds/latest/atom/",
            "/tags/topic/feed/",
            "/authors/writer/feed/",
            "/sections/desk/feed/",
        ]:
            feed = feedparser.parse(self.check(url).content)
            titles = {entry.title for entry in feed.entries if entry.title.startswith("Zebra")}
            self.assertEqual(titles, visible, url)

        # Sitemaps
        urls = set()
        for url in ["/sitemap-articles.xml", "/sitemap-news.xml"]:
            root = ET.fromstring(self.check(url).content)
            urls |= {
                element.text for element in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")
            }
        expected = {
            "http://127.0.0.1:8000" + article.get_absolute_url() for article, shown in articles if shown
        }
        hidden_urls = {
            "http://127.0.0.1:8000" + article.get_absolute_url() for article, shown in articles if not shown
        }
        self.assertTrue(expected <= urls)
        self.assertFalse(hidden_urls & urls)
        authors_sitemap = self.check("/sitemap-authors.xml").text
        self.assertEqual("/authors/writer/" in authors_sitemap, bool(visible))
        sections_sitemap = self.check("/sitemap-sections.xml").text
        self.assertEqual("/sections/desk/" in sections_sitemap, bool(visible))

        # Related stories, straight from the query
        related = {story.headline for story in Article.objects.related_to(anchor, limit=20)}
        self.assertEqual(related, visible)
