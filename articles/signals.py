"""
Signals sent by desk.workflow after a transition has been committed (never for a rolled-back one).

Connect cache invalidation, search indexing or webhooks here, e.g.

    @receiver(article_changed)
    def purge(sender, article, action, actor, **kwargs): ...

Every transition sends article_changed; going live (publish, schedule reaching its time, republish, publish
update) also sends article_published, and going offline (unpublish, expiry) article_unpublished.

articles_bulk_changed is sent after writes that bypass model signals (the importer's bulk_create and
bulk_update), once per committed batch.
"""

from django.dispatch import Signal

article_changed = Signal()  # kwargs: article, action, actor
article_published = Signal()  # kwargs: article, action, actor
article_unpublished = Signal()  # kwargs: article, action, actor
articles_bulk_changed = Signal()  # sender: the Article model; kwargs: none
