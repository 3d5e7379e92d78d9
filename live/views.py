"""
The fragment an open live page polls (static/live/poller.js): what changed since the page's cursor, as JSON
with rendered HTML. Cached and ETagged like every public page (public/cache.py: a 304 when nothing changed,
purged by every update); a draft article or a draft update is never in it.
"""

import datetime

from django.conf import settings
from django.http import Http404, JsonResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_safe

from articles.models import Article
from live import page
from live.models import LiveCoverage, LiveUpdate
from public import cache

# Edits saved in the same moment as the cursor, or committed a little after a later one, still arrive:
# the fragment repeats the last seconds' changes, and the poller ignores versions it already shows.
OVERLAP = datetime.timedelta(seconds=10)


def visible_coverage(article_id, now):
    """The coverage of a published article (one query), else 404."""
    coverage = (
        LiveCoverage.objects.select_related("article")
        .filter(article_id=article_id, article__in=Article.objects.published(now).values("pk"))
        .first()
    )
    if coverage is None:
        raise Http404("No live coverage of a published article here")
    return coverage


def parse_since(value):
    if not value:
        return None
    moment = parse_datetime(value.replace(" ", "+"))  # a "+" in a query string arrives as a space
    if moment is None or timezone.is_naive(moment):
        raise Http404(
            f"“since” must be an ISO 8601 time with its offset, as the page gives it, not {value!r}"
        )
    return moment


def _short_lived(view):
    """The poll interval as the browser and CDN lifetime: readers see an update within one poll."""

    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code in (200, 304):
            patch_cache_control(response, max_age=settings.LIVE_POLL_SECONDS)
        return response

    return wrapped


@require_safe
@_short_lived
@cache.public_page
def updates(request, article_id):
    now = timezone.now()
    since = parse_since(request.GET.get("since", ""))
    coverage = visible_coverage(article_id, now)
    visible = LiveUpdate.objects.visible(now).filter(article_id=article_id).page_order()
    ids = list(visible.values_list("pk", flat=True)[: page.MAX_UPDATES])
    changed = visible.filter(pk__in=ids).for_page()
    if since is not None:
        changed = changed.filter(updated_at__gt=since - OVERLAP)
    changed = page.with_embeds(list(changed))
    key_events = list(
        visible.filter(is_key_event=True).only("pk", "headline", "body", "published_at", "is_key_event")
    )
    latest = max([coverage.updated_at, *(u.updated_at for u in changed)])
    cursor = max(latest, since) if since else latest
    return JsonResponse(
        {
            "state": coverage.state,
            "cursor": cursor.isoformat(),
            "visible": ids,
            "updates": [
                {
                    "id": update.pk,
                    "version": str(update.updated_at.timestamp()),
                    "pinned": update.is_pinned,
                    "html": page.render_update(update),
                }
                for update in changed
            ],
            "key_events_html": page.render_key_events(key_events),
            "status_html": page.render_status(coverage),
            "poll_seconds": settings.LIVE_POLL_SECONDS,
        }
    )
