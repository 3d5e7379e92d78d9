import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts import sessions

KEY_PREFIX_LENGTH = 8  # enough to tell sessions apart; the whole key would let a reader of the output log in


class Command(BaseCommand):
    help = (
        "Lists a user's sessions (key prefix, last activity, expiry, the address and browser they logged in "
        "from); --revoke ends them all, logging the user out everywhere (docs/security.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--revoke", action="store_true", help="delete every session of the user")

    def handle(self, *, username, revoke, **options):
        User = get_user_model()
        try:
            user = User.objects.get_by_natural_key(username)
        except User.DoesNotExist:
            raise CommandError(f"No user named {username!r}: no session was listed or revoked.") from None
        try:
            found = sessions.sessions_of(user)
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None
        if not found:
            self.stdout.write(f"{username} has no session.")
            return
        for key, data, expiry in found:
            last = data.get(sessions.LAST_ACTIVITY)
            last_activity = (
                timezone.localtime(datetime.datetime.fromtimestamp(last, datetime.UTC)) if last else None
            )
            self.stdout.write(
                "  ".join(
                    [
                        f"{key[:KEY_PREFIX_LENGTH]}…",
                        f"last activity {last_activity:%Y-%m-%d %H:%M}"
                        if last_activity
                        else "last activity unknown",
                        f"expires {timezone.localtime(expiry):%Y-%m-%d %H:%M}",
                        f"from {data.get(sessions.LOGIN_ADDRESS) or 'unknown address'}",
                        data.get(sessions.LOGIN_USER_AGENT) or "unknown browser",
                    ]
                )
            )
        if revoke:
            revoked = sessions.revoke_sessions(user)
            self.stdout.write(
                self.style.SUCCESS(f"Revoked {revoked} session(s) of {username}: logged out everywhere.")
            )
        else:
            self.stdout.write(f"{len(found)} session(s). Run again with --revoke to end them all.")
