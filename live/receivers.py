"""
Page-cache purges, connected in LiveConfig.ready(): every save or delete of a live update or of an article's
coverage forgets the cached public pages (public/cache.py), the article page, its fragment and its feed.
"""

from django.db.models.signals import post_delete, post_save

from live.models import LiveCoverage, LiveUpdate
from public import cache

for model in (LiveCoverage, LiveUpdate):
    post_save.connect(cache.purge, sender=model, dispatch_uid=f"public-pages-purge-save-{model.__name__}")
    post_delete.connect(cache.purge, sender=model, dispatch_uid=f"public-pages-purge-delete-{model.__name__}")
