"""
Notification e-mail to an article's authors after a transition (desk.workflow.NOTIFY lists which), sent
by the worker: desk.workflow enqueues send_notification(transition id) once the transition has committed.

Idempotent: the e-mail of a transition is sent once (worker.retry.once, keyed by the transition), so a
retry after a failure elsewhere, or a second run, sends nothing more; a failed send (the mail server is
down) raises, and the worker retries it with backoff.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.utils import timezone

from articles.models import Status
from desk.models import Transition
from worker.retry import once, retrying

NOTIFY = {
    "request_changes": "Changes requested",
    "publish": "Published",
    "go_live": "Published",
    "republish": "Republished",
    "unpublish": "Unpublished",
    "expire": "Unpublished (expired)",
}


def author_emails(article):
    emails = []
    for byline in article.bylines.select_related("author__user"):
        author = byline.author
        email = author.email or (author.user.email if author.user_id else "")
        if email and email not in emails:
            emails.append(email)
    return emails


def notify_authors(article, transition):
    recipients = author_emails(article)
    if not recipients:
        return 0
    what = NOTIFY[transition.action]
    lines = [
        f"{what}: “{article.headline}”",
        f"By {transition.actor_name} at {timezone.localtime(transition.created_at):%Y-%m-%d %H:%M %Z}.",
    ]
    if transition.comment:
        lines += ["", transition.comment]
    if article.status == Status.PUBLISHED:
        lines += ["", f"{settings.SITE_URL}{article.get_absolute_url()}"]
    lines += ["", f"In the admin: {settings.SITE_URL}/admin/articles/article/{article.pk}/change/"]
    return send_mail(
        subject=f"[{settings.SITE_NAME}] {what}: {article.headline}"[:200],
        message="\n".join(lines),
        from_email=None,
        recipient_list=recipients,
    )


@retrying(max_attempts=6, base_delay=30, max_delay=3600)
@task()
def send_notification(transition_id):
    transition = Transition.objects.select_related("article", "actor").filter(pk=transition_id).first()
    if transition is None or transition.action not in NOTIFY:
        return 0
    sent = once(f"desk.notification:{transition.pk}", lambda: notify_authors(transition.article, transition))
    return sent or 0
