"""
Article events become webhook deliveries (connected in WebhooksConfig.ready()).

desk.workflow sends article_changed after a transition or a correction has committed; a deleted article
is seen by post_delete (its payload is taken in pre_delete, while its bylines and tags still exist). Here
we only insert one Delivery per subscribed active endpoint and enqueue its task on commit: the request
that published never waits for an endpoint. Drafts, submissions, reviews and schedules send nothing.
"""

from django.db import transaction
from django.db.models.signals import post_delete, pre_delete
from django.dispatch import receiver
from django.utils import timezone

from articles.models import Article, Status
from articles.signals import article_changed
from webhooks.models import Delivery, Endpoint, Event
from webhooks.payload import article_payload, event_body
from webhooks.tasks import deliver, enqueue_delivery, mark_dead
from worker.retry import task_dead_lettered

# Workflow actions (desk/workflow.py, plus "correction" from add_correction) → the event partners see.
ACTION_EVENTS = {
    "publish": Event.PUBLISHED,
    "go_live": Event.PUBLISHED,
    "republish": Event.PUBLISHED,
    "publish_update": Event.UPDATED,
    "unpublish": Event.UNPUBLISHED,
    "expire": Event.UNPUBLISHED,
    "correction": Event.CORRECTED,
}


def create_deliveries(event, article_id, article_data):
    """
    One pending Delivery per active endpoint subscribed to `event`, each enqueued on commit. `article_data`
    is the article's JSON, or a callable returning it (only called when some endpoint subscribed).
    """
    endpoints = Endpoint.objects.subscribed_to(event)
    if not endpoints:
        return []
    if callable(article_data):
        article_data = article_data()
    body = event_body(event, article_data, occurred_at=timezone.now())
    with transaction.atomic():
        deliveries = Delivery.objects.bulk_create(
            Delivery(endpoint=endpoint, event=event, article_id=article_id, payload=body)
            for endpoint in endpoints
        )
        for delivery in deliveries:
            enqueue_delivery(delivery)
    return deliveries


@receiver(article_changed, dispatch_uid="webhooks-article-changed")
def article_event(sender, article, action, **kwargs):
    event = ACTION_EVENTS.get(action)
    if event is not None:
        create_deliveries(event, article.pk, lambda: article_payload(article))


def _was_public(article):
    if article.status in (Status.PUBLISHED, Status.UNPUBLISHED):
        return True
    return article.status == Status.SCHEDULED and article.publish_at and article.publish_at <= timezone.now()


@receiver(pre_delete, sender=Article, dispatch_uid="webhooks-article-before-delete")
def remember_deleted_article(sender, instance, **kwargs):
    if _was_public(instance) and Endpoint.objects.subscribed_to(Event.DELETED):
        instance._webhook_payload = article_payload(instance)


@receiver(post_delete, sender=Article, dispatch_uid="webhooks-article-deleted")
def article_deleted(sender, instance, **kwargs):
    data = getattr(instance, "_webhook_payload", None)
    if data is not None:
        create_deliveries(Event.DELETED, data["id"], data)


@receiver(task_dead_lettered, dispatch_uid="webhooks-delivery-dead")
def delivery_gave_up(sender, dead_letter, **kwargs):
    # sender is the task's module path (a string: compared here, as signal senders match by identity).
    if sender == deliver.module_path:
        mark_dead(*dead_letter.args_kwargs["args"])
