"""Builders for story plans in tests."""

import datetime
import itertools

from django.utils import timezone

from planning.models import Story

_counter = itertools.count(1)


def make_story(*, reporters=(), status=Story.Status.ASSIGNED, **fields):
    n = next(_counter)
    fields.setdefault("slug", f"plan-{n}")
    fields.setdefault("working_headline", f"Working headline {n}")
    story = Story.objects.create(status=status, **fields)
    story.reporters.set(reporters)
    return Story.objects.get(pk=story.pk)


def local(day_offset, hour, minute=0):
    """An aware datetime `day_offset` days from today (local time) at hour:minute."""
    day = timezone.localdate() + datetime.timedelta(days=day_offset)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))
