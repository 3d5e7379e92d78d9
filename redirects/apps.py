from django.apps import AppConfig


class RedirectsConfig(AppConfig):
    name = "redirects"
    verbose_name = "Redirects"

    def ready(self):
        # A managed redirect to an article follows the article's URL (redirects/receivers.py).
        from redirects import receivers  # noqa: F401
