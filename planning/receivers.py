"""A plan follows its article: when the workflow publishes the linked article, the plan is published."""

from django.dispatch import receiver

from articles.signals import article_published
from planning.models import Story


@receiver(article_published, dispatch_uid="planning-story-published")
def mark_plan_published(sender, article, **kwargs):
    Story.objects.filter(article=article).exclude(status=Story.Status.PUBLISHED).update(
        status=Story.Status.PUBLISHED
    )
