"""A story plan's rules: which status moves are allowed, what is overdue, whose assignments, and that a plan
follows its article's publication."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from articles.models import Status
from desk import workflow
from planning.models import Story
from tests.planning.helpers import make_story
from tests.shared_fixtures import make_ready_article

pytestmark = pytest.mark.django_db
S = Story.Status


def moved(story, status):
    story = Story.objects.get(pk=story.pk)
    story.status = status
    story.full_clean()
    story.save()
    return story


@pytest.mark.parametrize(
    ("start", "to"),
    [
        (S.IDEA, S.ASSIGNED),
        (S.ASSIGNED, S.IN_PROGRESS),
        (S.IN_PROGRESS, S.FILED),
        (S.FILED, S.IN_PROGRESS),  # sent back to the reporter
        (S.ASSIGNED, S.IDEA),
        (S.IDEA, S.KILLED),
        (S.FILED, S.KILLED),
        (S.KILLED, S.IDEA),
    ],
)
def test_a_plan_moves_one_step_forward_or_back_and_can_be_killed(start, to):
    assert moved(make_story(status=start), to).status == to


@pytest.mark.parametrize(
    ("start", "to", "reason"),
    [
        (S.IDEA, S.FILED, "from idea it can go to assigned, killed"),
        (S.FILED, S.IDEA, "from filed it can go to in progress, killed"),
        (S.IN_PROGRESS, S.PUBLISHED, "a plan becomes published when its article is published"),
        (S.PUBLISHED, S.KILLED, "its article is published"),
    ],
)
def test_a_skipping_move_is_refused_with_the_reason(start, to, reason):
    story = make_story(status=start)
    with pytest.raises(ValidationError) as refused:
        moved(story, to)
    assert reason in str(refused.value.message_dict["status"])
    assert Story.objects.get(pk=story.pk).status == start


def test_overdue_means_due_time_passed_and_not_filed_published_or_killed():
    past = timezone.now() - datetime.timedelta(hours=1)
    late = make_story(status=S.IN_PROGRESS, due_at=past)
    make_story(status=S.FILED, due_at=past)
    make_story(status=S.KILLED, due_at=past)
    make_story(status=S.IN_PROGRESS, due_at=timezone.now() + datetime.timedelta(hours=1))
    assert list(Story.objects.overdue()) == [late]
    assert late.is_overdue()


def test_assigned_to_lists_a_reporters_open_plans_soonest_due_first(reporter, other_reporter):
    soon = timezone.now() + datetime.timedelta(hours=1)
    later = make_story(reporters=[reporter], due_at=soon + datetime.timedelta(hours=5))
    first = make_story(reporters=[reporter, other_reporter], due_at=soon)
    make_story(reporters=[reporter], status=S.KILLED)
    make_story(reporters=[other_reporter])
    assert list(Story.objects.assigned_to(reporter)) == [first, later]


def test_the_plan_is_published_when_the_workflow_publishes_its_article(
    reporter, publisher, django_capture_on_commit_callbacks
):
    article = make_ready_article(reporter, status=Status.IN_REVIEW, approved=True, approver=publisher)
    story = make_story(reporters=[reporter], status=S.FILED, article=article)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.perform("publish", article, publisher)
    assert Story.objects.get(pk=story.pk).status == S.PUBLISHED
