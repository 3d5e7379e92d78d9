"""
An article's URL (its slug and publication date: articles' get_absolute_url; the section is not part of
it) can change. Its own old URLs keep answering through the article's slug history and the date check of
its page; a managed redirect that pointed at the old URL is moved to the new one here, so readers never
take two hops.
"""

from django.db.models.signals import post_save
from django.dispatch import receiver

from articles.models import Article
from redirects.models import Redirect


@receiver(post_save, sender=Article, dispatch_uid="redirects-article-follow-url")
def follow_article_url(sender, instance, raw=False, created=False, **kwargs):
    before = getattr(instance, "_before_save", None)  # the row before the save (articles/receivers.py)
    if raw or created or before is None:
        return
    old_url, new_url = before.get_absolute_url(), instance.get_absolute_url()
    if new_url != old_url:
        Redirect.objects.filter(new_path=old_url).update(new_path=new_url)
