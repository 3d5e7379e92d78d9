"""The Atom feed of a live blog's updates (newest first), for a published article only."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from live.models import LiveUpdate
from live.views import visible_coverage
from public.structured_data import absolute

FEED_SIZE = 30


class LiveUpdatesFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, article_id):
        return visible_coverage(article_id, timezone.now())

    def title(self, coverage):
        return f"{coverage.article.headline}: live updates – {settings.SITE_NAME}"

    def link(self, coverage):
        return absolute(coverage.article.get_absolute_url())

    def feed_url(self, coverage):
        return absolute(reverse("live:feed", kwargs={"article_id": coverage.article_id}))

    def subtitle(self, coverage):
        return "Coverage ended." if not coverage.is_live else f"Live coverage: {coverage.article.dek}"

    def items(self, coverage):
        updates = LiveUpdate.objects.visible().filter(article_id=coverage.article_id).select_related("author")
        self._article_url = absolute(coverage.article.get_absolute_url())
        return updates.order_by("-published_at", "-pk")[:FEED_SIZE]

    def item_title(self, update):
        return update.title

    def item_description(self, update):
        return update.body

    def item_link(self, update):
        return f"{self._article_url}#{update.anchor}"

    def item_guid(self, update):
        return self.item_link(update)

    def item_pubdate(self, update):
        return update.published_at

    def item_updateddate(self, update):
        return update.updated_at

    def item_author_name(self, update):
        return update.author.name if update.author_id else None

    def feed_copyright(self):
        return settings.SITE_NAME
