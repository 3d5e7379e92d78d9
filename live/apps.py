from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "live"
    verbose_name = "Live coverage"

    def ready(self):
        # Page-cache purges on every update and coverage change (public/cache.py).
        from live import receivers  # noqa: F401
