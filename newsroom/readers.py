"""Who is asking: a request that cannot come from a logged-in user is an anonymous reader's."""

from django.conf import settings


def may_be_logged_in(request):
    """
    False for a request without a session cookie: users log in through the session
    (AuthenticationMiddleware), so such a request is an anonymous reader's, known without loading the
    lazy user. True does not mean logged in (the cookie may be stale): ask request.user then.
    """
    return settings.SESSION_COOKIE_NAME in request.COOKIES
