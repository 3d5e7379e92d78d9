from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "public"
    verbose_name = "Public site"

    def ready(self):
        # Page-cache purges on every change to what public pages show.
        from public import receivers  # noqa: F401
