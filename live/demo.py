"""The demo's live blog (load_demo): an election-night article with a few updates; idempotent."""

import datetime

from django.utils import timezone

from live.models import LiveCoverage, LiveUpdate

UPDATES = [
    # minutes after the start, headline, body, pinned, key event
    (0, "Polls close", "<p>Polling stations closed at 10 p.m.; the count has begun.</p>", False, True),
    (25, "", "<p>Turnout looks higher than last time in the city's northern wards.</p>", False, False),
    (50, "First result", "<p>The harbour ward declares first: the councillor holds on.</p>", False, True),
    (70, "How to follow tonight", "<p>Results appear here, newest first.</p>", True, False),
]


def load_live_blog(article, author=None):
    """Make `article` a live blog with the demo's updates, unless it already has updates."""
    started = article.published_at or timezone.now()
    LiveCoverage.objects.get_or_create(article=article, defaults={"started_at": started})
    if LiveUpdate.objects.filter(article=article).exists():
        return False
    for minutes, headline, body, pinned, key_event in UPDATES:
        LiveUpdate.objects.create(
            article=article,
            headline=headline,
            body=body,
            author=author,
            is_pinned=pinned,
            is_key_event=key_event,
            published_at=started + datetime.timedelta(minutes=minutes),
        )
    return True
