from django.utils import timezone
from rest_framework import authentication, exceptions

from api.models import Token, hash_key


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <key>`: a personal token, neither revoked nor expired."""

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode(errors="replace").split()
        if not header or header[0].lower() != "bearer":
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Authorization: give exactly `Bearer <key>`.")
        now = timezone.now()
        token = Token.objects.usable(now).select_related("user").filter(key_hash=hash_key(header[1])).first()
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed("Unknown, revoked or expired token.")
        Token.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'
