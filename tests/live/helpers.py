"""Builders for live blog tests: a published live article and its updates."""

import datetime

from django.utils import timezone

from live.models import LiveCoverage, LiveUpdate
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
