import datetime

from auditlog.models import LogEntry
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


class Command(BaseCommand):
    help = (
        "Deletes audit log entries older than the retention period (AUDIT_LOG_RETENTION_DAYS, default 365)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            default=settings.AUDIT_LOG_RETENTION_DAYS,
            metavar="DAYS",
            help="Delete entries older than this many days (default: %(default)s).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be deleted; delete nothing."
        )

    def handle(self, *, older_than, dry_run, **options):
        if older_than < 1:
            raise CommandError(f"--older-than must be at least 1 day, not {older_than}.")
        cutoff = timezone.now() - datetime.timedelta(days=older_than)
        expired = LogEntry.objects.filter(timestamp__lt=cutoff)
        if dry_run:
            self.stdout.write(
                f"Would delete {expired.count()} audit log entries from before {cutoff:%Y-%m-%d %H:%M}."
            )
            return
        deleted, _ = expired.delete()
        self.stdout.write(f"Deleted {deleted} audit log entries from before {cutoff:%Y-%m-%d %H:%M}.")
