from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Articles"

    def ready(self):
        # Public site: cache purge and slug history receivers.
        from articles import receivers  # noqa: F401
