"""
The Permissions-Policy header on every response (settings.PERMISSIONS_POLICY): Django's SecurityMiddleware
sends Referrer-Policy and Cross-Origin-Opener-Policy, but has no setting for this one.
"""

from django.conf import settings


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
