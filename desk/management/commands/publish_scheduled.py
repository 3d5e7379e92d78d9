"""
Finalize scheduled publishing and expiry. Readers already see a scheduled article from its publish_at on
(Article.objects.published() is time-based); this command records the transition (status, published_at,
the log), sends the notifications and fires the signals that purge caches. Idempotent and safe to run
every minute from cron, even twice at once (see desk.workflow.run_scheduled).
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from articles.models import Article
from desk import workflow


class Command(BaseCommand):
    help = "Publish scheduled articles whose publish_at has passed and unpublish those past unpublish_at."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List what would change; change nothing.")

    def handle(self, *args, dry_run=False, verbosity=1, **options):
        now = timezone.now()
        published, expired = workflow.run_scheduled(now, dry_run=dry_run)
        if verbosity >= 2 or dry_run:
            headlines = dict(Article.objects.filter(pk__in=published + expired).values_list("pk", "headline"))
            for label, ids in (("publish", published), ("unpublish", expired)):
                for pk in ids:
                    self.stdout.write(f"{'would ' if dry_run else ''}{label} {pk}: {headlines.get(pk, '')}")
        if verbosity >= 1:
            prefix = "Dry run: would publish" if dry_run else "Published"
            self.stdout.write(
                self.style.SUCCESS(
                    f"{prefix} {len(published)}, {'would unpublish' if dry_run else 'unpublished'} "
                    f"{len(expired)} (at {now:%Y-%m-%d %H:%M:%S %Z})."
                )
            )
