"""Builders for live blog tests: a published live article and its updates."""

import datetime

from django.utils import timezone

from live.models import LiveCoverage, LiveUpdate
from tests.desk.admin_helpers import change_form_data
from tests.factories import make_article, make_author


def make_live_article(headline="Election night, live", **fields):
    article = make_article(headline, dek="Results as they come in.", **fields)
    coverage = LiveCoverage.objects.create(
        article=article, started_at=timezone.now() - datetime.timedelta(minutes=50)
    )
    return article, coverage


def add_update(article, body="<p>Polls have closed.</p>", *, minutes_ago=0, author=None, **fields):
    fields.setdefault("published_at", timezone.now() - datetime.timedelta(minutes=minutes_ago))
    return LiveUpdate.objects.create(
        article=article, body=body, author=author or make_author("Live Reporter"), **fields
    )


def article_form_with_update(article, **update):
    """The article's change form as posted, with one new live update in its inline; "save and continue"."""
    rows = {f"live_updates-0-{name}": value for name, value in update.items()}
    return change_form_data(article) | {
        "live_updates-TOTAL_FORMS": 1,
        "live_updates-INITIAL_FORMS": 0,
        "live_updates-MIN_NUM_FORMS": 0,
        "live_updates-MAX_NUM_FORMS": 1000,
        "live_updates-0-article": article.pk,
        **rows,
        "_continue": "1",
    }
